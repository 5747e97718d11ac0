"""The run list (``notebooks/runs.toml``) and notebook parameters, checked before anything runs."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wsisanalysis.errors import ParameterError, WsisAnalysisError

RUNS_FILE = Path("notebooks") / "runs.toml"


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: cwd) holding ``notebooks/runs.toml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RUNS_FILE).is_file():
            return folder
    return here


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


def select_runs(runs: Sequence[Run], names: Sequence[str], root: Path) -> list[Run]:
    """Runs matching names (notebook stem, ``stem__slug`` or a notebook path); ad-hoc runs otherwise."""
    chosen: list[Run] = []
    for name in names:
        stem = Path(name).stem
        matches = [r for r in runs if name in (r.name, r.stem, r.slug) or stem == r.stem]
        if matches:
            chosen.extend(m for m in matches if m not in chosen)
            continue
        path = (
            Path(name) if Path(name).suffix == ".ipynb" else root / "notebooks" / f"{stem}.ipynb"
        )
        if not path.is_file():
            available = ", ".join(sorted({r.stem for r in runs}))
            msg = f"No notebook or run named {name!r}. Available: {available}."
            raise WsisAnalysisError(msg)
        chosen.append(Run(path, {}, "adhoc"))
    return chosen
