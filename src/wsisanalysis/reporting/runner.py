"""``wsisanalysis report``: execute notebooks with papermill, export HTML, write manifests and
the index. A failed run keeps its executed notebook for debugging, leaves the last good HTML of
that run in place, is marked failed in the index, and makes the command exit non-zero after the
other runs have finished.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from wsisanalysis.errors import ParameterError, WsisAnalysisError
from wsisanalysis.reporting import history
from wsisanalysis.reporting.export import export_html, rebase_links
from wsisanalysis.reporting.index import page_facts, write_index
from wsisanalysis.reporting.pdf import find_chromium, write_pdfs
from wsisanalysis.reporting.runs import (
    RUNS_FILE,
    Run,
    load_runs,
    plan_runs,
    project_root,
    read_params_file,
    select_runs,
)
from wsisanalysis.reporting.staging import report_lock, staged_notebook
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


@dataclass
class ReportSummary:
    """What ``run_reports`` did: one manifest per run, the index page, the time it took."""

    out_dir: Path
    index: Path
    manifests: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict]:
        """The manifests of the runs that failed."""
        return [m for m in self.manifests if m["status"] != "ok"]

    @property
    def ok(self) -> bool:
        """Whether every run succeeded."""
        return not self.failed


def _kernel_manager_class(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> type:
    """jupyter_client's kernel manager over IPC (Unix sockets in the Jupyter runtime folder).

    Over TCP (the default) ipykernel 7 warns on every start that traffic is unencrypted;
    a local kernel needs no network port at all, so IPC is both quieter and safer. Each
    kernel gets its own socket name: the default (``kernel-ipc`` in the working folder) is
    shared by parallel runs, whose kernels would then read each other's messages. At
    shutdown jupyter_client first sends SIGINT, which a kernel still handling a message logs
    as "KeyboardInterrupt caught in kernel"; a finished notebook has nothing to interrupt.
    `env` is added to this kernel's environment only (runs in parallel threads each tell their
    own kernel which run it executes). The kernel starts in `cwd`: papermill's own ``cwd``
    changes the working directory of the whole process while the notebook runs, which parallel
    runs undo and redo in any order, and which could leave the caller in another folder.
    """
    extra = dict(env or {})
    import uuid

    from jupyter_client import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import CaselessStrEnum

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        def _ip_default(self) -> str:
            if self.transport != "ipc":
                return str(super()._ip_default())
            folder = Path(jupyter_runtime_dir())
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return str(folder / f"wsisanalysis-{uuid.uuid4().hex[:12]}-ipc")

        async def _async_pre_start_kernel(self, **kw: object) -> tuple[list[str], dict]:
            kw["env"] = {**dict(kw.get("env") or os.environ), **extra}  # type: ignore[call-overload]
            if cwd is not None and not kw.get("cwd"):
                kw["cwd"] = str(cwd)
            return await super()._async_pre_start_kernel(**kw)  # type: ignore[arg-type]

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return IPCKernelManager


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


def execute_run(run: Run, parameters: Mapping[str, object], out_dir: Path, root: Path, *,
                shared_assets: bool = False, keep: int | None = None) -> dict:  # fmt: skip
    """Execute one run and export it; return its manifest (status ``ok`` or ``failed``).

    With ``shared_assets`` the page links one copy of plotly.js in ``out_dir/assets``. Every
    run is appended to the history; a successful one is also kept as a dated snapshot (page,
    manifest, published tables), and with `keep` only the newest `keep` snapshots of this run
    stay.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = out_dir / "executed" / f"{run.name}.ipynb"
    html_path = out_dir / "html" / f"{run.name}.html"
    manifest_path = out_dir / "manifests" / f"{run.name}.json"
    for folder in (executed.parent, html_path.parent, manifest_path.parent):
        folder.mkdir(parents=True, exist_ok=True)
    previous = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    started = datetime.now(UTC).replace(microsecond=0)
    published, partial, env = _kernel_env(run.name, out_dir, started)
    clock = time.perf_counter()
    manifest = _new_manifest(run, parameters, root, started, str(executed.relative_to(out_dir)))
    try:
        manifest["inputs"] = _inputs(parameters, root)
        _check_event(parameters, root)
        with staged_notebook(executed) as scratch:  # a name of this run's own, then renamed
            papermill.execute_notebook(
                str(run.notebook), str(scratch), parameters=dict(parameters), kernel_name="python3",
                progress_bar=False, log_output=False, report_mode=True,
                kernel_manager_class=_kernel_manager_class(env, cwd=root),
            )  # fmt: skip
        export_html(executed, html_path, title=str(manifest["title"]), index=out_dir / "index.html",
                    shared_assets=out_dir / "assets" if shared_assets else None)  # fmt: skip
        partial.touch()  # a page that published nothing still has its (empty) record
        partial.replace(published)
        manifest.update(status="ok", html=str(html_path.relative_to(out_dir)), html_bytes=html_path.stat().st_size,
                        last_success_utc=started.isoformat(timespec="seconds"),
                        published=str(published.relative_to(out_dir)))  # fmt: skip
    except PapermillExecutionError as exc:
        manifest.update(
            status="failed", error=f"{exc.ename}: {exc.evalue}", failed_cell=exc.exec_count
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded; the other runs go on
        manifest.update(status="failed", error=f"{type(exc).__name__}: {exc}")
        logger.debug("run %s failed:\n%s", run.name, traceback.format_exc())
    _keep_last_good(manifest, previous, html_path, out_dir)
    partial.unlink(missing_ok=True)
    manifest["duration_s"] = round(time.perf_counter() - clock, 2)
    _remember(run.name, manifest, out_dir, started, keep)
    tmp = manifest_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(manifest_path)
    return manifest


def _new_manifest(run: Run, parameters: Mapping[str, object], root: Path, started: datetime,
                  executed: str) -> dict:  # fmt: skip
    """The manifest of a run before it executes (status and outputs are added after)."""
    notebook = (
        run.notebook.relative_to(root) if run.notebook.is_relative_to(root) else run.notebook
    )
    return {"run": run.name, "notebook": str(notebook), "slug": run.slug, "parameters": dict(parameters),
            "inputs": [], "versions": _versions(), "started_utc": started.isoformat(timespec="seconds"),
            "executed_notebook": executed, **page_facts(run.notebook, parameters, root)}  # fmt: skip


def _kernel_env(name: str, out_dir: Path, started: datetime) -> tuple[Path, Path, dict[str, str]]:
    """Where the run's published tables go (stable path, scratch path the kernel writes) and
    the environment telling its kernel which run it executes."""
    published = out_dir / "published" / f"{name}.jsonl"
    partial = published.with_name(f".{name}.partial.jsonl")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.unlink(missing_ok=True)
    env = {history.RUN_ENV: name, history.STARTED_ENV: started.isoformat(),
           history.PUBLISHED_ENV: str(partial)}  # fmt: skip
    return published, partial, env


def _keep_last_good(manifest: dict, previous: Mapping, html_path: Path, out_dir: Path) -> None:
    """A failed run: the last good page (if any) stays where it was and stays linked."""
    if manifest["status"] == "failed" and html_path.is_file() and previous.get("last_success_utc"):
        manifest["html"] = str(html_path.relative_to(out_dir))
        manifest["last_success_utc"] = previous["last_success_utc"]


def _remember(
    name: str, manifest: dict, out_dir: Path, started: datetime, keep: int | None
) -> None:
    """Keep a successful run as a dated snapshot, record every run in the history, apply
    retention to this run's snapshots only. The snapshot's manifest names its own folder.

    A snapshot that cannot be kept (a full disk, a snapshot of the same second) does not undo
    the run: its page is written, the history line says why there is no snapshot.
    """
    if manifest["status"] == "ok":
        try:
            _keep_snapshot(name, manifest, out_dir, started)
        except (WsisAnalysisError, OSError) as exc:
            manifest.pop("snapshot", None)
            manifest["snapshot_error"] = f"{type(exc).__name__}: {exc}"
            logger.warning("run %s: no snapshot kept: %s", name, exc)
    history.append_history(out_dir, manifest)
    if keep is not None:
        for path in history.apply_retention(out_dir, name, keep):
            logger.info("retention: deleted snapshot %s", path)


def _keep_snapshot(name: str, manifest: dict, out_dir: Path, started: datetime) -> None:
    """Copy the run's page (links rebased), manifest and published tables to its snapshot."""
    folder = history.SNAPSHOTS + "/" + name + "/" + history.snapshot_stamp(started)
    manifest["snapshot"] = folder
    scratch = out_dir / "manifests" / f".{name}.snapshot.json"
    scratch.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    page = _snapshot_page(out_dir / str(manifest["html"]), out_dir / folder)
    files = {history.PAGE: page, history.MANIFEST: scratch,
             history.PUBLISHED: out_dir / str(manifest["published"])}  # fmt: skip
    try:
        history.keep_snapshot(out_dir, name, started, files)
    finally:
        scratch.unlink()
        page.unlink()


def _snapshot_page(page: Path, folder: Path) -> Path:
    """A scratch copy of `page` whose links (index, shared plotly.js, other pages) work from the
    snapshot `folder`, three levels below the output folder."""
    scratch = page.with_name(f".{page.stem}.snapshot.html")
    markup = rebase_links(page.read_text(encoding="utf-8"), page.parent, folder)
    scratch.write_text(markup, encoding="utf-8")
    return scratch


def _plan(notebooks: Sequence[str], run_all: bool, parameters: Sequence[Sequence[str]] | Mapping[str, object],
          params_file: str | Path | None, runs_file: str | Path | None, slug: str | None) -> tuple[Path, list[Run]]:  # fmt: skip
    """The project root and the checked runs: each named notebook once, or the run list."""
    root = project_root(Path(runs_file).parent.parent if runs_file else None)
    runs_path = Path(runs_file) if runs_file else root / RUNS_FILE
    runs = load_runs(runs_path) if run_all or runs_path.is_file() else []
    selected = runs if run_all else select_runs(runs, notebooks, root)
    if not selected:
        msg = f"{runs_path}: no runs to execute."
        raise WsisAnalysisError(msg)
    overrides: dict[str, object] = dict(read_params_file(params_file)) if params_file else {}
    pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
    overrides.update({str(k): v for k, v in pairs})  # a mapping, or (name, value) pairs from -p
    return root, plan_runs(selected, overrides, slug=slug)


def _retention(runs_file: str | Path | None, root: Path) -> int | None:
    """``keep = N`` at the top of the run list: snapshots kept per run (None: keep all)."""
    import tomllib

    path = Path(runs_file) if runs_file else root / RUNS_FILE
    if not path.is_file():
        return None
    keep: int | None = tomllib.loads(path.read_text(encoding="utf-8")).get("keep")
    return keep


@contextmanager
def _ledger_of(out: Path) -> Iterator[None]:
    """Kernels started inside inherit it: the disclosure guard audits against the ledger of
    the output folder `out` (see :func:`wsisanalysis.reporting.tables.ledger_path`)."""
    before, os.environ[REPORTS_DIR_ENV] = os.environ.get(REPORTS_DIR_ENV), str(out)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(REPORTS_DIR_ENV, None)
        else:
            os.environ[REPORTS_DIR_ENV] = before


def _execute_all(
    planned: list[tuple[Run, dict]],
    workers: int,
    out: Path,
    root: Path,
    on_done: Callable[[dict, int, int], None] | None,
    options: Mapping[str, object],
) -> list[dict]:
    """Execute the planned runs on `workers` threads; `on_done` is called as each ends.

    `options` are passed to :func:`execute_run` (``shared_assets``, ``keep``).
    """
    manifests: list[dict] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(execute_run, run, params, out, root, **options)  # type: ignore[arg-type]
            for run, params in planned
        ]
        for future in as_completed(futures):
            manifests.append(future.result())
            if on_done is not None:
                on_done(manifests[-1], len(manifests), len(planned))
    return manifests


def run_reports(  # noqa: PLR0913 - listed in tests/test_architecture.py
    notebooks: Sequence[str] = (),
    *,
    run_all: bool = False,
    parameters: Sequence[Sequence[str]] | Mapping[str, object] = (),
    params_file: str | Path | None = None,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    runs_file: str | Path | None = None,
    on_done: Callable[[dict, int, int], None] | None = None,
    slug: str | None = None,
    pdf: bool = False,
    assets: str = "inline",
    keep: int | None = None,
) -> ReportSummary:
    """Run the selected reports; `on_done(manifest, done, total)` is called as each finishes.

    Each named notebook runs once with its defaults plus `parameters`; ``run_all`` runs the run
    list. `slug` names the output of a single run. ``pdf`` prints each page to a PDF beside it
    (Chromium is looked for before anything runs); ``assets="shared"`` writes plotly.js once to
    ``DIR/assets`` instead of into every page with a chart. `keep` keeps the newest N dated
    snapshots of each run (default: ``keep`` in the run list, else all). Parameters are checked for every
    run before any kernel starts. Returns the summary (the command exits non-zero when
    ``summary.failed`` is not empty).
    """
    clock = time.perf_counter()
    if assets not in ("inline", "shared"):
        msg = f"--assets {assets!r}: expected inline (plotly.js in each page) or shared (one copy in DIR/assets)."
        raise WsisAnalysisError(msg)
    root, runs = _plan(notebooks, run_all, parameters, params_file, runs_file, slug)
    out = Path(out_dir) if out_dir else root / "reports"
    out = out if out.is_absolute() else Path.cwd() / out
    keep = keep if keep is not None else _retention(runs_file, root)
    if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 1):
        msg = f"keep must be a whole number >= 1 (snapshots kept per run); got {keep!r}."
        raise WsisAnalysisError(msg)
    chromium = find_chromium() if pdf else None
    planned = [(run, run.parameters) for run in runs]
    for run, params in planned:  # every run checked before any kernel starts
        validate_values(run, params)
    workers = max(1, min(jobs or min(2, os.cpu_count() or 1), len(planned)))
    logger.info("running %d report(s) with %d worker(s) -> %s", len(planned), workers, out)
    with report_lock(out), _ledger_of(out):
        options = {"shared_assets": assets == "shared", "keep": keep}
        manifests = _execute_all(planned, workers, out, root, on_done, options)
        if chromium is not None:
            pages = [out / m["html"] for m in manifests if m["status"] == "ok"]
            logger.info("printing %d PDF(s) with %s", len(pages), chromium)
            write_pdfs(pages, chromium=chromium)
        index = write_index(out)
    return ReportSummary(out, index, manifests, time.perf_counter() - clock)
