"""Growing a pattern: close lone relations, then repair what the interval audit finds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from policies.secrecy.audit import AuditReport, audit_pattern, exposed_rows, required
from policies.secrecy.rules import BoolArray, FloatArray, IntArray


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
    interval_percent: float
    owner: IntArray | None
    exempt: BoolArray

    def close(self, pattern: BoolArray, candidate: BoolArray | None = None) -> BoolArray:
        """Close every lone relation of a pattern (see close_relations)."""
        chosen = self.candidate if candidate is None else candidate
        return close_relations(
            self.relations, pattern, chosen, self.rank, self.exempt, self.primary, self.owner
        )


def grow(
    problem: Problem,
    pattern: BoolArray,
    repaired: BoolArray,
    candidate: BoolArray | None = None,
    budget: float = np.inf,
) -> tuple[AuditReport, bool]:
    """Add cells (pattern, repaired updated in place) until the audit finds nothing to repair.

    Return the last (certifying) audit and whether the cost of the added cells stayed below
    `budget`; past it, growing stops at once (a swap that would not pay off).
    """
    p = problem
    chosen = p.candidate if candidate is None else candidate
    start = float(p.rank[pattern].sum())
    known = None
    while True:
        # Certify protection cheaply while repairing; cells certified in an earlier round
        # stay certified: the pattern only grows.
        report = audit_pattern(
            p.relations, p.values, pattern, p.primary, p.interval_percent, p.owner, False, known
        )
        known = (report.lower, report.upper)
        extra = _repairs(p.relations, p.values, pattern, chosen, p.rank, report, p.interval_percent)
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
    owner: IntArray | None = None,
) -> BoolArray:
    """Suppress cheap cells until no relation holds exactly one suppressed cell.

    A relation whose lone suppressed cell is `exempt` (hidden: withheld, not sensitive) may
    stay open: that cell becomes computable, which harms nobody; the audit still checks
    every primary cell through all relations. With singleton owners, a relation holding a
    singleton and one primary cell of another unit also needs a third cell.
    """
    pattern = suppressed.copy()
    incidence = sparse.csr_array(relations != 0).astype(np.float64)
    exempt = np.zeros_like(pattern) if exempt is None else exempt
    while True:
        lone = incidence @ pattern.astype(np.float64) == 1
        needy = incidence @ (pattern & ~exempt).astype(np.float64) == 1
        single = np.flatnonzero(lone & needy)
        if owner is not None and primary is not None:
            single = np.union1d(single, exposed_rows(relations, pattern, primary, owner)[0])
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


def _repairs(
    relations: sparse.csr_array,
    values: FloatArray,
    pattern: BoolArray,
    candidate: BoolArray,
    rank: FloatArray,
    report: AuditReport,
    interval_percent: float,
) -> IntArray:
    """Choose one more cell next to each unprotected primary cell."""
    low, _ = required(values, interval_percent)
    margin = values - low
    incidence = sparse.csr_array(relations != 0).astype(np.float64)
    chosen: set[int] = set()
    for cell in report.unprotected:
        if not pattern[cell]:
            continue
        attack = report.attacks.get(int(cell))
        if attack is not None:
            near = _breakers(incidence, pattern, candidate, int(cell), attack)
        else:
            near = _neighbours(incidence, np.array([cell])) & candidate & ~pattern
            if not near.any():
                near = _neighbours(incidence, _component_of(incidence, pattern, cell))
                near &= candidate & ~pattern
        if near.any():
            ids = np.flatnonzero(near)
            # A cell smaller than the missing margin rarely helps: prefer the ones that can.
            useful = ids[np.abs(values[ids]) >= margin[cell]]
            ids = useful if useful.size else ids
            chosen.add(int(ids[np.lexsort((ids, rank[ids]))[0]]))
    return np.array(sorted(chosen), dtype=np.int64)


def _breakers(
    incidence: sparse.csr_array,
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
    support[attack] = True
    support &= candidate & ~pattern
    first = _neighbours(incidence, np.array([cell]))
    close = support & _neighbours(incidence, np.flatnonzero(first & pattern))
    return close if close.any() else support


def _neighbours(incidence: sparse.csr_array, cells: IntArray) -> BoolArray:
    """Return the cells sharing a relation with any of the given cells."""
    seed = np.zeros(incidence.shape[1])
    seed[cells] = 1.0
    rows = incidence @ seed > 0
    result: BoolArray = incidence.T @ rows.astype(np.float64) > 0
    return result


def _component_of(incidence: sparse.csr_array, pattern: BoolArray, cell: int) -> IntArray:
    """Return the suppressed cells linked to one cell through relations."""
    found = np.zeros(pattern.size, dtype=bool)
    found[cell] = True
    while True:
        grown = _neighbours(incidence, np.flatnonzero(found)) & pattern | found
        if (grown == found).all():
            return np.flatnonzero(found)
        found = grown
