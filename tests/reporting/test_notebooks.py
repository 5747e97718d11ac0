"""Every run in notebooks/runs.toml executes with papermill and exports readable HTML."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import papermill
import pytest
from helpers import ROOT

from wsisanalysis.reporting import export_html, load_runs, notebook_parameters

RUNS = load_runs(ROOT / "notebooks" / "runs.toml")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _code_cells(path):
    nb = nbformat.read(str(path), as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_committed_without_outputs(path):
    for cell in _code_cells(path):
        assert not cell.get("outputs"), f"{path.name} has outputs: strip them"
        assert cell.get("execution_count") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    for cell in _code_cells(path):
        source = cell.source
        assert not re.search(r"^\s*[%!]", source, re.MULTILINE), (
            "no magics or shell escapes in report notebooks"
        )
        assert len(source.splitlines()) <= 10, f"cell too long in {path.name}:\n{source}"
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.For | ast.While), (
                f"logic belongs in the library: {path.name}"
            )
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {
                "to_csv",
                "to_parquet",
                "write_text",
                "to_html",
            }:
                pytest.fail(f"{path.name} writes files")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_typed_and_documented(path):
    params = notebook_parameters(path)
    assert params
    for name, info in params.items():
        assert info["type"] != "None", f"{path.name}: parameter {name} has no type annotation"
        assert info["help"], f"{path.name}: parameter {name} has no help comment"


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_runs_toml_parameters_are_declared(run):
    assert set(run.parameters) <= set(notebook_parameters(run.notebook))


def test_every_notebook_that_reads_clean_tables_takes_data_dir():
    for path in NOTEBOOKS:
        if "load_clean" in path.read_text():
            assert "data_dir" in notebook_parameters(path)


@pytest.mark.notebook
@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_run_executes_and_exports(run, clean_dir, tmp_path, demo_dir, monkeypatch):
    monkeypatch.setenv("WSISANALYSIS_REPORTS_DIR", str(tmp_path))  # the guard's ledger
    parameters = dict(run.parameters)
    if "data_dir" in parameters:
        parameters["data_dir"] = str(clean_dir)
    executed = tmp_path / f"{run.name}.ipynb"
    papermill.execute_notebook(str(run.notebook), str(executed), parameters=parameters, kernel_name="python3",
                               cwd=str(ROOT), progress_bar=False)  # fmt: skip
    nb = nbformat.read(str(executed), as_version=4)
    assert nb.metadata.papermill.parameters == parameters
    html = export_html(executed, tmp_path / f"{run.name}.html").read_text()
    figures = sum(
        "Plotly.newPlot" in json.dumps(c.get("outputs", []))
        for c in nb.cells
        if c.cell_type == "code"
    )
    assert html.count("Plotly.newPlot") >= figures
    if not run.stem.startswith("10-"):
        assert figures > 0, "every analysis report draws at least one figure"
    assert "rp.load_clean" not in html and "import wsisanalysis" not in html, "code must be hidden"
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html), (
        "no remote scripts or stylesheets"
    )
    assert len(html.encode()) <= 6_000_000
    assert "@example." not in html, "no e-mail may reach a report"
    assert not re.search(r"\bp_[0-9a-f]{16}\b", html), "no participant id may reach a report"


#: What a notebook may hand to a page: only these calls may end a code cell, and the first
#: argument of a figure, sentence or table must be a published table.
PAGE_CALLS = {("figures", None), ("narrative", None), ("rp", "show_table")}
PUBLISHERS = {"publish", "publish_aggregate"}
#: Calls that derive a table from published cells only: their result is published when
#: their first argument is (``rp.publish_rollup(safe_communities)``).
DERIVERS = {"known_shares", "publish_rollup", "parents_only", "with_event_dates", "as_months", "counting"}
SAFE_DISPLAYS = {"data_source_note", "run_details", "published_source_note", "use_report_style"}


def _is_publish(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "attr", "") in PUBLISHERS


def _is_derived(node, published: set[str]) -> bool:
    """A published table derived from a published one, or either of two (``a if c else b``)."""
    if isinstance(node, ast.IfExp):
        return all(_is_publish(n) or _is_derived(n, published) or (isinstance(n, ast.Name) and n.id in published)
                   for n in (node.body, node.orelse))  # fmt: skip
    first = node.args[0] if isinstance(node, ast.Call) and node.args else None
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") in DERIVERS
        and isinstance(first, ast.Name)
        and first.id in published
    )


def _published_names(tree: ast.AST, published: set[str]) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if _is_publish(node.value) or _is_derived(node.value, published):
                published |= names
            else:  # re-binding a published name to anything else
                published -= names


def _unguarded_call(node: ast.Call, published: set[str]) -> bool:
    if not isinstance(node.func, ast.Attribute):
        return False
    if node.func.attr in {"html_table", "display", "to_html"}:
        return True
    owner = getattr(node.func.value, "id", "")
    page = (owner, None) in PAGE_CALLS or (owner, node.func.attr) in PAGE_CALLS
    if not page or node.func.attr in SAFE_DISPLAYS:
        return False
    first = node.args[0] if node.args else None
    named = isinstance(first, ast.Name) and first.id in published
    return not (_is_publish(first) or named or _is_derived(first, published))


def unguarded_uses(sources: list[str]) -> list[str]:
    """Where a notebook's code would put a number on a page without the guard."""
    published: set[str] = set()
    found = []
    for source in sources:
        tree = ast.parse(source)
        _published_names(tree, published)
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        found += [ast.unparse(n)[:80] for n in calls if _unguarded_call(n, published)]
        last = tree.body[-1] if tree.body else None
        # a call, or calls joined by and/or (each checked above), may end a cell
        shown = last.value.values if isinstance(last, ast.Expr) and isinstance(last.value, ast.BoolOp) else []
        if isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call) and not (
            shown and all(isinstance(v, ast.Call) for v in shown)
        ):
            found.append(f"bare expression shown: {ast.unparse(last)[:60]}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_show_only_published_tables(path):
    assert unguarded_uses([c.source for c in _code_cells(path)]) == []


def test_the_notebook_check_catches_an_unguarded_table():
    cells = [
        "sg = metrics.coverage(frame, 'stakeholder_group')\nsafe = rp.publish(sg, by='stakeholder_group', source=frame)",
        "narrative.largest(sg, 'stakeholder_group')",
        "figures.share_bars(safe, 'stakeholder_group', title='t')",
        "rp.html_table(sg)",
        "sg",
    ]
    found = unguarded_uses(cells)
    assert len(found) == 3, found
    assert any("narrative.largest(sg" in f for f in found)


def test_a_choice_between_tables_is_published_only_when_both_are():
    head = "safe = rp.publish(t, by='period', source=frame)\nraw = metrics.activity_timeline(frame)"
    both = head + "\nperiods = categories.as_months(safe) if monthly else safe"
    one = head + "\nperiods = categories.as_months(safe) if monthly else raw"
    shown = "rp.show_table(periods)"
    assert unguarded_uses([both, shown]) == []
    assert unguarded_uses([one, shown]) == ["rp.show_table(periods)"]


def test_a_table_derived_from_an_unpublished_one_is_caught():
    cells = [
        "safe = rp.publish(c, by='community', source=frame)\nok = rp.publish_rollup(safe)\nbad = rp.publish_rollup(c)",
        "figures.share_bars(ok, 'community', title='t')",
        "figures.share_bars(bad, 'community', title='t')",
    ]
    assert unguarded_uses(cells) == ["figures.share_bars(bad, 'community', title='t')"]
