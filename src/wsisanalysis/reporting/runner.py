"""``wsisanalysis report``: execute notebooks with papermill, export HTML, write manifests and
the index. A failed run keeps its executed notebook for debugging, leaves the last good HTML of
that run in place, is marked failed in the index, and makes the command exit non-zero after the
other runs have finished.
"""

from __future__ import annotations

import html
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from wsisanalysis._version import __version__
from wsisanalysis.errors import ParameterError, WsisAnalysisError
from wsisanalysis.reporting.export import export_html
from wsisanalysis.reporting.runs import (
    RUNS_FILE,
    Run,
    check_parameters,
    load_runs,
    project_root,
    read_params_file,
    select_runs,
)
from wsisanalysis.reporting.tables import describe_inputs
from wsisanalysis.write import write_text

logger = logging.getLogger(__name__)
_VERSIONS = (
    "wsisanalysis",
    "pandas",
    "numpy",
    "pyarrow",
    "plotly",
    "papermill",
    "nbconvert",
    "scipy",
)


def _versions() -> dict[str, str]:
    out = {}
    for name in _VERSIONS:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["python"] = sys.version.split()[0]
    return out


def _inputs(parameters: Mapping[str, object], root: Path) -> list[dict]:
    """Checksums and row counts of the run's data files; a missing `data_dir` is an error.

    Called inside the run's own failure handling: a missing folder fails this run only. A file
    that cannot be read (an unrelated backup, say) is listed with its error, not fatal here.
    """
    folder = parameters.get("data_dir")
    if not folder:
        return []
    path = Path(str(folder))
    path = path if path.is_absolute() else root / path
    if not path.is_dir():
        msg = f"data_dir {path} is not a folder. Run `wsisanalysis clean --out {folder}` first, or pass -p data_dir DIR."
        raise WsisAnalysisError(msg)
    out = []
    for file in sorted(path.glob("*.parquet")):
        try:
            out.extend(describe_inputs([file]))
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
            out.append({"file": file.name, "error": f"{type(exc).__name__}: {exc}"})
    return out


#: Allowed values of parameters the notebooks share, checked before any kernel starts.
_CHOICES = {
    "kind": ("participation", "engagement"),
    "baseline": ("countries", "un_members", "population", "internet_users"),
    "freq": ("MS", "W-MON"),
}
_MINIMUM = {"threshold": 1, "top_labels": 0, "window_days": 0, "igf_year": 1900}


def _value_problems(name: str, value: object) -> list[str]:
    if name in _MINIMUM:
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{name} must be a whole number; got {value!r}"]
        if value < _MINIMUM[name]:
            return [f"{name} must be >= {_MINIMUM[name]}; got {value}"]
    if name in _CHOICES and value not in _CHOICES[name]:
        return [f"{name} must be one of {', '.join(_CHOICES[name])}; got {value!r}"]
    if name == "host_country" and value != "":
        from wsisanalysis.reference import reference_countries

        if not isinstance(value, str) or value.upper() not in set(reference_countries()["iso2"]):
            return [
                f"host_country must be an ISO 3166-1 alpha-2 code (e.g. NO) or ''; got {value!r}"
            ]
    if name in ("data_dir", "event", "since") and not isinstance(value, str):
        return [f"{name} must be text; got {value!r}"]
    return []


def validate_values(run: Run, parameters: Mapping[str, object]) -> None:
    """Check parameter values by type and range; one error listing every problem.

    ``threshold`` 0, negative or ``true`` would switch suppression off: refused.
    """
    problems = [p for name, value in parameters.items() for p in _value_problems(name, value)]
    if problems:
        msg = f"{run.name}: invalid parameters: " + "; ".join(problems) + ". Fix them and re-run."
        raise ParameterError(msg)


def _check_event(parameters: Mapping[str, object], root: Path) -> None:
    """An `event` other than "all" must be an event of the clean table (before the kernel)."""
    event = parameters.get("event")
    if event in (None, "", "all") or not parameters.get("data_dir"):
        return
    folder = Path(str(parameters["data_dir"]))
    table = (folder if folder.is_absolute() else root / folder) / "participation.parquet"
    import pyarrow.parquet as pq

    events = set(pq.read_table(table, columns=["event"]).column("event").to_pylist())
    if event not in events:
        shown = ", ".join(sorted(map(repr, events - {None}))[:10])
        msg = f"event {event!r} is not in {table.name}. Events there: {shown}."
        raise ParameterError(msg)


def execute_run(run: Run, parameters: Mapping[str, object], out_dir: Path, root: Path) -> dict:
    """Execute one run and export it; return its manifest (status ``ok`` or ``failed``)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = out_dir / "executed" / f"{run.name}.ipynb"
    html_path = out_dir / "html" / f"{run.name}.html"
    manifest_path = out_dir / "manifests" / f"{run.name}.json"
    for folder in (executed.parent, html_path.parent, manifest_path.parent):
        folder.mkdir(parents=True, exist_ok=True)
    previous = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    started = datetime.now(UTC)
    clock = time.perf_counter()
    manifest: dict = {
        "run": run.name,
        "notebook": str(
            run.notebook.relative_to(root) if run.notebook.is_relative_to(root) else run.notebook
        ),
        "slug": run.slug,
        "parameters": dict(parameters),
        "inputs": [],
        "versions": _versions(),
        "started_utc": started.isoformat(timespec="seconds"),
        "executed_notebook": str(executed.relative_to(out_dir)),
    }
    try:
        manifest["inputs"] = _inputs(parameters, root)
        _check_event(parameters, root)
        papermill.execute_notebook(
            str(run.notebook), str(executed), parameters=dict(parameters), kernel_name="python3",
            cwd=str(root), progress_bar=False, log_output=False, report_mode=True,
        )  # fmt: skip
        export_html(executed, html_path, title=f"{run.stem} ({run.slug})")
        manifest.update(status="ok", html=str(html_path.relative_to(out_dir)), html_bytes=html_path.stat().st_size,
                        last_success_utc=started.isoformat(timespec="seconds"))  # fmt: skip
    except PapermillExecutionError as exc:
        manifest.update(
            status="failed", error=f"{exc.ename}: {exc.evalue}", failed_cell=exc.exec_count
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded; the other runs go on
        manifest.update(status="failed", error=f"{type(exc).__name__}: {exc}")
        logger.debug("run %s failed:\n%s", run.name, traceback.format_exc())
    # a failed run: the last good snapshot (if any) stays where it was and stays linked
    if manifest["status"] == "failed" and html_path.is_file() and previous.get("last_success_utc"):
        manifest["html"] = str(html_path.relative_to(out_dir))
        manifest["last_success_utc"] = previous["last_success_utc"]
    manifest["duration_s"] = round(time.perf_counter() - clock, 2)
    tmp = manifest_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(manifest_path)
    return manifest


def write_index(out_dir: Path) -> Path:
    """Regenerate ``index.html`` from every manifest in ``out_dir/manifests``."""
    manifests = [json.loads(p.read_text()) for p in sorted((out_dir / "manifests").glob("*.json"))]
    rows = []
    for m in manifests:
        status = m.get("status", "?")
        link = (
            f'<a href="{html.escape(m["html"])}">{html.escape(m["run"])}</a>'
            if m.get("html")
            else html.escape(m["run"])
        )
        params = ", ".join(
            f"{html.escape(str(k))}={html.escape(repr(v))}"
            for k, v in m.get("parameters", {}).items()
        )
        note = ""
        if status == "failed":
            note = (f'<br><small>{html.escape(m.get("error", ""))} — executed notebook kept at '
                    f'<code>{html.escape(m.get("executed_notebook", ""))}</code>'
                    + (f'; showing the last good snapshot of {html.escape(m["last_success_utc"])}' if m.get("last_success_utc") else "")
                    + "</small>")  # fmt: skip
        rows.append(
            f'<tr class="{html.escape(status)}"><td>{link}{note}</td><td>{html.escape(m.get("started_utc", ""))}</td>'
            f"<td>{params}</td><td><strong>{html.escape(status)}</strong></td><td>{m.get('duration_s', '')} s</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>wsisanalysis reports</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}}
tr.failed td{{background:#fdecea}}</style></head>
<body><h1>wsisanalysis reports</h1>
<p>Snapshots of the WSIS+20 participation and engagement reports. Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by wsisanalysis {__version__}.</p>
<table><thead><tr><th>report</th><th>run at (UTC)</th><th>parameters</th><th>status</th><th>duration</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></body></html>
"""
    return write_text(out_dir / "index.html", page)  # atomic: a killed run leaves the old index


def run_reports(  # noqa: PLR0913 - listed in tests/test_architecture.py
    notebooks: Sequence[str] = (),
    *,
    run_all: bool = False,
    parameters: Sequence[Sequence[str]] | Mapping[str, object] = (),
    params_file: str | Path | None = None,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    runs_file: str | Path | None = None,
    echo: bool = True,
) -> int:
    """Run the selected reports; return 0 when every run succeeded, 1 otherwise."""
    root = project_root(Path(runs_file).parent.parent if runs_file else None)
    runs_path = Path(runs_file) if runs_file else root / RUNS_FILE
    runs = load_runs(runs_path)
    selected = runs if run_all else select_runs(runs, notebooks, root)
    if not selected:
        msg = f"{runs_path}: no runs to execute."
        raise WsisAnalysisError(msg)
    overrides: dict[str, object] = dict(read_params_file(params_file)) if params_file else {}
    pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
    overrides.update({str(k): v for k, v in pairs})  # a mapping, or (name, value) pairs from -p
    out = Path(out_dir) if out_dir else root / "reports"
    out = out if out.is_absolute() else Path.cwd() / out
    planned = [
        (run, check_parameters(run.notebook, {**run.parameters, **overrides})) for run in selected
    ]
    for run, params in planned:  # every run checked before any kernel starts
        validate_values(run, params)
    workers = max(1, min(jobs or min(2, os.cpu_count() or 1), len(planned)))
    say = (lambda text: print(text, flush=True)) if echo else (lambda text: None)  # noqa: T201
    say(f"running {len(planned)} report(s) with {workers} worker(s) -> {out}")
    results = []
    with ThreadPoolExecutor(max_workers=workers) as pool:

        def start(run: Run, params: dict) -> dict:
            say(f"  started {run.name}")
            return execute_run(run, params, out, root)

        futures = {pool.submit(start, run, params): run for run, params in planned}
        for i, future in enumerate(as_completed(futures), start=1):
            m = future.result()
            results.append(m)
            detail = f"-> {m['html']}" if m["status"] == "ok" else f"FAILED: {m.get('error', '')}"
            say(f"[{i}/{len(planned)}] {m['run']}: {m['status']} in {m['duration_s']} s {detail}")
    index = write_index(out)
    failed = [m for m in results if m["status"] != "ok"]
    say(f"index: {index}")
    if failed:
        names = ", ".join(m["run"] for m in failed)
        message = f"error: {len(failed)} run(s) failed: {names}. Executed notebooks are kept in {out / 'executed'}."
        print(message, file=sys.stderr)  # noqa: T201 - the command's own output
        return 1
    return 0
