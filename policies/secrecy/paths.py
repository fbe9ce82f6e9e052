"""Cheapest repair of one pinned primary side: the published cells a deviation must move.

A primary cell is pinned on one side when no table consistent with the published cells lets
it move that far. Withholding published cells gives the attacker freedom; which ones, at
least cost? Over the cells around the pinned cell, one LP finds the cheapest deviation
``z`` of the table (every relation still adds up: ``A z = 0``) that moves the cell by its
required margin, where suppressed cells move for free and a published cell costs its
suppression cost per unit moved (``cost x |z|``: moving it at all means withholding it;
along a deviation each cell moves by about the margin, so this is the cost of the cells
withheld up to one factor the minimum does not see). Cells outside the neighbourhood stay
fixed, so the deviation is one of the whole table: once its published cells are withheld,
the attacker's own programs reach the margin and the side is protected (the audit checks
it again).

This is the linear relaxation of the exact mode's problem for one side of one cell (its
capacity cuts ask exactly for such a deviation); the breakers of repair.py, one cell of
the LP dual per round, need many rounds where one deviation protects the side at once, at
the cost of that relaxation. repair.py repairs sides in cell order, two at a time, each
pair seeing the cells earlier ones withheld as free.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from policies.secrecy.local import gather
from policies.secrecy.rules import BoolArray, FloatArray, IntArray

# The neighbourhood: the cells within 2 relations of the pinned cell, 3 when no deviation
# stays within 2 (a commune alone in another département's EPCI moves through EPCI totals).
HOPS = (2, 3)
# A relation holding more cells than this leads only to its suppressed cells: they move for
# free, so a deviation may still pass through it, but none of its published cells joins the
# neighbourhood. On France, the national total as the sum of its 1,259 EPCI (per age band)
# put every EPCI of France within 2 relations of any cell: neighbourhoods of 48,000 cells,
# 65 s of repairs. Crossed through suppressed cells only, the four France variants of
# bench.secrecy_france take 10 to 20 s with deviations from the first round, with 3 to 22 %
# less secondary value than breakers then deviations for the last 12 cells; at 300 the
# same times, 2 to 3 % more value; unlimited (every relation crossed): 13 to 15 % less
# value again but 26 and 40 s (france, small). Regional tables have no relation this wide:
# unchanged.
WIDE_RELATION = 1_000
# The smallest move asked of a cell whose margin is zero (only exact disclosure forbidden),
# relative to its value: any move leaves it more than one value.
_SMALLEST_MOVE = 1e-4
_OPTIMAL = highspy.HighsModelStatus.kOptimal


class Deviations:
    """The cheapest deviations of one table, cell side by cell side.

    `relations` (CSR) with `by_cell` (the same as CSC, for slicing cells' columns) and
    `incidence_by_cell` (relations != 0, CSC) to find a cell's relations; `rank` is the
    suppression cost the engine minimises.
    """

    def __init__(
        self,
        relations: sparse.csr_array,
        by_cell: sparse.csc_array,
        incidence_by_cell: sparse.csc_array,
        values: FloatArray,
        rank: FloatArray,
    ) -> None:
        self.relations, self.by_cell, self.incidence = relations, by_cell, incidence_by_cell
        self.values, self.rank = np.nan_to_num(values), rank
        self.sizes = np.diff(relations.indptr)

    def cheapest(
        self,
        cell: int,
        moves: Sequence[float],
        suppressed: BoolArray,
        candidate: BoolArray,
        breakers: IntArray | None = None,
    ) -> list[IntArray] | None:
        """Return, side by side, the published cells to withhold so `cell` can move by `moves`.

        A move is signed (negative: the lower side). None when some side has no deviation
        within the largest neighbourhood (or HiGHS cannot tell): the caller repairs
        otherwise. `breakers`, when known: the cells of the attack that pins the (single)
        side which may be withheld. A neighbourhood holding none of them has no deviation
        (the attack still pins the cell there), so its program is skipped.
        """
        floor = _SMALLEST_MOVE * max(1.0, abs(float(self.values[cell])))
        signed = [float(np.sign(m) or -1.0) * max(abs(m), floor) for m in moves]
        found: dict[int, IntArray] = {}
        for hops in HOPS:
            cells, rows = self._around(cell, hops, suppressed)
            if breakers is not None and hops < HOPS[-1] and not np.isin(breakers, cells).any():
                continue
            sides = _Sides(self, cell, cells, rows, suppressed, candidate)
            for side, move in enumerate(signed):
                if side not in found and (withheld := sides.cheapest(move)) is not None:
                    found[side] = withheld
            if len(found) == len(signed):
                return [found[side] for side in range(len(signed))]
        return None

    def _around(self, cell: int, hops: int, suppressed: BoolArray) -> tuple[IntArray, IntArray]:
        """Return the cells within `hops` relations of a cell and every relation they hold.

        A wide relation (see WIDE_RELATION) leads only to its suppressed cells.
        """
        cells = np.array([cell], dtype=np.int64)
        indptr, indices = self.relations.indptr, self.relations.indices
        for _ in range(hops):
            rows = np.unique(gather(self.incidence.indptr, self.incidence.indices, cells))
            wide = self.sizes[rows] > WIDE_RELATION
            through_narrow = gather(indptr, indices, rows[~wide])
            through_wide = gather(indptr, indices, rows[wide])
            cells = np.unique(np.r_[cells, through_narrow, through_wide[suppressed[through_wide]]])
        rows = np.unique(gather(self.incidence.indptr, self.incidence.indices, cells))
        return cells, rows


class _Sides:
    """The cheapest-deviation program of one cell over one neighbourhood, side by side.

    Both sides share the program but the pinned cell's bounds: the second is solved from
    the first's basis (a hot start), a few hundred iterations instead of thousands.
    """

    def __init__(
        self,
        solver: Deviations,
        cell: int,
        cells: IntArray,
        rows: IntArray,
        suppressed: BoolArray,
        candidate: BoolArray,
    ) -> None:
        cells = cells[(suppressed | candidate)[cells]]  # the others cannot move
        row_at = np.full(solver.relations.shape[0], -1, dtype=np.int64)
        row_at[rows] = np.arange(len(rows))
        columns = solver.by_cell[:, cells]
        block = sparse.csc_array(
            (columns.data, row_at[columns.indices], columns.indptr), shape=(len(rows), len(cells))
        )
        # Suppressed cells: one free column each (no cost). Published ones: an up and a
        # down column at their cost per unit moved; a count never goes below zero.
        free, paid = np.flatnonzero(suppressed[cells]), np.flatnonzero(~suppressed[cells])
        value = solver.values[cells]
        self.lower = np.where(value[free] < 0, -np.inf, -value[free])
        self.at = int(np.searchsorted(cells[free], cell))
        self.free, self.paid, self.rank = len(free), cells[paid], solver.rank
        cost = solver.rank[self.paid]
        self.down = np.where(value[paid] < 0, np.inf, np.abs(value[paid]))
        matrix = sparse.hstack([block[:, free], block[:, paid], -block[:, paid]], format="csc")
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = matrix.shape[1], len(rows)
        lp.col_cost_ = np.r_[np.zeros(len(free)), cost, cost]
        lp.col_lower_ = np.r_[self.lower, np.zeros(2 * len(paid))]
        lp.col_upper_ = np.r_[np.full(len(free), np.inf), np.full(len(paid), np.inf), self.down]
        lp.row_lower_ = lp.row_upper_ = np.zeros(len(rows))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
        lp.a_matrix_.value_ = matrix.data
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        # Single-threaded and deterministic; presolve off: 3 x faster on these programs
        # (Occitanie's 134 programs: 4.9 s of solves instead of 21 s).
        for name, setting in (("output_flag", False), ("threads", 1), ("presolve", "off")):
            self.highs.setOptionValue(name, setting)
        self.highs.passModel(lp)

    def cheapest(self, move: float) -> IntArray | None:
        """Solve the cheapest deviation moving the cell by `move`; None when there is none."""
        at = self.at
        if move < 0:
            self._bounds([at], [self.lower[at]], [move])
        else:
            self._bounds([at], [max(self.lower[at], move)], [np.inf])
        found = self._run(move)
        if found is None:
            return None
        # Paid per unit, a deviation may split: part of the margin through a cell too small
        # to carry all of it (a count goes down to zero at most), the rest through another
        # path, and both paths are withheld. Forbid those partial moves and solve again:
        # the cheaper set of cells is kept (a 3 x 3 table: 69 instead of 123).
        small = np.flatnonzero(self.down < abs(move))
        partial = small[np.isin(self.paid[small], found)]
        if partial.size == 0:
            return found
        downs = self.free + len(self.paid) + partial
        self._bounds(downs, np.zeros(partial.size), np.zeros(partial.size))
        whole = self._run(move)
        self._bounds(downs, np.zeros(partial.size), self.down[partial])  # for the other side
        if whole is not None and self.rank[whole].sum() < self.rank[found].sum():
            return whole
        return found

    def _bounds(
        self, columns: Sequence[int] | IntArray, lower: ArrayLike, upper: ArrayLike
    ) -> None:
        """Set some columns' bounds."""
        index = np.asarray(columns, dtype=np.int32)
        self.highs.changeColsBounds(
            index.size, index, np.asarray(lower, np.float64), np.asarray(upper, np.float64)
        )

    def _run(self, move: float) -> IntArray | None:
        """Solve; return the published cells the optimal deviation moves (None: no optimum)."""
        self.highs.run()
        if self.highs.getModelStatus() != _OPTIMAL:
            return None
        point = np.asarray(self.highs.getSolution().col_value)
        free, paid = self.free, len(self.paid)
        moved = point[free : free + paid] - point[free + paid :]
        withheld: IntArray = self.paid[np.abs(moved) > 1e-9 * abs(move)].astype(np.int64)
        return withheld
