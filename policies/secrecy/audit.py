"""Interval audit: the feasible range of every suppressed cell, by linear programming (HiGHS)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from policies.secrecy.intervals import exact_intervals
from policies.secrecy.local import LOCAL_CELLS, LOCAL_PENDING, certify_local
from policies.secrecy.lp import ComponentLP, ModelCache
from policies.secrecy.rules import BoolArray, FloatArray, IntArray, Percent
from policies.secrecy.singletons import Singletons

# Components at least this big are audited two at a time when a table has two or more.
PARALLEL_CELLS = 2000


@dataclass(frozen=True)
class AuditReport:
    """Feasible intervals of suppressed cells and the primary cells left unprotected."""

    lower: FloatArray
    upper: FloatArray
    unprotected: IntArray
    components: int
    programs: int
    # For primary cells found pinned by an LP: the cells of the relation combination (the LP
    # dual) that bounds them. Withholding a published one of these breaks that attack.
    attacks: dict[int, IntArray] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Tell whether every primary cell is protected."""
        return len(self.unprotected) == 0


def components(
    relations: sparse.csr_array, suppressed: BoolArray, by_cell: sparse.csc_array | None = None
) -> list[IntArray]:
    """Group suppressed cells linked through relations; published cells are constants.

    `by_cell` (the relations as CSC), when given, makes taking the suppressed cells' columns
    cheap (a pass over the CSR matrix otherwise).
    """
    cells = np.flatnonzero(suppressed)
    sub = sparse.csr_array(relations[:, cells] if by_cell is None else by_cell[:, cells])
    used = np.flatnonzero(np.diff(sub.indptr))
    sub = sparse.csr_array(sub[used])
    n_rel, n_cells = sub.shape
    graph = sparse.block_array([[None, sub], [sub.T, None]], format="csr")
    graph.resize((n_rel + n_cells, n_rel + n_cells))
    _, labels = connected_components(graph, directed=False)
    cell_labels = labels[n_rel:]
    order = np.lexsort((cells, cell_labels))
    groups = np.split(cells[order], np.flatnonzero(np.diff(cell_labels[order])) + 1)
    # Order components by their smallest cell id, so the result never depends on labelling.
    return sorted((g for g in groups if len(g)), key=lambda g: int(g[0]))


def required(value: FloatArray, interval_percent: Percent) -> tuple[FloatArray, FloatArray]:
    """Return the bounds the feasible interval of each primary cell must reach.

    ``interval_percent``: one percentage for every cell, or one per cell (FREQ(n,r): r).
    """
    margin = np.abs(value) * interval_percent / 100.0
    unknown = np.isnan(value)
    # A zero cell must still not be pinned: its upper bound must leave zero.
    high = np.where(value == 0, 1e-6, value + margin)
    # An unknown value can only be checked for exact disclosure: any width passes.
    return np.where(unknown, np.inf, value - margin), np.where(unknown, -np.inf, high)


def certify(
    model: ComponentLP,
    need_low: FloatArray,
    need_high: FloatArray,
    primary: BoolArray,
    low: FloatArray,
    high: FloatArray,
) -> dict[int, IntArray]:
    """Widen inner bounds (low, high, updated in place) until each primary reaches its need.

    Aggregate pushes move many cells at once and are repeated while they make progress;
    the cells they leave short get one program each, whose dual names the attack (returned
    per pinned cell id). A program HiGHS cannot solve leaves its cell short, with no attack.
    """
    attacks: dict[int, IntArray] = {}
    for sign in (1.0, -1.0):
        short = push_short(model, need_low, need_high, primary, low, high, sign)
        for column in np.flatnonzero(short):
            bound = model.extreme(int(column), sign)
            if sign > 0:
                low[column] = np.fmin(low[column], bound)
            else:
                high[column] = np.fmax(high[column], bound)
            one = slice(column, column + 1)
            if _short(low[one], high[one], need_low[one], need_high[one], sign)[0]:
                attack = model.attack()
                if attack is not None:
                    attacks[int(model.cells[column])] = attack
    return attacks


def push_short(
    model: ComponentLP,
    need_low: FloatArray,
    need_high: FloatArray,
    primary: BoolArray,
    low: FloatArray,
    high: FloatArray,
    sign: float,
) -> BoolArray:
    """Widen (low, high), in place, by aggregate pushes of the primary cells still short on
    one side, while they make progress; return the cells left short (one program each)."""
    short = _short(low, high, need_low, need_high, sign) & primary
    while short.any():
        point = model.push(np.flatnonzero(short), sign)
        if point is None:
            break
        np.fmin(low, point, out=low)
        np.fmax(high, point, out=high)
        still = _short(low, high, need_low, need_high, sign) & primary
        # Stop pushing when a push certifies few cells: single programs are cheaper.
        if still.sum() > 0.8 * short.sum():
            return still
        short = still
    return short


def _short(
    low: FloatArray, high: FloatArray, need_low: FloatArray, need_high: FloatArray, sign: float
) -> BoolArray:
    """Tell which cells have not yet been shown to reach their need on one side."""
    tol = 1e-7 * np.maximum(1.0, np.abs(np.where(sign > 0, need_low, need_high)))
    with np.errstate(invalid="ignore"):
        reached = low <= need_low + tol if sign > 0 else high >= need_high - tol
    result: BoolArray = ~reached
    return result


def audit_pattern(
    relations: sparse.csr_array,
    values: FloatArray,
    suppressed: BoolArray,
    primary: BoolArray,
    interval_percent: Percent,
    singletons: Singletons | None = None,
    exact: bool = True,
    known: tuple[FloatArray, FloatArray] | None = None,
    models: ModelCache | None = None,
) -> AuditReport:
    """Compute suppressed cells' intervals and check each primary cell's protection.

    `singletons`: the singleton options (singletons.py), checked relation by relation.
    With exact=False, intervals are inner bounds from feasible points (enough to certify
    protection, much faster on big components); exact=True solves two programs per cell.
    `known` inner bounds from an audit of a sub-pattern stay valid: withholding more cells
    only adds freedom, so every feasible point found earlier is still feasible.
    `models` keeps big components' models for the next audit of a grown pattern.
    """
    lower = (
        np.full(values.shape, np.nan) if known is None else np.where(suppressed, known[0], np.nan)
    )
    upper = (
        np.full(values.shape, np.nan) if known is None else np.where(suppressed, known[1], np.nan)
    )
    need_low, need_high = required(values, interval_percent)
    values = np.nan_to_num(values)
    by_cell = None if models is None else models.columns(relations)
    groups, programs = components(relations, suppressed, by_cell), 0
    if by_cell is None and not exact and any(len(g) >= LOCAL_CELLS for g in groups):
        by_cell = sparse.csc_array(relations)
    run = _Components(
        relations, values, suppressed, primary, (need_low, need_high), (lower, upper), by_cell
    )
    attacks: dict[int, IntArray] = {}
    # Components are independent: big ones are solved two at a time (HiGHS releases the GIL
    # while it solves; each model stays in one thread, results are merged in component order,
    # so the outcome is the sequential one; a warm cache gives each component the same
    # kept model in any order, see ModelCache).
    big = sum(len(g) >= PARALLEL_CELLS for g in groups)
    workers = 2 if big >= 2 else 1
    with ThreadPoolExecutor(workers) as pool:
        for found, solved in pool.map(lambda g: run.audit(g, exact, models), groups):
            attacks.update(found)
            programs += solved
    bad = primary & suppressed & ~_reaches(lower, upper, need_low, need_high, values)
    failing = np.flatnonzero(bad | (primary & ~suppressed))
    if singletons is not None:
        failing = np.union1d(failing, singletons.exposed_cells(relations, suppressed, primary))
    return AuditReport(lower, upper, failing.astype(np.int64), len(groups), programs, attacks)


class _Components:
    """The audit of one component at a time, writing its cells' bounds in place."""

    def __init__(
        self,
        relations: sparse.csr_array,
        values: FloatArray,
        suppressed: BoolArray,
        primary: BoolArray,
        need: tuple[FloatArray, FloatArray],
        bounds: tuple[FloatArray, FloatArray],
        by_cell: sparse.csc_array | None,
    ) -> None:
        self.relations, self.values, self.suppressed = relations, values, suppressed
        self.primary, self.need, self.bounds, self.by_cell = primary, need, bounds, by_cell

    def audit(
        self, group: IntArray, exact: bool, models: ModelCache | None
    ) -> tuple[dict[int, IntArray], int]:
        """Audit one component; return the attacks found and the programs solved."""
        (need_low, need_high), (lower, upper) = self.need, self.bounds
        check, programs = self.primary, 0
        attacks: dict[int, IntArray] = {}
        if not exact:
            pending = _pending(group, lower, upper, need_low, need_high, self.primary)
            if not pending.any():
                return attacks, programs
            if len(group) >= LOCAL_CELLS and pending.sum() <= LOCAL_PENDING:
                # A few cells of a big component: local programs decide most of them.
                assert self.by_cell is not None
                left, attacks, programs = certify_local(
                    self.relations,
                    self.by_cell,
                    self.values,
                    self.suppressed,
                    group[pending],
                    self.need,
                    self.bounds,
                )
                if left.size == 0:
                    return attacks, programs
                check = np.zeros_like(self.primary)
                check[left] = True
        model = (
            ComponentLP(self.relations, self.values, group)
            if models is None
            else models.model(self.relations, self.values, group)
        )
        cells, before = model.cells, model.programs
        if exact:
            lower[cells], upper[cells] = exact_intervals(model)
        else:
            low, high = lower[cells], upper[cells]
            found = certify(model, need_low[cells], need_high[cells], check[cells], low, high)
            lower[cells], upper[cells] = low, high
            attacks.update(found)
        return attacks, programs + model.programs - before


def _pending(
    cells: IntArray,
    lower: FloatArray,
    upper: FloatArray,
    low: FloatArray,
    high: FloatArray,
    primary: BoolArray,
) -> BoolArray:
    """Tell which primary cells of a component are not yet certified on some side."""
    args = (lower[cells], upper[cells], low[cells], high[cells])
    result: BoolArray = primary[cells] & (_short(*args, 1.0) | _short(*args, -1.0))
    return result


def _reaches(
    lower: FloatArray, upper: FloatArray, need_low: FloatArray, need_high: FloatArray, v: FloatArray
) -> BoolArray:
    """Tell which intervals reach the required bounds and are not a single value."""
    wide = upper - lower > 1e-7 * np.maximum(1.0, np.abs(v))
    reach = ~_short(lower, upper, need_low, need_high, 1.0)
    result: BoolArray = reach & ~_short(lower, upper, need_low, need_high, -1.0) & wide
    return result


def as_ids(mask: npt.NDArray[np.bool_]) -> IntArray:
    """Return the ids of the cells set in a mask."""
    return np.flatnonzero(mask).astype(np.int64)
