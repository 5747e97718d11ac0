"""What a notebook shows: loaded tables, safe HTML tables, the run-details table."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import platform
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from wsisanalysis import schema as C
from wsisanalysis._version import __version__
from wsisanalysis.errors import InputFileError
from wsisanalysis.metrics.disclosure import (
    DATASET_ATTR,
    DEFAULT_THRESHOLD,
    HIDDEN_LABEL,
    LEDGER_NAME,
    PublishedTable,
    Rules,
    guard,
    published_aggregate,
)
from wsisanalysis.metrics.disclosure.audit import DisclosureError
from wsisanalysis.metrics.disclosure.ledger import Run
from wsisanalysis.reporting.interactive import interactive_table
from wsisanalysis.reporting.runs import resolve_data_dir
from wsisanalysis.schema import output_paths

P = ParamSpec("P")
R = TypeVar("R")

DEMO_PREFIX = "DEMO_"


def clean_table_path(data_dir: str | Path, kind: str) -> Path:
    """The path of a clean table written by ``wsisanalysis clean --out data_dir``.

    A relative `data_dir` that does not exist from the working directory is looked up under the
    project root (:func:`~wsisanalysis.reporting.runs.resolve_data_dir`).
    """
    return output_paths(resolve_data_dir(data_dir), kind)["clean"]


def load_clean(data_dir: str | Path, kind: str = "participation") -> pd.DataFrame:
    """Load ``<data_dir>/<kind>.parquet``, or raise an error that says how to make it."""
    path = clean_table_path(data_dir, kind)
    if not path.is_file():
        msg = (
            f"{path}: no clean {kind} table. Expected the folder written by "
            f"`wsisanalysis clean INPUT... --kind {kind} --out {data_dir}`; run it first or "
            "point the notebook's data_dir parameter at that folder."
        )
        raise InputFileError(msg)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        msg = f"{path}: cannot be read ({type(exc).__name__}: {exc}). Re-run `wsisanalysis clean`."
        raise InputFileError(msg) from None
    # the disclosure guard recounts published tables from these rows and audits tables of the
    # same clean data together: it needs to know which file they came from
    frame.attrs[DATASET_ATTR] = {"path": str(path.resolve()), "sha256": sha256(path)}
    return frame


def select_event(frame: pd.DataFrame, event: str = "all") -> pd.DataFrame:
    """Rows of one event (``"all"`` keeps every row); an unknown event lists the valid ones."""
    if event in ("", "all"):
        return frame
    if event not in set(frame["event"].dropna()):
        from wsisanalysis.errors import ParameterError

        valid = "; ".join(sorted(frame["event"].dropna().unique()))
        msg = f'No event named {event!r} in the data. Use "all" or one of: {valid}.'
        raise ParameterError(msg)
    return frame[frame["event"] == event]


def load_log(data_dir: str | Path, kind: str = "participation") -> dict:
    """Load the cleaning log ``<data_dir>/<kind>_cleaning.json``."""
    path = output_paths(resolve_data_dir(data_dir), kind)["log"]
    if not path.is_file():
        msg = f"{path}: no cleaning log. Run `wsisanalysis clean ... --kind {kind} --out {data_dir}` first."
        raise InputFileError(msg)
    return json.loads(path.read_text(encoding="utf-8"))


def is_demo(frame: pd.DataFrame) -> bool:
    """True when every row comes from the synthetic demo exports."""
    return bool(len(frame)) and frame["source"].astype(str).str.startswith(DEMO_PREFIX).all()


def data_source_note(frame: pd.DataFrame, data_dir: str | Path) -> Html:
    """A sentence for readers: where the data comes from, and whether it is synthetic."""
    files = sorted(frame["source"].astype(str).unique()) if len(frame) else []
    if is_demo(frame):
        text = (
            "<strong>Synthetic demo data.</strong> These figures come from the seeded demo exports "
            "written by <code>wsisanalysis demo</code>; they describe no real participants."
        )
    else:
        text = f"Data: {len(files)} export file(s) cleaned into <code>{html.escape(str(data_dir))}</code>."
    listed = ", ".join(html.escape(f) for f in files[:8]) + (" …" if len(files) > 8 else "")
    return Html(f'<p class="wsis-source">{text} Sources: {listed or "none"}.</p>')


def published_source_note() -> Html:
    """A sentence for readers of the public-benchmarks report: real published figures."""
    return Html(
        '<p class="wsis-source"><strong>Published figures.</strong> ICANN meeting attendance by region '
        "from ICANN's meeting blogs (ICANN70–80), IGF participation by stakeholder group and UN regional "
        "group from the IGF statistics pages (2008, 2022, 2025), baselines from the reference country "
        "table (World Bank population 2024, ITU internet use). These counts are already public and are "
        "shown unsuppressed. Sources and licences: data/README.md.</p>"
    )


@dataclass
class Html:
    """Raw HTML to display (already escaped where it holds user text)."""

    markup: str

    def _repr_html_(self) -> str:
        return self.markup


#: Column headers in plain words (a column not listed: its name with spaces, first letter capital).
COLUMN_LABELS = {
    "count": "Participants", "participants": "Participants", "rows": "Rows",
    "share": "Share of participants", "known_share": "Share of participants",
    "share_low": "Share, lower bound (95%)", "share_high": "Share, upper bound (95%)",
    "baseline_share": "Baseline share", "ratio": "Representation ratio",
    "impact_ratio": "Ratio to the best-represented", "under_represented": "Under-represented",
    "unstable": "Small base (unstable share)", "icann_region": "ICANN region",
    "un_regional_group": "UN regional group", "country_iso2": "Country", "iso2": "Country code",
    "iso3": "Country code", "name": "Country", "stakeholder_group": "Stakeholder group",
    "attendance_mode": "Attendance", "newcomer": "Newcomer", "activity_type": "Activity type",
    "ldc": "Least developed", "lldc": "Landlocked developing", "sids": "Small island developing",
    "countries_listed": "Countries listed", "countries_present": "Countries present",
    "start": "Date", "reach": "Reach (audience)", "share_pct": "Share (%)",
}  # fmt: skip
#: Columns whose values are vocabulary codes, shown by their display names.
CATEGORY_COLUMNS = frozenset({"icann_region", "stakeholder_group", "community", "topic",
    "activity_type", "attendance_mode", "attendance", "newcomer", "phase", "channel", "process", "gender", "role", "group",
    "reason", "method", "best candidates"})  # fmt: skip
#: Names of values that mean something else in one column (how a label was resolved).
COLUMN_VALUE_NAMES = {"method": {"none": "Not matched", "cctld": "ccTLD", "fuzzy": "Fuzzy match"}}
#: Columns whose values name a column of the clean tables (the data-quality pages).
COLUMN_NAME_COLUMNS = frozenset({"column"})
#: Columns holding text to copy as it is (a mapping line for the user's mapping file).
CODE_COLUMNS = frozenset({"add to mapping"})
#: Columns holding shares (0–1), shown as percentages with one decimal.
SHARE_COLUMNS = frozenset(
    {
        "share",
        "known_share",
        "share_low",
        "share_high",
        "baseline_share",
        "rate",
        "share_difference",
    }
)
#: Columns of years: no thousands separator.
YEAR_COLUMNS = frozenset({"year", "igf_year", "cohort_year"})
#: Tables longer than this are sortable and searchable, with a CSV download.
INTERACTIVE_ROWS = 15


def column_label(name: object) -> str:
    """A column header in plain words: ``"share"`` → ``"Share of participants"``."""
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if text in C.ICANN_REGION_NAMES:  # a table with one column per region
        return C.ICANN_REGION_NAMES[text]
    plain = text.replace("_", " ").strip()
    return plain[:1].upper() + plain[1:]


def _is_share(column: str) -> bool:
    return column in SHARE_COLUMNS or (
        column.startswith("share_") and column not in ("share_pct", "share_source")
    )


def _whole_columns(frame: pd.DataFrame) -> set[str]:
    """Columns of counts: every number in them is whole (a count with a hidden cell is float),
    and they are neither shares nor ratios (a ratio of exactly 1 still reads 1.00)."""
    out = set()
    for column in frame.columns:
        numbers = [v for v in frame[column] if isinstance(v, (int, float, np.integer, np.floating))
                   and not isinstance(v, (bool, np.bool_)) and pd.notna(v)]  # fmt: skip
        name = str(column)
        if (
            numbers
            and all(float(v).is_integer() for v in numbers)
            and not _is_share(name)
            and "ratio" not in name
        ):
            out.add(name)
    return out


def _number(
    value: float | np.integer | np.floating, column: str, *, whole: bool
) -> tuple[str, str]:
    """Years as they are, counts whole with separators, shares as %, ratios with 2 decimals."""
    if column in YEAR_COLUMNS:
        return str(int(value)), str(int(value))
    if isinstance(value, (int, np.integer)) or whole:
        return f"{int(value):,}", str(int(value))
    if _is_share(column):
        return f"{value * 100:.1f}%", f"{value * 100:.1f}%"
    if "ratio" in column:
        return f"{value:,.2f}", f"{value:.2f}"
    return f"{value:,.1f}", f"{value:.1f}"  # e.g. published percentages


def _text(value: object, column: str) -> str:
    """Vocabulary codes by their display names; hidden cells, code and free text as they are."""
    if value == HIDDEN_LABEL or column in CODE_COLUMNS:
        return str(value)
    if str(value) in COLUMN_VALUE_NAMES.get(column, {}):
        return COLUMN_VALUE_NAMES[column][str(value)]
    if column in COLUMN_NAME_COLUMNS:
        return column_label(value)
    return C.display_label(value, capital=True) if column in CATEGORY_COLUMNS else str(value)


def _period(value: pd.Period) -> tuple[str, str]:
    """A month as "March 2021" (downloaded as 2021-03), never as its first day; a year as 2021."""
    if value.freqstr.startswith("M"):
        return value.strftime("%B %Y"), value.strftime("%Y-%m")
    if value.freqstr.startswith(("Y", "A")):
        return value.strftime("%Y"), value.strftime("%Y")
    start = value.start_time
    return f"{start.day} {start:%b %Y}", f"{start:%Y-%m-%d}"


def _cell(value: object, column: str, *, whole: bool = False) -> tuple[str, str]:
    """A cell as (shown text, value for sorting and the CSV download) at the same precision."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "–", ""
    if isinstance(value, (bool, np.bool_)):
        return ("Yes", "Yes") if value else ("No", "No")
    if isinstance(value, pd.Period):  # a date known to the month only (ICANN meetings)
        return _period(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        stamp = pd.Timestamp(value)
        return f"{stamp.day} {stamp:%b %Y}", f"{stamp:%Y-%m-%d}"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number(value, column, whole=whole)
    if isinstance(value, (list, tuple, np.ndarray)):
        text = ", ".join(C.display_label(v, capital=True) for v in value)
        return text, text
    text = _text(value, column)
    return text, text


def _td(text: str, value: str, *, code: bool = False) -> str:
    """A cell; ``data-v`` (the value sorted on and downloaded) only where it differs from the text."""
    shown = (
        f"<code>{html.escape(text)}</code>"
        if code and text not in ("–", HIDDEN_LABEL)
        else html.escape(text)
    )
    if value == text:
        return f"<td>{shown}</td>"
    return f'<td data-v="{html.escape(value, quote=True)}">{shown}</td>'


def _format_cell(value: object, column: str) -> str:
    return _cell(value, column)[0]


def html_table(frame: pd.DataFrame, *, caption: str | None = None, max_rows: int = 60) -> Html:
    """Render a table as escaped HTML (user text such as organisation names stays text).

    Tables longer than :data:`INTERACTIVE_ROWS` show every row, sortable and searchable, with a
    CSV download of exactly the cells shown (see :mod:`wsisanalysis.reporting.interactive`).
    """
    interactive = len(frame) > INTERACTIVE_ROWS
    shown = frame if interactive else frame.head(max_rows)
    head = "".join(f"<th>{html.escape(column_label(c))}</th>" for c in frame.columns)
    rows, whole = [], _whole_columns(frame)
    for record in shown.itertuples(index=False):
        cells = (
            _cell(v, str(c), whole=str(c) in whole)
            for v, c in zip(record, frame.columns, strict=True)
        )
        rows.append(
            "<tr>"
            + "".join(
                _td(t, v, code=c in CODE_COLUMNS)
                for (t, v), c in zip(cells, frame.columns, strict=True)
            )
            + "</tr>"
        )
    more = ""
    if len(frame) > len(shown):
        more = f"<p>{len(frame) - len(shown):,} more rows not shown.</p>"
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = f'<table class="wsis-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    if interactive:
        return Html(interactive_table(table, caption or "table"))
    return Html(table + more)


#: Environment variable naming the output folder whose ledger the guard audits against
#: (the report runner sets it; default: the project's ``reports/``).
REPORTS_DIR_ENV = "WSISANALYSIS_REPORTS_DIR"


def ledger_path() -> Path:
    """The disclosure ledger of the output folder this run publishes into."""
    folder = os.environ.get(REPORTS_DIR_ENV)
    if folder:
        return Path(folder) / LEDGER_NAME
    from wsisanalysis.reporting.runs import project_root

    return project_root() / "reports" / LEDGER_NAME


def publish(table: pd.DataFrame, *, by: str | Sequence[str], source: pd.DataFrame | None = None,
            threshold: int = DEFAULT_THRESHOLD, count: str | None = "count",
            keys: Mapping[str, str] | None = None) -> PublishedTable:  # fmt: skip
    """The one way to put a count table on a page: suppress, audit, record in the ledger.

    `source` is the frame of records the table was computed from (rows of ``load_clean``'s
    table, filtered by event or host as the table was); with it, the table is audited together
    with every table already published into the output folder from the same clean data. `keys`
    maps a table column to the source column it groups by; a `by` column absent from the
    source whose values name true/false source columns (``ldc``, ``sids``) counts those.
    `count=None` publishes a table that counts no people.
    """
    columns = [by] if isinstance(by, str) else list(by)
    indicator = source is not None and any(
        c not in source and c not in (keys or {}) for c in columns
    )
    rules = Rules(count=count, threshold=threshold, keys=dict(keys or {}), indicator=indicator,
                  name="/".join(columns), run=_run())  # fmt: skip
    return snapshot_record(guard(table, columns, source=source, rules=rules,
                                 ledger=ledger_path() if source is not None else None))  # fmt: skip


def _run() -> Run | None:
    """The scheduled run this kernel executes (set by the report runner), else None."""
    from wsisanalysis.reporting import history

    name, started = os.environ.get(history.RUN_ENV), os.environ.get(history.STARTED_ENV)
    return Run(name, started) if name and started else None


def publish_aggregate(
    table: pd.DataFrame, *, by: str | Sequence[str], source: str
) -> PublishedTable:
    """Publish counts that are already public (e.g. ICANN meeting attendance), naming where."""
    return snapshot_record(published_aggregate(table, by, source))


def snapshot_record(table: PublishedTable, name: str | None = None) -> PublishedTable:
    """Record `table` (published values only) with the run's snapshot; return it unchanged.

    Only kernels started by the report runner record (see
    :func:`wsisanalysis.reporting.history.record_published`).
    """
    from wsisanalysis.reporting import history

    if os.environ.get(history.PUBLISHED_ENV):
        rows = json.loads(
            table.table.to_json(orient="records", date_format="iso", default_handler=str)
        )
        meta = {"by": list(table.by), "count": table.count, "threshold": table.threshold,
                "aggregate": table.aggregate, "withheld": table.withheld,
                "unresolved": list(table.unresolved)}  # fmt: skip
        history.record_published(name or table.name or "/".join(table.by), rows, meta)
    return table


def require_published(table: object, what: str) -> PublishedTable:
    """`table` if it went through :func:`publish`; otherwise an error saying how to publish it."""
    if not isinstance(table, PublishedTable):
        msg = (f"{what} accepts only a published table (wsisanalysis.reporting.publish); found "
               f"{type(table).__name__}. Pass the table through rp.publish(table, by=..., source=frame) first.")  # fmt: skip
        raise DisclosureError(msg)
    return table


def withheld_notice(table: PublishedTable) -> Html:
    """What a page shows in place of a table (or its chart) the audit withheld."""
    text = (
        "Withheld: this table cannot be shown without letting a reader work out counts of "
        f"fewer than {table.threshold} people from it and the other figures of this report."
    )
    return Html(f'<p class="wsis-legend wsis-withheld">{html.escape(text)}</p>')


def unless_withheld(draw: Callable[Concatenate[PublishedTable, P], R]) -> Callable[Concatenate[PublishedTable, P], R | Html]:
    """Wrap a chart or sentence function: a withheld table gives the withheld notice instead."""

    @functools.wraps(draw)
    def drawn(table: PublishedTable, *args: P.args, **kwargs: P.kwargs) -> R | Html:
        if isinstance(table, PublishedTable) and table.withheld:
            return withheld_notice(table)
        return draw(table, *args, **kwargs)

    return drawn


def show_table(table: PublishedTable, *, columns: Sequence[str] | None = None, caption: str | None = None,
               max_rows: int = 60) -> Html:  # fmt: skip
    """Show a published table: hidden cells as ``suppressed``, with the legend stating the threshold."""
    table = require_published(table, "show_table")
    if table.withheld:
        return withheld_notice(table)
    shown = table.table
    if columns is not None:
        shown = shown[list(columns)]
    text = shown.astype(object).where(shown.notna(), None)
    text = text.mask(table.hidden_cells[list(shown.columns)], HIDDEN_LABEL)
    note = f'<p class="wsis-legend">{html.escape(table.legend)}</p>'
    return Html(html_table(text, caption=caption, max_rows=max_rows).markup + note)


def sha256(path: str | Path) -> str:
    """SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str | None:
    """The current git commit of the working directory, if any."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def describe_inputs(paths: Sequence[str | Path]) -> list[dict]:
    """Name, SHA-256 and row count of each input file that exists."""
    out = []
    for path in map(Path, paths):
        if not path.is_file():
            continue
        rows = None
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(path).metadata.num_rows
        out.append({"file": path.name, "sha256": sha256(path), "rows": rows})
    return out


def run_details(parameters: Mapping[str, object], inputs: Sequence[str | Path] = ()) -> Html:
    """The small run-details table: parameters, inputs (checksums, rows), versions, time."""
    rows: list[tuple[str, str]] = [(f"parameter {k}", repr(v)) for k, v in parameters.items()]
    for item in describe_inputs(inputs):
        rows.append(
            (f"input {item['file']}", f"sha256 {item['sha256'][:16]}…, {item['rows']} rows")
        )
    rows += [
        ("wsisanalysis", __version__),
        ("pandas", pd.__version__),
        ("python", platform.python_version()),
        ("git commit", git_commit() or "n/a"),
        ("run at (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
    ]
    table = html_table(pd.DataFrame(rows, columns=["item", "value"]), caption="Run details")
    # for whoever checks how the page was made, not for readers: collapsed, at the page's end
    return Html(
        '<details class="wsis-run-details"><summary>How this page was made (parameters, '
        f"inputs, versions)</summary>{table.markup}</details>"
    )
