"""The house rules of the code, checked: stages import only downwards, no cycles, short
functions, complexity within limits, types clean (issue #8)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "src" / "wsisanalysis"

#: Stage order: a module may import its own stage or any stage above it in this list.
LAYERS = (
    ("wsisanalysis._version", "wsisanalysis.errors", "wsisanalysis.schema",
     "wsisanalysis._text", "wsisanalysis._cores", "wsisanalysis.write"),
    ("wsisanalysis.reference",),
    ("wsisanalysis.read",),
    ("wsisanalysis.normalize",),
    ("wsisanalysis.clean",),
    ("wsisanalysis.metrics",),
    ("wsisanalysis.reporting",),
    ("wsisanalysis.cli", "wsisanalysis.demo", "wsisanalysis.__main__", "wsisanalysis"),
)  # fmt: skip

MAX_FUNCTION_LINES = 60
#: Functions still over the length limit; the list may only shrink.
LONG_FUNCTIONS: set[str] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every wsisanalysis module `path` imports, at top level or inside functions.

    ``from wsisanalysis import schema`` imports the module ``wsisanalysis.schema``, not the
    package; ``from wsisanalysis.metrics import coverage`` imports the package's name.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("wsisanalysis"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wsisanalysis"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else str(node.module))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in _imports(path, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }


def layer_of(module: str) -> int:
    matches = [
        (len(prefix), level)
        for level, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} belongs to no stage: add it to LAYERS"
    return max(matches)[1]  # the longest prefix decides


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{a} -> {b}" for a, deps in graph.items() for b in deps if layer_of(b) > layer_of(a)
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in graph.get(node, ()):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_only_go_down_the_stages():
    assert upward_imports(_graph()) == []


def test_no_import_cycle():
    # a package's __init__ re-exporting its modules is not a cycle with them
    graph = {
        a: {b for b in deps if not (a.startswith(b + ".") and b in _packages())}
        for a, deps in _graph().items()
    }
    assert cycles(graph) == []


def _packages() -> set[str]:
    return {_module_name(p) for p in PACKAGE.rglob("__init__.py")}


def test_the_checks_catch_an_upward_import_and_a_cycle():
    graph = {"wsisanalysis.read.csv": {"wsisanalysis.clean.steps"}}
    assert upward_imports(graph) == ["wsisanalysis.read.csv -> wsisanalysis.clean.steps"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def long_functions(root: Path = PACKAGE) -> dict[str, int]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out[f"{path.relative_to(root).as_posix()}::{node.name}"] = length
    return out


def test_functions_are_short():
    found = long_functions()
    new = {k: v for k, v in found.items() if k not in LONG_FUNCTIONS}
    assert not new, f"functions over {MAX_FUNCTION_LINES} lines: {new}"
    fixed = LONG_FUNCTIONS - set(found)
    assert not fixed, f"now short enough: remove from LONG_FUNCTIONS: {sorted(fixed)}"


def test_the_length_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "m.py").write_text(f"def too_long():\n{body}\n")
    assert long_functions(tmp_path) == {"m.py::too_long": MAX_FUNCTION_LINES + 1}


#: Functions over ruff's complexity (C901, max 12) or argument (PLR0913, max 6) limits, each
#: marked with a noqa; the list may only shrink.
LINT_EXCEPTIONS = {
    "clean/pipeline.py::clean_tables",
    "clean/pipeline.py::clean_participation",
    "reporting/runner.py::run_reports",
}


def lint_exceptions(root: Path = PACKAGE) -> set[str]:
    found = set()
    pattern = re.compile(r"^\s*def (\w+)\(.*# noqa: (C901|PLR0913)")
    for path in sorted(root.rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := pattern.match(line):
                found.add(f"{path.relative_to(root).as_posix()}::{match.group(1)}")
    return found


def test_complexity_exceptions_only_shrink():
    found = lint_exceptions()
    assert found <= LINT_EXCEPTIONS, (
        f"new noqa for complexity or arguments: {found - LINT_EXCEPTIONS}"
    )
    assert found == LINT_EXCEPTIONS, (
        f"fixed: remove from LINT_EXCEPTIONS: {LINT_EXCEPTIONS - found}"
    )


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).parent / name)


def test_mypy_is_clean():
    proc = subprocess.run(
        [_tool("mypy"), "src/wsisanalysis"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


@pytest.mark.parametrize("paths", [["src", "tests", "benchmarks", "notebooks"]])
def test_ruff_is_clean_notebooks_included(paths):
    proc = subprocess.run(
        [_tool("ruff"), "check", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
