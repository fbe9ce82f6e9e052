"""Growing a pattern: close lone relations, then repair what the interval audit finds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from policies.secrecy.audit import AuditReport, _short, audit_pattern, required
from policies.secrecy.local import gather
from policies.secrecy.lp import ModelCache
from policies.secrecy.paths import Deviations
from policies.secrecy.progress import Stage, advance
from policies.secrecy.rules import BoolArray, FloatArray, IntArray, Percent
from policies.secrecy.singletons import Singletons


@dataclass(frozen=True)
class Problem:
    """What secondary suppression works on: the table, its primaries and what may be withheld.

    `exempt` cells are withheld without needing protection (hidden cells).
    """

    relations: sparse.csr_array
    values: FloatArray
    primary: BoolArray
    candidate: BoolArray
    rank: FloatArray
    interval_percent: Percent
    singletons: Singletons | None
    exempt: BoolArray

    @cached_property
    def incidence(self) -> sparse.csr_array:
        """Return which cells each relation holds (1.0), built once for every round."""
        return sparse.csr_array(self.relations != 0).astype(np.float64)

    @cached_property
    def by_cell(self) -> sparse.csc_array:
        """Return the incidence by cell: the relations of one cell are one slice."""
        return sparse.csc_array(self.incidence)

    @cached_property
    def deviations(self) -> Deviations:
        """Return the cheapest-deviation solver, built once when first needed."""
        by_cell = sparse.csc_array(self.relations)
        return Deviations(self.relations, by_cell, self.by_cell, self.values, self.rank)

    def audit(
        self,
        pattern: BoolArray,
        exact: bool,
        known: tuple[FloatArray, FloatArray] | None = None,
        models: ModelCache | None = None,
    ) -> AuditReport:
        """Audit a pattern of this problem (see audit_pattern)."""
        return audit_pattern(
            self.relations,
            self.values,
            pattern,
            self.primary,
            self.interval_percent,
            self.singletons,
            exact,
            known,
            models,
        )

    def close(self, pattern: BoolArray, candidate: BoolArray | None = None) -> BoolArray:
        """Close every lone relation of a pattern (see close_relations)."""
        chosen = self.candidate if candidate is None else candidate
        return close_relations(
            self.relations,
            pattern,
            chosen,
            self.rank,
            self.exempt,
            self.primary,
            self.singletons,
            self.incidence,
        )


def grow(
    problem: Problem,
    pattern: BoolArray,
    repaired: BoolArray,
    candidate: BoolArray | None = None,
    budget: float = np.inf,
    warm: bool = False,
) -> tuple[AuditReport, bool]:
    """Add cells (pattern, repaired updated in place) until the audit finds nothing to repair.

    Return the last (certifying) audit and whether the cost of the added cells stayed below
    `budget`; past it, growing stops at once (a swap that would not pay off). `warm` keeps
    big components' models from one round to the next (see ModelCache).
    """
    p = problem
    chosen = p.candidate if candidate is None else candidate
    start = float(p.rank[pattern].sum())
    known, models, first = None, ModelCache(warm), 0
    while True:
        # Certify protection cheaply while repairing; cells certified in an earlier round
        # stay certified: the pattern only grows.
        report = p.audit(pattern, False, known, models)
        known = (report.lower, report.upper)
        left = len(report.unprotected)
        first = first or max(1, left)  # the rounds' progress: the first round's cells protected
        extra = _repairs(p, pattern, chosen, report)
        advance(Stage.SECONDARY, 1.0 if extra.size == 0 else 1 - left / first, left)
        if extra.size == 0:
            return report, True
        pattern[extra] = repaired[extra] = True
        pattern[:] = p.close(pattern, chosen)
        if float(p.rank[pattern].sum()) - start >= budget:
            return report, False


def close_relations(
    relations: sparse.csr_array,
    suppressed: BoolArray,
    candidate: BoolArray,
    rank: FloatArray,
    exempt: BoolArray | None = None,
    primary: BoolArray | None = None,
    singletons: Singletons | None = None,
    incidence: sparse.csr_array | None = None,
) -> BoolArray:
    """Suppress cheap cells until no relation holds exactly one suppressed cell.

    A relation whose lone suppressed cell is `exempt` (hidden: withheld, not sensitive) may
    stay open: that cell becomes computable, which harms nobody; the audit still checks
    every primary cell through all relations. A relation the singleton options find
    disclosing (singletons.py) needs one more cell too. `incidence`
    (relations != 0, as floats) may be given when it is already built.
    """
    pattern = suppressed.copy()
    if incidence is None:
        incidence = sparse.csr_array(relations != 0).astype(np.float64)
    exempt = np.zeros_like(pattern) if exempt is None else exempt
    while True:
        lone = incidence @ pattern.astype(np.float64) == 1
        needy = incidence @ (pattern & ~exempt).astype(np.float64) == 1
        single = np.flatnonzero(lone & needy)
        if singletons is not None and primary is not None:
            single = np.union1d(single, singletons.needy_rows(relations, pattern, primary))
        open_cells = (candidate & ~pattern).astype(np.float64)
        sub = sparse.csr_array(incidence[single] @ sparse.diags_array(open_cells))
        sub.eliminate_zeros()
        if sub.nnz == 0:
            return pattern
        chosen = _choose(sparse.coo_array(sub), rank)
        pattern[chosen] = True


def _choose(sub: sparse.coo_array, rank: FloatArray) -> IntArray:
    """Pick one cell per lone relation, preferring cells that also close other relations."""
    hits = np.bincount(sub.col, minlength=rank.size)
    score = rank[sub.col] / (1.0 + hits[sub.col])
    order = np.lexsort((sub.col, score, sub.row))
    rows, cols = sub.row[order], sub.col[order]
    first = np.r_[True, rows[1:] != rows[:-1]]
    best_rows, best_cols = rows[first], cols[first]
    by_cell = sparse.csc_array(sub)
    closed = np.zeros(int(sub.row.max()) + 1, dtype=bool)
    chosen: list[int] = []
    # Accept the cheapest choices first; a row closed by an earlier choice needs no cell of its own.
    for k in np.lexsort((best_cols, score[order][first])):
        if not closed[best_rows[k]]:
            cell = int(best_cols[k])
            chosen.append(cell)
            closed[by_cell.indices[by_cell.indptr[cell] : by_cell.indptr[cell + 1]]] = True
    return np.array(chosen, dtype=np.int64)


def _repairs(p: Problem, pattern: BoolArray, candidate: BoolArray, report: AuditReport) -> IntArray:
    """Choose the cells that protect each unprotected primary cell.

    Its cheapest deviations (paths.py: one LP over the cell's neighbourhood protects the side
    at once), else one more cell next to it: a breaker of its attack, or a neighbour.
    """
    need = required(p.values, p.interval_percent)
    margin = p.values - need[0]
    links = (p.incidence, p.by_cell)
    cells = [int(cell) for cell in report.unprotected if pattern[cell]]
    deviated = _deviate(p, pattern, candidate, report, cells, need) if cells else {}
    chosen = {int(c) for found in deviated.values() for c in found}
    for cell in cells:
        if cell in deviated:
            continue
        attack = report.attacks.get(cell)
        if attack is not None:
            near = _breakers(links, pattern, candidate, cell, attack)
        else:
            near = _neighbours(links, np.array([cell])) & candidate & ~pattern
            if not near.any():
                near = _neighbours(links, _component_of(links, pattern, cell))
                near &= candidate & ~pattern
        if near.any():
            ids = np.flatnonzero(near)
            # A cell smaller than the missing margin rarely helps: prefer the ones that can.
            useful = ids[np.abs(p.values[ids]) >= margin[cell]]
            ids = useful if useful.size else ids
            chosen.add(int(ids[np.lexsort((ids, p.rank[ids]))[0]]))
    return np.array(sorted(chosen), dtype=np.int64)


def _deviate(
    p: Problem,
    pattern: BoolArray,
    candidate: BoolArray,
    report: AuditReport,
    cells: list[int],
    need: tuple[FloatArray, FloatArray],
) -> dict[int, IntArray]:
    """Return the cells of each cell's cheapest deviations (cells without one left out).

    Cells go two at a time (HiGHS releases the GIL while it solves): both of a pair see the
    cells withheld before the pair, free to move, and their repairs are merged in cell
    order, so the result does not depend on the threads' timing.
    """
    deviations = p.deviations
    withheld = pattern.copy()  # grows pair by pair: later cells reuse earlier repairs

    def repair(cell: int) -> IntArray | None:
        # The attack was found on `pattern`: cells withheld since, this round, break it too.
        attack = report.attacks.get(cell)
        breakers = None if attack is None else _movable(attack, pattern, candidate)
        return _repair_sides(deviations, withheld, candidate, cell, report, need, breakers)

    found: dict[int, IntArray] = {}
    with ThreadPoolExecutor(2) as pool:
        for start in range(0, len(cells), 2):
            pair = cells[start : start + 2]
            for cell, repaired in zip(pair, list(pool.map(repair, pair)), strict=True):
                if repaired is not None:
                    found[cell] = repaired
                    withheld[repaired] = True
    return found


def _repair_sides(
    deviations: Deviations,
    withheld: BoolArray,
    candidate: BoolArray,
    cell: int,
    report: AuditReport,
    need: tuple[FloatArray, FloatArray],
    breakers: IntArray | None,
) -> IntArray | None:
    """Return the cells whose withholding protects every short side of one cell.

    None when a side has no deviation, or when no side is short (a singleton exposure,
    not a bound): the cell is repaired by a breaker instead.
    """
    one = slice(cell, cell + 1)
    bounds = (report.lower[one], report.upper[one], need[0][one], need[1][one])
    sides = [
        (sign, target)
        for sign, target in ((1.0, need[0][cell]), (-1.0, need[1][cell]))
        if _short(*bounds, sign)[0]
    ]
    # The audit keeps one attack per cell: with both sides short, it pins only one of them.
    known = breakers if len(sides) == 1 else None
    moves = [float(target - deviations.values[cell]) for _, target in sides]  # without NaN
    found = deviations.cheapest(cell, moves, withheld, candidate, known) if moves else None
    if found is None or any(cells.size == 0 for cells in found):
        return None
    return np.unique(np.concatenate(found))


def _movable(attack: IntArray, pattern: BoolArray, candidate: BoolArray) -> IntArray:
    """Return the cells of an attack published in `pattern` that may be withheld."""
    movable: IntArray = attack[candidate[attack] & ~pattern[attack]]
    return movable


# The incidence of relations to cells, by relation (CSR) and by cell (CSC).
Links = tuple[sparse.csr_array, sparse.csc_array]


def _breakers(
    links: Links,
    pattern: BoolArray,
    candidate: BoolArray,
    cell: int,
    attack: IntArray,
) -> BoolArray:
    """Return the cells that break the attack on one cell, preferring those close to it.

    An attack (LP dual) often spans a whole département; a published cell of it far from the
    pinned cell breaks only that one combination, a close one usually unpins the cell. When
    no published cell of the attack may be withheld, the cell cannot be protected: none.
    """
    support = np.zeros_like(pattern)
    support[_movable(attack, pattern, candidate)] = True
    first = _neighbours(links, np.array([cell]))
    close = support & _neighbours(links, np.flatnonzero(first & pattern))
    return close if close.any() else support


def _neighbours(links: Links, cells: IntArray) -> BoolArray:
    """Return the cells sharing a relation with any of the given cells."""
    by_row, by_cell = links
    rows = gather(by_cell.indptr, by_cell.indices, cells)
    result: BoolArray = np.zeros(by_row.shape[1], dtype=bool)
    result[gather(by_row.indptr, by_row.indices, np.unique(rows))] = True
    return result


def _component_of(links: Links, pattern: BoolArray, cell: int) -> IntArray:
    """Return the suppressed cells linked to one cell through relations."""
    found = np.zeros(pattern.size, dtype=bool)
    found[cell] = True
    while True:
        grown = _neighbours(links, np.flatnonzero(found)) & pattern | found
        if (grown == found).all():
            return np.flatnonzero(found)
        found = grown
