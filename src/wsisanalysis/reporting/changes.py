"""What changed since the previous successful snapshot of the same run (issue #15).

The headline figures of a page (participants, countries represented, regions' shares, newly
and no longer represented countries, LDC/LLDC/SIDS coverage) are published through the
disclosure guard and recorded with the snapshot. The previous snapshot's figures are read
back from what it published (its ``published.jsonl``), never recomputed from old data, and
compared under the guard's rules:

- a change in a count of people is itself a count of people: it is shown only when the count
  was published in both snapshots and the change is 0 or at least the threshold, else it is
  ``suppressed``; a change of a hidden cell stays hidden;
- a newly represented country is named only when its count is published now; a country no
  longer represented only when its count was published before;
- the input data's change (files, rows, checksums) says whether a change is in the world or
  in the data.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wsisanalysis import metrics
from wsisanalysis import schema as C
from wsisanalysis.metrics.disclosure import DEFAULT_THRESHOLD, HIDDEN_LABEL, PublishedTable
from wsisanalysis.reporting import history
from wsisanalysis.reporting.runs import resolve_data_dir
from wsisanalysis.reporting.tables import (
    Html,
    describe_inputs,
    html_table,
    publish,
    snapshot_record,
)

#: Names of the headline tables in a snapshot's ``published.jsonl``.
REGIONS, COUNTRIES, DEVELOPMENT = "headline:regions", "headline:countries", "headline:development"
#: The input files (name, SHA-256, rows) the page read, as recorded with its snapshot.
INPUTS = "inputs"


@dataclass(frozen=True)
class Headline:
    """The published headline figures of one snapshot (``None``: hidden by the guard)."""

    participants: int | None = None
    regions: Mapping[str, float | None] = field(default_factory=dict)
    region_counts: Mapping[str, int | None] = field(default_factory=dict)
    countries: Mapping[str, int | None] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    development: Mapping[str, tuple[str, int | None, int | None]] = field(default_factory=dict)


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def _int(value: object) -> int | None:
    number = _number(value)
    return None if number is None else round(number)


def headline_of(tables: Mapping[str, Mapping[str, Any]]) -> Headline:
    """The headline figures in published tables as recorded (name -> ``{"rows": [...]}``).

    >>> rows = [{"icann_region": "AF", "count": None, "total": 40, "share": None},
    ...         {"icann_region": "EU", "count": 30, "total": 40, "share": 0.75}]
    >>> h = headline_of({REGIONS: {"rows": rows}})
    >>> h.participants, dict(h.regions)
    (40, {'AF': None, 'EU': 0.75})
    """
    regions = list(tables.get(REGIONS, {}).get("rows", []))
    totals = {_int(r.get("total")) for r in regions}
    countries = list(tables.get(COUNTRIES, {}).get("rows", []))
    development = list(tables.get(DEVELOPMENT, {}).get("rows", []))
    return Headline(
        participants=totals.pop() if len(totals) == 1 else None,
        regions={str(r["icann_region"]): _number(r.get("share")) for r in regions},
        region_counts={str(r["icann_region"]): _int(r.get("count")) for r in regions},
        countries={str(r["iso2"]): _int(r.get("count")) for r in countries},
        names={str(r["iso2"]): str(r.get("name") or r["iso2"]) for r in countries},
        development={
            str(r["flag"]): (
                str(r["group"]),
                _int(r.get("countries_present")),
                _int(r.get("count")),
            )
            for r in development
        },
    )


def people_change(before: int | None, now: int | None, threshold: int) -> str:
    """The change in a count of people, or ``suppressed`` where it would disclose.

    >>> people_change(40, 52, 5), people_change(40, 42, 5), people_change(None, 52, 5)
    ('+12', 'suppressed', 'suppressed')
    >>> people_change(40, 40, 5)
    '0'
    """
    if before is None or now is None:
        return HIDDEN_LABEL
    change = now - before
    if change != 0 and abs(change) < threshold:
        return HIDDEN_LABEL
    return signed(change)


def points(change: float) -> str:
    """A change in a share, in percentage points (none reads as such, not as "+0.0").

    >>> points(0.0123), points(-0.05), points(0.00001)
    ('+1.2 points', '-5.0 points', '0.0 points')
    """
    text = f"{change * 100:+.1f}"
    return f"{'0.0' if float(text) == 0 else text} points"


def signed(change: int) -> str:
    """A change in a count, signed ("0" when none).

    >>> signed(1204), signed(-3), signed(0)
    ('+1,204', '-3', '0')
    """
    return f"{change:+,d}" if change else "0"


def _shown(value: int | None) -> str:
    return HIDDEN_LABEL if value is None else f"{value:,}"


def compare(before: Headline, now: Headline, threshold: int = DEFAULT_THRESHOLD, *,
            what: str = "Participants") -> pd.DataFrame:  # fmt: skip
    """The headline figures now and their change since `before` (text, ready to show).

    Only published figures are used; see the module docstring for the rules.
    """
    rows = [(what, _shown(now.participants),
             people_change(before.participants, now.participants, threshold))]  # fmt: skip
    present_before, present_now = set(before.countries), set(now.countries)
    rows.append(("Countries represented", f"{len(present_now)}",
                 signed(len(present_now) - len(present_before))))  # fmt: skip
    for region in sorted(set(before.regions) | set(now.regions)):
        old, new = before.regions.get(region), now.regions.get(region)
        people = people_change(
            before.region_counts.get(region), now.region_counts.get(region), threshold
        )
        # a share's change gives the region's count change away: shown under the same rule
        hidden = old is None or new is None or (people == HIDDEN_LABEL and bool(now.region_counts))
        change = HIDDEN_LABEL if hidden else points(new - old)  # type: ignore[operator]
        rows.append(
            (
                f"Share from {C.display_label(region, capital=True)}",
                HIDDEN_LABEL if new is None else f"{new * 100:.1f}%",
                change,
            )
        )
    newly = sorted(c for c in present_now - present_before if now.countries[c] is not None)
    gone = sorted(c for c in present_before - present_now if before.countries[c] is not None)
    rows.append(
        ("Newly represented", _names(newly, now.names) or "none named", f"{len(newly)} named")
    )
    rows.append(
        ("No longer represented", _names(gone, before.names) or "none named", f"{len(gone)} named")
    )
    for flag, (group, countries, members) in now.development.items():
        earlier = before.development.get(flag)
        rows.append((f"{group}: countries present", _shown(countries),
                     signed(countries - earlier[1]) if earlier and countries is not None and earlier[1] is not None
                     else HIDDEN_LABEL))  # fmt: skip
        rows.append((f"{group}: {what.lower()}", _shown(members),
                     people_change(earlier[2] if earlier else None, members, threshold)))  # fmt: skip
    return pd.DataFrame(rows, columns=["figure", "now", "change"])


def _names(codes: Sequence[str], names: Mapping[str, str]) -> str:
    return ", ".join(f"{names.get(c, c)} ({c})" for c in codes)


def headline_tables(
    frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD
) -> dict[str, PublishedTable]:
    """Publish the headline tables of `frame` (rows of a clean table) through the guard."""
    return {
        REGIONS: publish(metrics.coverage(frame, "icann_region"), by="icann_region", source=frame,
                         threshold=threshold),
        COUNTRIES: publish(metrics.country_counts(frame), by=["icann_region", "un_regional_group", "iso2"],
                           source=frame, threshold=threshold, keys={"iso2": "country_iso2"}),
        DEVELOPMENT: publish(metrics.development_coverage(frame), by="flag", source=frame,
                             threshold=threshold),
    }  # fmt: skip


def recorded(table: PublishedTable) -> dict[str, Any]:
    """A published table as a snapshot records it: rows of published values, hidden as null."""
    rows = json.loads(
        table.table.to_json(orient="records", date_format="iso", default_handler=str)
    )
    return {"rows": rows}


@dataclass(frozen=True)
class Previous:
    """The run's previous successful history entry and the tables its snapshot published."""

    entry: Mapping[str, Any] | None
    tables: Mapping[str, Mapping[str, Any]]
    kept: bool


def previous_snapshot() -> Previous | None:
    """The previous successful snapshot of the run this kernel executes (None outside a run)."""
    out, run = os.environ.get("WSISANALYSIS_REPORTS_DIR"), os.environ.get(history.RUN_ENV)
    if not out or not run:
        return None
    started = os.environ.get(history.STARTED_ENV, "9999")
    entry = history.previous_success(history.read_history(Path(out)), run, before=started)
    folder = history.snapshot_of(Path(out), entry) if entry else None
    tables = history.read_published(folder / history.PUBLISHED) if folder else {}
    return Previous(entry, tables, folder is not None)


def _day(iso: object) -> str:
    stamp = pd.Timestamp(str(iso))
    return f"{stamp.day} {stamp:%B %Y, %H:%M} UTC"


def _data_verdict(changes: Sequence[Mapping[str, Any]], what_data: str = "input data") -> str:
    moved = [c for c in changes if c["change"] != "unchanged"]
    if not moved:
        return (f"The {what_data} is the same (same files, same checksums): any change below comes from "
                "the code or the parameters, not from participation.")  # fmt: skip
    return (f"The {what_data} changed ({len(moved)} of {len(changes)} file(s) added, removed or changed): "
            "the changes below may be in the data (new exports, corrections), not only in participation.")  # fmt: skip


def _inputs_table(changes: Sequence[Mapping[str, Any]], what_data: str = "input data") -> Html:
    rows = [{"file": c["file"], "change": c["change"], "rows before": _text(c["rows_before"]),
             "rows now": _text(c["rows_now"])} for c in changes]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["file", "change", "rows before", "rows now"])
    return html_table(
        frame, caption=f"{what_data[0].upper()}{what_data[1:]} since the previous snapshot"
    )


def _text(value: object) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def render(previous: Previous | None, now: Headline, inputs: Sequence[Mapping[str, Any]],
           threshold: int = DEFAULT_THRESHOLD, what: str = "Participants") -> Html:  # fmt: skip
    """The "what changed" section: headline changes, then the input data's change."""
    legend = (f"A change in a count of people is shown only when the count was published in both "
              f"snapshots and the change is 0 or at least {threshold}; otherwise it is {HIDDEN_LABEL}. "
              "Countries are named only where their count is published.")  # fmt: skip
    return section(previous, inputs, lambda tables: compare(headline_of(tables), now, threshold, what=what),
                   legend)  # fmt: skip


def section(
    previous: Previous | None,
    inputs: Sequence[Mapping[str, Any]],
    figures: Callable[[Mapping[str, Mapping[str, Any]]], pd.DataFrame],
    legend: str,
    *,
    what_data: str = "input data",
) -> Html:
    """A "what changed" section: `figures` of the previous snapshot's published tables (a
    table of figure, now, change), its `legend`, then how the inputs changed."""
    head = '<section class="wsis-changes"><h2>What changed since the previous snapshot</h2>'
    if previous is None:
        note = "This page was not made by <code>wsisanalysis report</code>: there is no earlier snapshot to compare with."
        return Html(f"{head}<p>{note}</p></section>")
    if previous.entry is None:
        return Html(
            f"{head}<p>This is the first successful snapshot of this page: nothing to compare with yet.</p></section>"
        )
    when = _day(previous.entry.get("started_utc"))
    if not previous.kept:
        return Html(f"{head}<p>The previous snapshot ({html.escape(when)}) is no longer kept (retention "
                    "setting): no comparison.</p></section>")  # fmt: skip
    before = previous.tables.get(INPUTS, {}).get("rows", previous.entry.get("inputs", []))
    changes = history.input_changes({"inputs": before}, {"inputs": list(inputs)})
    table = html_table(
        figures(previous.tables), caption=f"Headline figures now and their change since {when}"
    )
    verdict = html.escape(_data_verdict(changes, what_data))
    return Html(f"{head}<p>Compared with the snapshot of {html.escape(when)}. {verdict}</p>{table.markup}"
                f'<p class="wsis-legend">{html.escape(legend)}</p>'
                f"{_inputs_table(changes, what_data).markup}</section>")  # fmt: skip


def what_changed(
    frame: pd.DataFrame,
    data_dir: str | Path,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    what: str = "Participants",
) -> Html:
    """The page's "what changed" section (one notebook cell): publish the headline tables of
    `frame` through the guard, record them with the snapshot, compare with the previous
    successful snapshot of the same run as it was published."""
    tables = headline_tables(frame, threshold)
    for name, table in tables.items():
        snapshot_record(table, name)
    saved = {name: recorded(table) for name, table in tables.items()}
    inputs = describe_inputs(sorted(resolve_data_dir(data_dir).glob("*.parquet")))
    history.record_published(INPUTS, inputs, {"count": None})
    return render(previous_snapshot(), headline_of(saved), inputs, threshold, what)
