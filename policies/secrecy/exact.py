"""Exact mode: a minimum-cost suppression pattern, by MILP (HiGHS) with lazily added cuts.

One binary x_c per cell that may be withheld (a safe cell); primary and hidden cells are
fixed withheld, every other cell (empty, a-priori published) fixed published. The model
starts with the cuts each single relation gives (a withheld primary cell needs room from
its relations' other cells), is solved, and its optimum is attacked with the audit's LPs:
each primary side left short gives the capacity cut of its LP dual (``cuts.py``), each
relation that leaves a primary to a singleton's unit its cut; the model is solved again
until no cut is violated. HiGHS's Python interface has no lazy-constraint callback, so the
loop re-solves; every cut is valid for every protected pattern, so the last optimum is a
minimum-cost protected pattern.

Components of the table (cells that may be withheld, linked by relations; published cells
are constants) are independent: each is solved alone, in order of its smallest cell id.
``Mode.AUTO`` solves the components with at most ``EXACT_CELLS`` free cells exactly and
leaves the others to the heuristic. Past a budget of rounds (``ROUNDS``: deterministic) or the
time limit (a last resort) the last MILP pattern is completed by the heuristic (close, grow,
prune) and the cheaper of it and the heuristic's pattern is kept; whatever is kept is audited,
and the heuristic's pattern stands whenever the audit of the exact one would protect less.

Deterministic: the model is built in cell-id order and HiGHS runs single-threaded with a
fixed seed (only a pattern cut short by the wall-clock limit depends on the machine). Ties:
the objective is the heuristic's rank (the cost, plus 1e-6 x value / (1 + largest value):
among patterns of equal cost the one withholding smaller cells), then the first optimum
HiGHS's deterministic search meets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np
from scipy import sparse

from policies.secrecy.audit import components
from policies.secrecy.cuts import Cut, relation_cuts, separate
from policies.secrecy.repair import Problem, grow
from policies.secrecy.rules import BoolArray, FloatArray, IntArray, Percent
from policies.secrecy.secondary import Pattern, _pruned, suppress
from policies.secrecy.singletons import Singletons


class Mode(StrEnum):
    """How secondary suppression is chosen: exact where affordable, exact, or heuristic."""

    AUTO = "auto"
    EXACT = "exact"
    HEURISTIC = "heuristic"


# Components with at most this many cells that may be withheld are solved exactly in auto
# mode (bench.secrecy_exact measures where the exact mode stays well under a second).
EXACT_CELLS = 1500
# Seconds the exact mode may spend on a table before the heuristic completes what is left.
TIME_LIMIT = 20.0
# Solve-and-cut rounds per component (auto, exact): a budget that does not depend on the
# machine's load, so that the mask stays deterministic; the wall-clock limit above is the
# last resort. With a zero protection interval (only exact disclosure forbidden) the cuts are
# weak and a small table may need hundreds of rounds; auto then keeps the heuristic's help.
ROUNDS = {"auto": 25, "exact": 2000}
# Cells an audit solves exactly (two programs each); bigger patterns are certified.
_EXACT_AUDIT = 400
# Capacity cuts ask for this much more than the need (relative): see _Model.add.
_MARGIN = 1e-5
_INF = highspy.kHighsInf
_OPTIMAL = highspy.HighsModelStatus.kOptimal


@dataclass(frozen=True)
class Solved:
    """The pattern of one component and how it was found."""

    pattern: BoolArray
    optimal: bool
    rounds: int
    cuts: int


def suppress_mode(
    relations: sparse.csr_array,
    values: FloatArray,
    primary: BoolArray,
    candidate: BoolArray,
    rank: FloatArray,
    interval_percent: Percent,
    singletons: Singletons | None = None,
    forced: BoolArray | None = None,
    mode: Mode = Mode.AUTO,
    time_limit: float = TIME_LIMIT,
) -> Pattern:
    """Suppress as `secondary.suppress` does, exactly on the components the mode selects."""
    args = (relations, values, primary, candidate, rank, interval_percent, singletons, forced)
    heuristic = suppress(*args)
    if mode is Mode.HEURISTIC:
        return heuristic
    exempt = np.zeros_like(primary) if forced is None else forced & ~primary
    problem = Problem(
        relations, values, primary, candidate, rank, interval_percent, singletons, exempt
    )
    deadline = time.perf_counter() + time_limit
    rounds = ROUNDS[mode.value]
    result, solved = heuristic.suppressed.copy(), np.zeros_like(primary)
    for cells in components(relations, candidate | primary | exempt):
        free = cells[candidate[cells]]
        if not primary[cells].any() or (mode is Mode.AUTO and len(free) > EXACT_CELLS):
            continue
        safe = not np.isin(heuristic.report.unprotected, cells).any()
        found = solve_component(problem, cells, heuristic.suppressed, safe, deadline, rounds)
        if found is not None:
            result[cells], solved[cells] = found[cells], True
    if not solved.any() or (result == heuristic.suppressed).all():
        return heuristic
    report = problem.audit(result, result.sum() <= _EXACT_AUDIT)
    if not set(report.unprotected.tolist()) <= set(heuristic.report.unprotected.tolist()):
        return heuristic
    return Pattern(result, heuristic.repaired & result & ~solved, report)


def solve_component(
    problem: Problem,
    cells: IntArray,
    incumbent: BoolArray,
    safe: bool,
    deadline: float,
    rounds: int,
) -> BoolArray | None:
    """Return the best protected pattern found for one component (None: keep the incumbent).

    `incumbent` (the heuristic's pattern, `safe` when it protects the component) seeds the
    MILP and is the fallback.
    """
    found = exact_pattern(problem, cells, incumbent, deadline, rounds)
    if found is None:
        return None
    if found.optimal:
        # Never dearer than the protected incumbent (a safeguard: valid cuts cannot exclude
        # it, and the brute-force tests check that the optimum is reached).
        dearer = _cost(problem, found.pattern, cells) > _cost(problem, incumbent, cells) + 1e-9
        return None if dearer and safe else found.pattern
    completed = complete(problem, found.pattern, cells)
    if completed is None:
        return None
    cheaper = _cost(problem, completed, cells) < _cost(problem, incumbent, cells)
    return completed if cheaper or not safe else None


def exact_pattern(
    problem: Problem, cells: IntArray, incumbent: BoolArray, deadline: float, limit: int
) -> Solved | None:
    """Solve one component by MILP and cuts until no cut is violated, or `limit` rounds or
    the deadline pass.

    Return the last MILP pattern (optimal and protected, or the relaxation's when time ran
    out); None when the model is infeasible (a primary no withholding protects) or HiGHS
    fails, where the heuristic's pattern stands.
    """
    p = problem
    fixed = np.zeros_like(p.primary)
    fixed[cells] = (p.primary | p.exempt)[cells]
    free = cells[p.candidate[cells]]
    inside = np.zeros_like(p.primary)
    inside[cells] = True
    model = _Model(free, p.rank, fixed)
    for cut in relation_cuts(p.relations, p.values, p.primary & inside, p.interval_percent):
        model.add(cut)
    seed = incumbent[free].astype(np.float64)
    rounds, last = 0, None
    while True:
        rounds += 1
        x = model.solve(deadline, seed)
        if x is None:
            return None
        pattern = fixed.copy()
        pattern[free] = x
        if last is not None and (x == last).all():
            # The cuts did not move HiGHS (numerical trouble): the heuristic completes.
            return Solved(pattern, False, rounds, model.rows)
        last = x
        if rounds >= limit or time.perf_counter() >= deadline or not model.optimal:
            return Solved(pattern, False, rounds, model.rows)
        cuts = separate(p.relations, p.values, pattern, p.primary, p.interval_percent, p.singletons)
        if cuts is None:
            return Solved(pattern, False, rounds, model.rows)
        if not cuts:
            return Solved(pattern, True, rounds, model.rows)
        excluded = [model.add(cut, pattern) for cut in cuts]  # every cut is added
        if not any(excluded):
            # No cut excludes the pattern (numerical trouble): stop, the heuristic completes.
            return Solved(pattern, False, rounds, model.rows)


class _Model:
    """The MILP over the free cells of one component; cuts are added as rows."""

    def __init__(self, free: IntArray, rank: FloatArray, fixed: BoolArray) -> None:
        self.column = np.full(fixed.size, -1, dtype=np.int64)
        self.column[free] = np.arange(len(free))
        self.fixed = fixed
        self.size = len(free)
        self.rows = 0
        self.optimal = False
        self.infeasible = False
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        for name, setting in (
            ("output_flag", False),
            ("threads", 1),
            ("random_seed", 0),
            ("mip_rel_gap", 0.0),
            ("mip_abs_gap", 1e-9),
        ):
            self.highs.setOptionValue(name, setting)
        self.highs.addVars(self.size, np.zeros(self.size), np.ones(self.size))
        every = np.arange(self.size, dtype=np.int32)
        self.highs.changeColsCost(self.size, every, rank[free])
        self.highs.changeColsIntegrality(
            self.size, every, np.full(self.size, highspy.HighsVarType.kInteger, dtype=np.uint8)
        )

    def add(self, cut: Cut, pattern: BoolArray | None = None) -> bool:
        """Add a cut over the free cells (fixed ones moved to the right-hand side).

        With a pattern, tell whether the cut excludes it; without, whether it was added.
        """
        columns = self.column[cut.cells]
        rhs = cut.rhs - float(cut.coefs[self.fixed[cut.cells] & (columns < 0)].sum())
        keep = (columns >= 0) & (cut.coefs != 0)
        coefs = cut.coefs[keep]
        if (coefs >= 0).all() and rhs > 0:
            # Capped at the right-hand side (valid for binaries; tighter), then scaled to just
            # above 1: HiGHS's tolerances are absolute, and a pattern short by as little as
            # the audit's relative tolerance must stay visibly excluded.
            coefs = np.minimum(coefs / rhs, 1.0)
            coefs[coefs >= 1.0 - 1e-12] = 1.0 + _MARGIN
            rhs = 1.0 + _MARGIN
        if not keep.any():
            # Nothing free can satisfy it: no withholding protects that primary cell.
            self.infeasible |= rhs > 1e-9
            return self.infeasible
        self.highs.addRow(
            rhs, _INF, int(keep.sum()), columns[keep].astype(np.int32), coefs.astype(np.float64)
        )
        self.rows += 1
        if pattern is None:
            return True
        return float(coefs @ pattern[cut.cells[keep]]) < rhs - 1e-9 * max(1.0, abs(rhs))

    def solve(self, deadline: float, seed: FloatArray) -> BoolArray | None:
        """Solve within the time left; return x (None: infeasible, or no solution at all)."""
        if self.infeasible:
            return None
        left = deadline - time.perf_counter()
        self.highs.setOptionValue("time_limit", max(left, 0.01))
        every = np.arange(self.size, dtype=np.int32)
        self.highs.setSolution(self.size, every, seed)
        self.highs.run()
        status = self.highs.getModelStatus()
        self.optimal = status == _OPTIMAL
        if not self.optimal and self.highs.getInfo().primal_solution_status != 2:
            return None
        value = np.asarray(self.highs.getSolution().col_value)
        result: BoolArray = value > 0.5
        return result


def complete(problem: Problem, start: BoolArray, cells: IntArray) -> BoolArray | None:
    """Grow a pattern into one protecting a component, with the heuristic (close, repair,
    prune); None when some primary cell of the component stays unprotected."""
    pattern = problem.close(start | problem.primary | problem.exempt)
    repaired = np.zeros_like(pattern)
    report, _ = grow(problem, pattern, repaired)
    found = _pruned(problem, Pattern(pattern, repaired, report), _EXACT_AUDIT)
    failed = np.isin(found.report.unprotected, cells).any()
    return None if failed else found.suppressed


def _cost(problem: Problem, pattern: BoolArray, cells: IntArray) -> float:
    """Return what a pattern's cells of one component cost."""
    return float(problem.rank[cells][pattern[cells]].sum())
