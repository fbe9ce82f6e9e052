"""Pruning: publish back secondary cells that no primary cell needs, most expensive first.

Closing relations and repairing the audit only ever add cells, so a pattern ends up with
cells that later additions made useless. Each secondary cell the engine added is tried in
turn: it is fixed at its true value in the LP of its component (publishing a cell only
shrinks the feasible set of that component) and stays published when every primary cell of
the component is still shown to reach v(1 -/+ P/100) and the singleton rule still holds.

Protection is shown by feasible points (witnesses), as the certifying audit does: a point
with the tried cell already at its true value stays feasible once the cell is published, so
only the primaries whose witnesses moved that cell need new programs. Points found while a
trial fails are feasible for the kept pattern too and are kept.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

from policies.secrecy.audit import _short, components, required
from policies.secrecy.lp import ComponentLP
from policies.secrecy.progress import Stage, advance
from policies.secrecy.rules import BoolArray, FloatArray, IntArray, Percent
from policies.secrecy.singletons import Singletons

# Witness points kept per component (rows x cells), bounding memory on big components.
_POINTS = 4_000_000
# Components pruned at most (each program on a bigger one costs too much for France-wide
# tables, whose components reach 14,000 cells; their patterns stay as grown).
_CELLS = 3000
# Primaries next to a tried cell solved alone before any push (most failures show there).
_NEAR = 8


def prune(
    relations: sparse.csr_array,
    values: FloatArray,
    pattern: BoolArray,
    primary: BoolArray,
    releasable: BoolArray,
    rank: FloatArray,
    interval_percent: Percent,
    singletons: Singletons | None,
    budget: int,
) -> tuple[BoolArray, BoolArray]:
    """Return the pattern with every releasable cell published that protection allows, and
    the cells of the components that changed (bounds found elsewhere stay valid).

    `budget` caps the programs solved per component (trials stop there), keeping big tables
    fast; the order is fixed (rank descending, then cell id), so the result is deterministic.
    Components holding an unprotected primary cell are left as they are.
    """
    result, changed = pattern.copy(), np.zeros_like(pattern)
    need_low, need_high = _targets(values, interval_percent)
    by_cell, by_row = sparse.csc_array(relations != 0), sparse.csr_array(relations, copy=True)
    by_row.eliminate_zeros()  # its coefficients: the signs the singleton options read
    columns = sparse.csc_array(relations)
    groups = [
        cells
        for cells in components(relations, pattern)
        if len(cells) <= _CELLS and releasable[cells].any()
    ]

    def trials(cells: IntArray) -> None:
        todo = cells[releasable[cells]]
        order = todo[np.lexsort((todo, -rank[todo]))]
        trial = _Trials(
            ComponentLP(relations, values, cells, columns), need_low, need_high, primary
        )
        if not trial.start():
            return
        for cell in order:
            if trial.model.programs >= budget:
                break
            result[cell] = False
            if _disclosed(by_cell, by_row, result, primary, singletons, cell):
                result[cell] = True
                continue
            near = np.isin(cells, _neighbours(by_cell, by_row, cell))
            if not trial.release(int(np.searchsorted(cells, cell)), near):
                result[cell] = True
        changed[cells] = (~result[cells]).any()

    # Components are independent (a trial reads and writes only its own component's cells):
    # two at a time, as the audit solves them (HiGHS releases the GIL while it solves, 83 %
    # of pruning's time on France), the same pattern in any order. Biggest first, so the
    # last one left running alone is small.
    by_size = sorted(groups, key=lambda g: (-len(g), int(g[0])))
    with ThreadPoolExecutor(2) as pool:
        for done, _ in enumerate(pool.map(trials, by_size)):
            advance(Stage.PRUNING, done / max(1, len(by_size)))
    return result, changed


def _targets(values: FloatArray, interval_percent: Percent) -> tuple[FloatArray, FloatArray]:
    """Return the required bounds, widened just enough that reaching them is never exact."""
    need_low, need_high = required(values, interval_percent)
    wide = 4e-7 * np.maximum(1.0, np.abs(values))
    return np.fmin(need_low, values - wide), np.fmax(need_high, values + wide)


class _Trials:
    """Witness points of one component and the release trials made with them."""

    def __init__(
        self, model: ComponentLP, need_low: FloatArray, need_high: FloatArray, primary: BoolArray
    ) -> None:
        self.model = model
        cells = model.cells
        self.primary = primary[cells]
        self.need_low, self.need_high = need_low[cells], need_high[cells]
        self.points = np.empty((0, len(cells)))
        self.found: list[FloatArray] = []
        self.limit = max(16, _POINTS // max(1, len(cells)))

    def release(self, column: int, near: BoolArray) -> bool:
        """Publish one cell when every primary stays protected; keep it withheld otherwise."""
        self.model.publish(column)
        value = self.model.values[column]
        still = np.abs(self.points[:, column] - value) <= 1e-9 * max(1.0, abs(value))
        kept = self._cover(self.points[still], near)
        if kept:
            self.points = self.points[still]
        else:
            self.model.withhold(column)
        # Points found with the cell published are feasible with it withheld as well.
        self.points = np.vstack([self.points, *self.found])[-self.limit :]
        return kept

    def start(self) -> bool:
        """Certify the component as it is; False when some primary is not protected."""
        kept = self._cover(self.points, np.zeros(len(self.primary), dtype=bool))
        self.points = np.vstack([self.points, *self.found])[-self.limit :]
        return kept

    def _cover(self, points: FloatArray, near: BoolArray) -> bool:
        """Find points until every primary reaches both its needs; False at the first failure.

        Primaries sharing a relation with the cell just published are the likeliest to fail:
        a few of them get their single programs first, so a failing trial costs few programs.
        """
        self.found = []
        low, high = self._bounds(points)
        for sign in (1.0, -1.0):
            short = _short(low, high, self.need_low, self.need_high, sign) & self.primary
            for column in np.flatnonzero(short & near)[:_NEAR]:
                if not self._single(int(column), sign, low, high):
                    return False
            short = _short(low, high, self.need_low, self.need_high, sign) & self.primary
            while short.any():
                point = self.model.push(np.flatnonzero(short), sign)
                if point is None:
                    break
                self._add(point, low, high)
                still = _short(low, high, self.need_low, self.need_high, sign) & self.primary
                progress = still.sum() <= 0.8 * short.sum()
                short = still
                if not progress:
                    break
            for column in np.flatnonzero(short):
                if not self._single(int(column), sign, low, high):
                    return False
        return True

    def _single(self, column: int, sign: float, low: FloatArray, high: FloatArray) -> bool:
        """Solve one side of one primary cell; tell whether it reaches its need."""
        bound = self.model.extreme(column, sign)
        if np.isnan(bound):
            return False
        if self.model.last_point is not None:
            self._add(self.model.last_point, low, high)
        if sign > 0:
            low[column] = min(low[column], bound)
        else:
            high[column] = max(high[column], bound)
        one = slice(column, column + 1)
        return not _short(low[one], high[one], self.need_low[one], self.need_high[one], sign)[0]

    def _bounds(self, points: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return the inner bounds some witness points give (the true values are feasible)."""
        values = self.model.values
        if len(points) == 0:
            return values.copy(), values.copy()
        return np.fmin(values, points.min(axis=0)), np.fmax(values, points.max(axis=0))

    def _add(self, point: FloatArray, low: FloatArray, high: FloatArray) -> None:
        """Keep one feasible point and widen the bounds with it."""
        self.found.append(point[None, :])
        np.fmin(low, point, out=low)
        np.fmax(high, point, out=high)


def _neighbours(by_cell: sparse.csc_array, by_row: sparse.csr_array, cell: int) -> IntArray:
    """Return the cells sharing a relation with one cell."""
    rows = by_cell.indices[by_cell.indptr[cell] : by_cell.indptr[cell + 1]]
    found: IntArray = np.unique(
        np.concatenate(
            [by_row.indices[by_row.indptr[r] : by_row.indptr[r + 1]] for r in rows]
            or [np.empty(0, np.int64)]
        )
    )
    return found


def _disclosed(
    by_cell: sparse.csc_array,
    by_row: sparse.csr_array,
    pattern: BoolArray,
    primary: BoolArray,
    singletons: Singletons | None,
    cell: int,
) -> bool:
    """Tell whether publishing a cell visibly discloses a primary one, without any program.

    A relation of that cell left with one suppressed primary cell computes it; the singleton
    options (singletons.py) name the others. Most failing trials stop here. `by_row` holds
    the relations' coefficients.
    """
    for row in by_cell.indices[by_cell.indptr[cell] : by_cell.indptr[cell + 1]]:
        members = by_row.indices[by_row.indptr[row] : by_row.indptr[row + 1]]
        held = pattern[members]
        left = members[held]
        if len(left) == 1 and primary[left[0]]:
            return True
        signs = by_row.data[by_row.indptr[row] : by_row.indptr[row + 1]][held]
        if singletons is not None and singletons.discloses(left, signs, primary):
            return True
    return False
