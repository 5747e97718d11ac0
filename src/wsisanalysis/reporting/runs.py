"""The run list (``notebooks/runs.toml``) and notebook parameters, checked before anything runs."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wsisanalysis.errors import InputFileError, ParameterError, WsisAnalysisError

RUNS_FILE = Path("notebooks") / "runs.toml"


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: cwd) holding ``notebooks/runs.toml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RUNS_FILE).is_file():
            return folder
    return here


def _roots(start: Path) -> list[Path]:
    """Project roots to try: above the working directory, then above this package's source."""
    roots = [project_root(start)]
    source = project_root(Path(__file__).parent)
    if (source / RUNS_FILE).is_file() and source not in roots:
        roots.append(source)
    return roots


def resolve_data_dir(data_dir: str | Path, *, cwd: str | Path | None = None) -> Path:
    """Where a notebook's ``data_dir`` is: as given, or, when a relative folder does not exist
    from the working directory, under the project root (JupyterLab starts kernels in
    ``notebooks/``). An absolute folder is returned as given.

    Raises
    ------
    InputFileError
        When a relative folder exists in none of those places; the message names each.
    """
    path = Path(data_dir)
    here = Path(cwd) if cwd is not None else Path.cwd()
    if path.is_absolute():
        return path
    tried = [here / path, *(root / path for root in _roots(here.resolve()))]
    for candidate in tried:
        if candidate.is_dir():
            return candidate
    places = " and ".join(dict.fromkeys(str(c.resolve()) for c in tried))  # each folder once
    msg = (
        f"data_dir {str(data_dir)!r}: no such folder; looked in {places}. Expected the folder "
        f"written by `wsisanalysis clean INPUT... --out {data_dir}` (for the demo data, `make "
        "report` writes data/interim/demo): run it from the project root, or set data_dir to "
        "that folder's absolute path."
    )
    raise InputFileError(msg)


@dataclass(frozen=True)
class Run:
    """One report run: a notebook, its parameters and a slug naming the output."""

    notebook: Path
    parameters: dict[str, object] = field(default_factory=dict)
    slug: str = "default"

    @property
    def stem(self) -> str:
        return self.notebook.stem

    @property
    def name(self) -> str:
        """The output name: ``<notebook stem>__<slug>``."""
        return f"{self.stem}__{self.slug}"


def load_runs(path: str | Path) -> list[Run]:
    """Read the run list; each ``[[run]]`` has ``notebook``, optional ``slug`` and ``parameters``."""
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: run list not found. Expected notebooks/runs.toml with [[run]] entries."
        raise WsisAnalysisError(msg)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc}). Fix the syntax and re-run."
        raise WsisAnalysisError(msg) from None
    runs = []
    for i, entry in enumerate(data.get("run", []), start=1):
        if "notebook" not in entry:
            msg = f'{path}: run #{i} has no `notebook`. Each [[run]] needs notebook = "NN-name".'
            raise WsisAnalysisError(msg)
        notebook = path.parent / entry["notebook"]
        notebook = notebook if notebook.suffix == ".ipynb" else notebook.with_suffix(".ipynb")
        runs.append(
            Run(notebook, dict(entry.get("parameters", {})), str(entry.get("slug", "default")))
        )
    names = [r.name for r in runs]
    if len(names) != len(set(names)):
        msg = f"{path}: two runs share a notebook and slug ({sorted({n for n in names if names.count(n) > 1})}); give each a distinct slug."
        raise WsisAnalysisError(msg)
    return runs


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, object]]:
    """The parameters a notebook declares (name -> type, default, help), via papermill."""
    import papermill

    notebook = Path(notebook)
    if not notebook.is_file():
        msg = f"{notebook}: notebook not found."
        raise WsisAnalysisError(msg)
    params = papermill.inspect_notebook(str(notebook))
    return {
        name: {
            "type": info.get("inferred_type_name", "None"),
            "default": info.get("default"),
            "help": info.get("help", ""),
        }
        for name, info in params.items()
    }


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _coerce(name: str, value: object, declared: str) -> object:
    if not isinstance(value, str):
        return value
    kind = declared.replace(" ", "").lower()
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if value.lower() in _TRUE:
                return True
            if value.lower() in _FALSE:
                return False
            raise ValueError(value)
        if kind.startswith(("list", "dict")):
            return json.loads(value)
    except (ValueError, json.JSONDecodeError):
        msg = f"Parameter {name!r} expects {declared}; got {value!r}."
        raise ParameterError(msg) from None
    return value  # str, or an undeclared type: kept as given ("004" stays "004")


def check_parameters(notebook: str | Path, given: Mapping[str, object]) -> dict[str, object]:
    """Validate parameters against the notebook's parameters cell and convert CLI strings.

    Unknown names raise :class:`~wsisanalysis.errors.ParameterError` listing the valid ones.
    """
    declared = notebook_parameters(notebook)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        valid = ", ".join(
            f"{n} ({d['type']}, default {d['default']})" for n, d in declared.items()
        )
        msg = f"{Path(notebook).name}: unknown parameter(s) {', '.join(unknown)}. Valid parameters: {valid}."
        raise ParameterError(msg)
    return {
        name: _coerce(name, value, str(declared[name]["type"])) for name, value in given.items()
    }


def read_params_file(path: str | Path) -> dict[str, object]:
    """Parameters from a TOML or YAML file (a flat table of name = value)."""
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: parameters file not found."
        raise ParameterError(msg)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot be read as UTF-8 text ({exc}). Save it as UTF-8 and re-run."
        raise ParameterError(msg) from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        kind = "TOML" if path.suffix == ".toml" else "YAML"
        msg = f"{path}: not valid {kind} ({exc}). Fix the syntax (strings need quotes) and re-run."
        raise ParameterError(msg) from None
    if not isinstance(data, dict):
        msg = f"{path}: expected a table of name = value parameters."
        raise ParameterError(msg)
    return data


def _notebook_path(name: str, runs: Sequence[Run], root: Path) -> Path:
    stem = Path(name).stem
    path = Path(name) if Path(name).suffix == ".ipynb" else root / "notebooks" / f"{stem}.ipynb"
    if not path.is_file():
        available = ", ".join(sorted({p.stem for p in (root / "notebooks").glob("*.ipynb")}))
        named = ", ".join(sorted(r.name for r in runs))
        msg = (
            f"No notebook named {name!r} (looked for {path}). Notebooks: {available or 'none'}; "
            f"runs of notebooks/runs.toml (NOTEBOOK__SLUG): {named or 'none'}."
        )
        raise WsisAnalysisError(msg)
    return path


def select_runs(runs: Sequence[Run], names: Sequence[str], root: Path) -> list[Run]:
    """The runs the command line names: one run per name, never a whole preset list.

    A notebook's stem (``20-regional-coverage``) or path runs that notebook once with its own
    defaults (slug left empty, to be derived from the parameters); a ``NOTEBOOK__SLUG`` name from
    ``runs.toml`` runs that one entry. ``--all`` is the way to run the whole run list.
    """
    chosen: list[Run] = []
    for name in names:
        listed = [r for r in runs if r.name == name]
        run = listed[0] if listed else Run(_notebook_path(name, runs, root), {}, "")
        if run not in chosen:
            chosen.append(run)
    return chosen


_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_SLUG_MAX = 60


def check_slug(slug: str) -> str:
    """A ``--slug`` is used as a file name: letters, digits, ``.``, ``_`` and ``-`` only."""
    if not _SLUG_OK.match(slug):
        msg = (
            f"--slug {slug!r} cannot name a file: expected 1-80 letters, digits, '.', '_' or '-' "
            "starting with a letter or digit, e.g. --slug icann82-real."
        )
        raise ParameterError(msg)
    return slug


def literal_default(source: object) -> object:
    """A parameter's default as a value (papermill reports it as source text)."""
    try:
        return ast.literal_eval(str(source))
    except (ValueError, SyntaxError):
        return source


def parameter_slug(
    parameters: Mapping[str, object], declared: Mapping[str, Mapping[str, object]]
) -> str:
    """A file-name slug from a run's parameters: its data folder's name, then each value that
    differs from the notebook's default (``"defaults"`` when nothing differs).

    >>> declared = {"data_dir": {"default": '"data/interim/demo"'}, "event": {"default": '"all"'}}
    >>> parameter_slug({"event": "ICANN 82"}, declared)
    'demo-icann-82'
    >>> parameter_slug({"data_dir": "/srv/icann82-clean", "event": "all"}, declared)
    'icann82-clean'
    """
    defaults = {name: literal_default(info.get("default")) for name, info in declared.items()}
    parts = []
    if "data_dir" in defaults:
        folder = Path(str(parameters.get("data_dir", defaults["data_dir"])))
        parts.append(folder.name or str(folder))
    parts += [
        str(value)
        for name, value in parameters.items()
        if name != "data_dir" and value != defaults.get(name)
    ]
    slug = _SLUG.sub("-", "-".join(parts).lower()).strip("-") or "defaults"
    if len(slug) > _SLUG_MAX:
        digest = hashlib.sha1(slug.encode(), usedforsecurity=False).hexdigest()[:8]
        slug = f"{slug[: _SLUG_MAX - 9].rstrip('-')}-{digest}"
    return slug


def _overrides_per_run(
    selected: Sequence[Run], overrides: Mapping[str, object]
) -> list[dict[str, object]]:
    """Across several runs, each takes the overrides its notebook declares (``-p data_dir``
    does not reach the published-figures notebook); a name no notebook declares is an error."""
    if len(selected) <= 1:
        return [dict(overrides)] * len(selected)
    declared = [set(notebook_parameters(run.notebook)) for run in selected]
    unknown = sorted(set(overrides) - set().union(*declared))
    if unknown:
        valid = ", ".join(sorted(set().union(*declared)))
        msg = f"unknown parameter(s) {', '.join(unknown)}: no selected notebook declares them. Valid parameters: {valid}."
        raise ParameterError(msg)
    return [{k: v for k, v in overrides.items() if k in names} for names in declared]


def plan_runs(
    selected: Sequence[Run], overrides: Mapping[str, object], *, slug: str | None = None
) -> list[Run]:
    """The runs to execute, with checked parameters and the slug that names each output.

    A run keeps its ``runs.toml`` slug only when nothing overrides its parameters; otherwise the
    slug comes from ``slug`` (``--slug``) or from the parameters (:func:`parameter_slug`), so a
    page built from other data never carries a preset's name such as ``demo``.
    """
    if slug is not None and len(selected) > 1:
        msg = f"--slug names one output, but {len(selected)} runs were selected; run one notebook with --slug."
        raise ParameterError(msg)
    planned = []
    for run, own in zip(selected, _overrides_per_run(selected, overrides), strict=True):
        parameters = check_parameters(run.notebook, {**run.parameters, **own})
        if slug is not None:
            name = check_slug(slug)
        elif run.slug and not own:
            name = run.slug
        else:
            name = parameter_slug(parameters, notebook_parameters(run.notebook))
        planned.append(Run(run.notebook, parameters, name))
    names = [r.name for r in planned]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        msg = f"Two runs would write the same page ({', '.join(clashes)}); give them distinct parameters or run them one at a time with --slug."
        raise ParameterError(msg)
    return planned
