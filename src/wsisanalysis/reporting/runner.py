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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from wsisanalysis._version import __version__
from wsisanalysis.errors import WsisAnalysisError
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
from wsisanalysis.reporting.tables import REPORTS_DIR_ENV, describe_inputs

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
    folder = parameters.get("data_dir")
    if not folder:
        return []
    path = Path(str(folder))
    path = path if path.is_absolute() else root / path
    return describe_inputs(sorted(path.glob("*.parquet"))) if path.is_dir() else []


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
        "inputs": _inputs(parameters, root),
        "versions": _versions(),
        "started_utc": started.isoformat(timespec="seconds"),
        "executed_notebook": str(executed.relative_to(out_dir)),
    }
    try:
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
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _execute_all(
    planned: list[tuple[Run, dict]],
    workers: int,
    out: Path,
    root: Path,
    say: Callable[[str], None],
) -> list[dict]:
    """Execute the planned runs on `workers` threads, reporting each as it ends."""
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
    return results


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
    workers = max(1, min(jobs or min(2, os.cpu_count() or 1), len(planned)))
    say = (lambda text: print(text, flush=True)) if echo else (lambda text: None)  # noqa: T201
    say(f"running {len(planned)} report(s) with {workers} worker(s) -> {out}")
    # kernels inherit it: the disclosure guard audits against the ledger of this output folder
    before, os.environ[REPORTS_DIR_ENV] = os.environ.get(REPORTS_DIR_ENV), str(out)
    try:
        results = _execute_all(planned, workers, out, root, say)
    finally:
        if before is None:
            os.environ.pop(REPORTS_DIR_ENV, None)
        else:
            os.environ[REPORTS_DIR_ENV] = before
    index = write_index(out)
    failed = [m for m in results if m["status"] != "ok"]
    say(f"index: {index}")
    if failed:
        names = ", ".join(m["run"] for m in failed)
        message = f"error: {len(failed)} run(s) failed: {names}. Executed notebooks are kept in {out / 'executed'}."
        print(message, file=sys.stderr)  # noqa: T201 - the command's own output
        return 1
    return 0
