"""The audit: how far can a reader narrow each hidden cell from everything published?

Every published number is a *cell*: a sum of *atoms* (the finest groups of records the tables
can tell apart). A reader who knows every published cell knows a system of linear equations
over the atoms; the feasible range of a hidden cell is the minimum and maximum of its sum
subject to those equations, the atoms being non-negative (and whole: integrality is checked
with a mixed-integer program where the linear range is within one of the threshold). Both are solved
with HiGHS through :func:`scipy.optimize.linprog` and :func:`scipy.optimize.milp`.

The audit is conservative on purpose: atoms with nobody in them are left out (as if the reader
knew they were empty) and a hidden cell with somebody in it is taken as known to be at least 1.
Both only narrow the ranges, so a range the audit finds wide enough is at least as wide for a
reader who knows less.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from wsisanalysis.errors import WsisAnalysisError

_EPS = 1e-6
#: HiGHS's infinity (bounds at or past it are infinite)
_INF = 1e30


class DisclosureError(WsisAnalysisError):
    """Raised when published figures contradict each other or a table cannot be protected."""


@dataclass
class CellSet:
    """Cells over atoms: row ``i`` of `matrix` marks the atoms that cell ``i`` sums.

    `value` holds every cell's true count (used to choose what to hide, never published);
    `published` which cells a reader sees; `sensitive` which cells must stay at least the
    threshold wide whenever they are hidden (the small counts: a cell hidden only to protect
    another holds no small count); `editable` which cells may still be hidden (the table being
    published).
    """

    matrix: sparse.csr_array
    value: np.ndarray
    published: np.ndarray
    sensitive: np.ndarray
    editable: np.ndarray
    labels: list[str] = field(default_factory=list)
    #: cells a reader sees listed (as hidden), so knows are not empty when they are not
    listed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: the true count of every atom when known (a whole feasible point), else empty
    truth: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: the solver of the current state, kept between programs (see :func:`_program`)
    program: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.matrix = sparse.csr_array(self.matrix, dtype=float)
        self.value = np.asarray(self.value, dtype=float)
        self.published = np.asarray(self.published, dtype=bool).copy()
        self.sensitive = np.asarray(self.sensitive, dtype=bool).copy()
        self.editable = np.asarray(self.editable, dtype=bool)
        if not self.labels:
            self.labels = [str(i) for i in range(len(self.value))]
        listed = self.listed if len(self.listed) else np.ones(len(self.value), dtype=bool)
        self.listed = np.asarray(listed, dtype=bool)


def _quiet_highs() -> Any:
    """A HiGHS instance that prints nothing (its banner goes to file descriptor 1, where a
    notebook kernel would pick it up and put it on the page)."""
    import highspy

    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    solver.setOptionValue("output_flag", False)
    return solver


@dataclass
class _Program:
    """The linear program of a cell set, built once and changed in place as cells are hidden.

    Every cell is a row: a published cell is fixed at its value, a hidden listed cell with
    somebody in it is at least 1, any other row is free. Hiding a cell only changes its row's
    bounds, and only the objective changes between the programs of one audit round, so the
    primal simplex restarts from the last optimal basis instead of from scratch (about 50 times
    faster than a fresh :func:`scipy.optimize.linprog` per objective on the demo report set).
    """

    solver: Any
    state: bytes


def _row_bounds(cells: CellSet) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's row bounds as the reader sees them now (see :class:`_Program`)."""
    pub = cells.published
    floor = ~pub & (cells.value >= 1) & cells.listed
    low = np.where(pub, cells.value, np.where(floor, 1.0, -_INF))
    return low, np.where(pub, cells.value, _INF)


def _state(cells: CellSet) -> bytes:
    return cells.published.tobytes() + cells.listed.tobytes()


def _program(cells: CellSet) -> _Program:
    """The program of `cells` as published now: built once per cell set, then only its row
    bounds change with what is published."""
    state, cached = _state(cells), cells.program
    if isinstance(cached, _Program):
        if cached.state != state:
            low, high = _row_bounds(cells)
            rows = np.arange(len(low), dtype=np.int32)
            cached.solver.changeRowsBounds(len(rows), rows, low, high)
            cached.state = state
        return cached
    solver = _quiet_highs()
    for option, value in (("presolve", "off"), ("solver", "simplex"), ("simplex_strategy", 4)):
        solver.setOptionValue(option, value)
    atoms = cells.matrix.shape[1]
    solver.addVars(atoms, np.zeros(atoms), np.full(atoms, _INF))
    low, high = _row_bounds(cells)
    block = cells.matrix
    if block.shape[0]:
        solver.addRows(block.shape[0], low, high, block.nnz, block.indptr[:-1].astype(np.int32),
                       block.indices.astype(np.int32), block.data)  # fmt: skip
    cells.program = _Program(solver, state)
    return cells.program


def _solve(c: np.ndarray, cells: CellSet) -> tuple[float, np.ndarray, np.ndarray | None]:
    """min c·x over the atoms consistent with every published cell (x >= 0), which published
    cells bind the optimum (non-zero dual values), and the optimal atoms (None when unbounded)."""
    import highspy

    solver, atoms = _program(cells).solver, len(c)
    solver.changeColsCost(atoms, np.arange(atoms, dtype=np.int32), np.asarray(c, dtype=float))
    solver.run()
    status = solver.getModelStatus()
    binding = np.zeros(len(cells.published), dtype=bool)
    unbounded = (
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    )
    if status in unbounded:  # the true counts are a solution, so never infeasible
        return -np.inf, binding, None
    if status != highspy.HighsModelStatus.kOptimal:
        msg = (f"The published figures admit no solution ({solver.modelStatusToString(status)}). Expected every "
               "published cell to be a sum of the same records; check that each table was computed from its source.")  # fmt: skip
        raise DisclosureError(msg)
    solution = solver.getSolution()
    binding = cells.published & (np.abs(np.asarray(solution.row_dual)) > _EPS)
    return (
        float(solver.getInfo().objective_function_value),
        binding,
        np.asarray(solution.col_value),
    )


def _milp(c: np.ndarray, cells: CellSet) -> float | None:
    """min c·x over whole non-negative atoms consistent with every published cell, or a valid
    lower bound of it (the dual bound on a time limit); None when neither is known."""
    pub = cells.published
    floor_rows = ~pub & (cells.value >= 1) & cells.listed
    constraints = [LinearConstraint(cells.matrix[pub], cells.value[pub], cells.value[pub])] if pub.any() else []  # fmt: skip
    if floor_rows.any():
        constraints.append(LinearConstraint(cells.matrix[floor_rows], 1, np.inf))
    res = milp(c, constraints=constraints, integrality=np.ones_like(c), bounds=Bounds(0, np.inf),
               options={"node_limit": MILP_NODES, "time_limit": 60})  # fmt: skip
    if res.status == 0:
        return float(res.fun)
    # a feasible solution found before the time limit is no bound; the dual bound is
    bound = getattr(res, "mip_dual_bound", None)
    return float(bound) if bound is not None and np.isfinite(bound) else None


#: Branch-and-bound nodes per mixed-integer program. A node limit, not a time limit, so the
#: same data gives the same pages on a busy machine (with a 2-second limit, pages differed
#: from run to run under load); every program of the demo report set needs far fewer.
MILP_NODES = 10_000

#: Integrality is checked with a MILP only for problems up to this many atoms, and only when
#: the linear range is within one of the threshold (where rounding can decide).
MILP_ATOMS = 2000


def _range(
    cells: CellSet, i: int, threshold: int | None, points: list[np.ndarray] | None = None
) -> tuple[float, float, np.ndarray]:
    """Cell `i`'s feasible range and the cells binding it; the two optima join `points`."""
    c = cells.matrix[[i]].toarray().ravel()
    (low, bind_low, x_low), (neg_high, bind_high, x_high) = _solve(c, cells), _solve(-c, cells)
    if points is not None:
        points += [x for x in (x_low, x_high) if x is not None]
    low, high = np.ceil(low - _EPS), np.floor(-neg_high + _EPS)
    close = threshold is not None and low + threshold <= high < low + threshold + 1
    if close and cells.matrix.shape[1] <= MILP_ATOMS:
        # a whole feasible point at the linear bound (an optimum, the true counts, a witness)
        # makes that bound the integral one too: no mixed-integer program then
        known = [x_low, x_high, cells.truth, *(points or [])]
        whole_low = None if _reached(c, known, low) else _milp(c, cells)
        if whole_low is not None:
            low = max(low, np.ceil(whole_low - _EPS))
        # narrower than the threshold already: the other bound cannot widen it
        decided = high - low < threshold or _reached(c, known, high)
        whole_neg_high = None if decided else _milp(-c, cells)
        if whole_neg_high is not None:
            high = min(high, np.floor(-whole_neg_high + _EPS))
    return float(low), float(high), bind_low | bind_high


def _whole(x: np.ndarray | None) -> bool:
    """True when a solution's atoms are all whole numbers."""
    return x is not None and bool(np.all(np.abs(x - np.rint(x)) < _EPS))


def _reached(c: np.ndarray, points: list[np.ndarray | None], bound: float) -> bool:
    """True when one of `points` is whole and puts ``c·x`` exactly at `bound`."""
    return any(
        x is not None and len(x) == len(c) and abs(float(c @ x) - bound) < _EPS and _whole(x)
        for x in points
    )


def feasible_range(cells: CellSet, i: int, *, threshold: int | None = None) -> tuple[float, float]:
    """The range a reader can narrow cell `i` to (integral bounds when close to `threshold`)."""
    low, high, _ = _range(cells, i, threshold)
    return low, high


def disclosed(
    cells: CellSet, threshold: int, check: np.ndarray | None = None
) -> dict[int, tuple[float, float]]:
    """Hidden sensitive cells whose range is narrower than `threshold`, with their ranges."""
    return {i: (low, high) for i, (low, high, _) in _disclosed(cells, threshold, check).items()}


#: Feasible points sought per round by :func:`_proven_wide`, each from one linear program.
WITNESSES = 8


def _witnesses(cells: CellSet, todo: np.ndarray) -> list[np.ndarray]:
    """A few feasible points: optima of objectives pushing the `todo` cells up or down at
    random (seeded, so the audit is reproducible)."""
    rows = cells.matrix[todo]
    if rows.shape[0] < 2 * WITNESSES:
        return []
    rng = np.random.default_rng(rows.shape[0])
    found = (_solve(rows.T @ rng.choice([-1.0, 1.0], size=rows.shape[0]), cells)[2] for _ in range(WITNESSES))  # fmt: skip
    return [x for x in found if x is not None]


def _proven_wide(cells: CellSet, i: int, points: list[np.ndarray], threshold: int) -> bool:
    """True when two feasible points show cell `i` at least ``threshold + 1`` apart.

    Every feasible point (atoms consistent with everything published) is a reading of the
    tables a reader cannot rule out, so two of them this far apart prove the range wide
    without programs of its own (one more than the threshold: the integral check never
    narrows such a range). Points come from :func:`_witnesses` and from the optima found for
    earlier cells, which replaces two programs per hidden cell by a few per round.
    """
    if len(points) < 2:
        return False
    values = cells.matrix[[i]] @ np.column_stack(points)
    return bool(np.floor(values.max() + _EPS) - np.ceil(values.min() - _EPS) >= threshold + 1)


def _disclosed(
    cells: CellSet, threshold: int, check: np.ndarray | None
) -> dict[int, tuple[float, float, np.ndarray]]:
    todo = cells.sensitive & ~cells.published
    if check is not None:
        todo &= check
    points = _witnesses(cells, todo)
    out = {}
    for i in np.flatnonzero(todo):
        if _proven_wide(cells, int(i), points, threshold):
            continue
        low, high, binding = _range(cells, int(i), threshold, points)
        if high - low < threshold:
            out[int(i)] = (low, high, binding)
    return out


#: How many candidate cells :func:`_complement` tries one by one, and among how many it
#: tries pairs, when choosing what to hide.
TRIED_ALONE, TRIED_IN_PAIRS = 10, 6


def _candidates(cells: CellSet, i: int, binding: np.ndarray) -> np.ndarray:
    """Published, editable, non-empty cells whose hiding may give cell `i` room, best first.

    The cells binding `i`'s range (non-zero dual values) are the ones pinning it: binding cells
    disjoint from `i` (siblings) come first, then cells inside a binding total that overlaps
    `i`, then the rest of the table's cells disjoint from `i`, each group smallest first; an
    editable total over `i` is the last resort.
    """
    m = cells.matrix
    mine = (m[[i]].toarray().ravel() > 0).astype(float)
    overlap_mine = (m @ mine) > 0
    free = cells.published & cells.editable & (cells.value > 0)
    inside = np.zeros(len(free), dtype=bool)
    for h in np.flatnonzero(binding & overlap_mine):
        inside |= (m @ (m[[h]].toarray().ravel() > 0).astype(float)) > 0
    groups = [free & binding & ~overlap_mine, free & inside & ~overlap_mine, free & ~overlap_mine]
    order: list[int] = []
    for group in groups:
        found = np.flatnonzero(group)
        order += [
            int(j) for j in found[np.argsort(cells.value[found], kind="stable")] if j not in order
        ]
    if not order:
        over = np.flatnonzero(cells.published & cells.editable & overlap_mine)
        order = [
            int(j)
            for j in over[np.argsort(np.asarray(m[over].sum(axis=1)).ravel(), kind="stable")]
        ]
    return np.asarray(order, dtype=int)


def _width_without(cells: CellSet, i: int, hide: list[int]) -> float:
    """Cell `i`'s linear range width with the cells `hide` hidden too."""
    saved = cells.published.copy()
    cells.published[hide] = False
    try:
        low, high, _ = _range(cells, i, None)
    finally:
        cells.published = saved
    return high - low


def _complement(cells: CellSet, i: int, threshold: int, binding: np.ndarray) -> list[int]:
    """Published, editable cells to hide so that cell `i` gains the threshold's width.

    Tries the best candidates (see :func:`_candidates`) one at a time, then in pairs, and
    hides the smallest counts that give `i` its width; failing that, the first candidate (the
    next round tries again with it hidden). Hiding the fewest people keeps the most of the
    table: the first rule that came to mind, hiding the cells that bind `i`'s range, took all
    five UN regional groups off the demo's regional page where two were enough.
    """
    pool = _candidates(cells, i, binding)
    if not len(pool):
        return []
    alone = [int(j) for j in pool[:TRIED_ALONE] if _width_without(cells, i, [int(j)]) >= threshold]
    if alone:
        return [min(alone, key=lambda j: cells.value[j])]
    few = pool[:TRIED_IN_PAIRS]
    pairs = [
        [int(a), int(b)] for k, a in enumerate(few) for b in few[k + 1 :]
        if _width_without(cells, i, [int(a), int(b)]) >= threshold
    ]  # fmt: skip
    if pairs:
        return min(pairs, key=lambda pair: cells.value[pair].sum())
    return [int(pool[0])]


def _without_editable(cells: CellSet, i: int, threshold: int) -> bool:
    """True when cell `i` is narrow even with every editable cell hidden: earlier figures
    disclose it, and hiding more of this table cannot help."""
    saved = cells.published.copy()
    cells.published &= ~cells.editable
    try:
        low, high, _ = _range(cells, i, threshold)
    finally:
        cells.published = saved
    return high - low < threshold


def implied(cells: CellSet, limit: int = 40) -> bool:
    """True when every published editable cell is already fixed by the other published cells
    (the table adds nothing a reader did not know); checked for tables up to `limit` cells."""
    mine = np.flatnonzero(cells.published & cells.editable)
    if len(mine) > limit:
        return False
    saved = cells.published.copy()
    cells.published &= ~cells.editable
    try:
        return all(
            _range(cells, int(i), None)[:2] == (cells.value[i], cells.value[i]) for i in mine
        )
    finally:
        cells.published = saved


def protect(
    cells: CellSet, threshold: int, check: np.ndarray | None = None
) -> dict[int, tuple[float, float]]:
    """Hide editable cells until no sensitive hidden cell is narrower than `threshold`.

    Hiding only widens ranges, so each round re-checks only the cells still disclosed and the
    ones just hidden; `check` limits the first round (by default every cell). Returns the disclosures that no editable cell can repair (they come from
    figures published earlier); `cells.published` is updated in place.
    """
    check = np.ones(len(cells.value), dtype=bool) if check is None else check.copy()
    unfixable: dict[int, tuple[float, float]] = {}
    for _ in range(len(cells.value) + 1):
        found = {
            k: v for k, v in _disclosed(cells, threshold, check).items() if k not in unfixable
        }
        if not found:
            break
        check = np.zeros_like(check)
        for i, (low, high, binding) in found.items():
            if not cells.published[
                binding
            ].all():  # hiding for an earlier cell gave room: re-check
                check[i] = True
                continue
            hide = (
                []
                if _without_editable(cells, i, threshold)
                else _complement(cells, i, threshold, binding)
            )
            if not hide:
                unfixable[i] = (low, high)
                continue
            cells.published[hide] = False
            check[[i, *hide]] = True
    return unfixable
