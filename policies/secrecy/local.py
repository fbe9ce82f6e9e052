"""Local programs for the few primary cells of a big component an audit has left to check.

After the first rounds of repairs, a France-wide pattern has one component of 60,000 cells
and a handful of primary cells not yet certified; solving that component's program cold
costs about 0.5 s a round, for cells whose fate is decided next to them. Two small programs
over the cells around one primary cell (``_HOPS`` relations away) decide most of them:

- the *restriction*: those cells free, every other cell fixed at its true value (the
  other suppressed cells too). Its feasible points are feasible for the whole component,
  so a bound it reaches is reached (an inner bound, as the certifying audit keeps);
- the *relaxation*: those cells free under only the relations around the primary cell,
  the component's other relations dropped. Its feasible set holds the component's, so a
  bound it cannot reach is not reachable: the primary cell is unprotected, and the dual of
  its program, a combination of true relations, is an attack on the whole table.

A cell neither program decides is left to the component's own program, as before, with
the cells not yet checked.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from policies.secrecy.lp import ComponentLP
from policies.secrecy.rules import BoolArray, FloatArray, IntArray

# Components at least this big, with at most LOCAL_PENDING primary cells to check, are
# checked cell by cell with local programs first.
LOCAL_CELLS = 5000
LOCAL_PENDING = 32
# The local programs reach 2, then 3... up to _HOPS relations away from the cell (the
# relations of the cell, then those of their other suppressed cells...), while they hold at
# most _CELLS cells: past that, the component's program is about as cheap.
_HOPS = 6
_CELLS = 12000


def certify_local(
    relations: sparse.csr_array,
    by_cell: sparse.csc_array,
    values: FloatArray,
    suppressed: BoolArray,
    pending: IntArray,
    need: tuple[FloatArray, FloatArray],
    bounds: tuple[FloatArray, FloatArray],
) -> tuple[IntArray, dict[int, IntArray], int]:
    """Decide pending primary cells by local programs, widening `bounds` (in place).

    Cells are taken in id order; the first one left undecided and those after it are
    returned for the component's program, with the attacks found on the cells shown
    unprotected and the number of programs solved.
    """
    undecided: list[int] = []
    attacks: dict[int, IntArray] = {}
    programs = 0
    for cell in pending.tolist():
        verdict: bool | None = None
        for hops in range(2, _HOPS + 1):
            cells, rows = _around(relations, by_cell, suppressed, cell, hops)
            if len(cells) > _CELLS:
                break
            local = _Local(relations, by_cell, values, cells, rows, cell)
            verdict, attack = local.decide(need, bounds)
            programs += local.programs
            if verdict is not None:
                if attack is not None:
                    attacks[cell] = attack
                break
        if verdict is None:
            # The component's program is needed anyway: it checks the cells left as well.
            undecided = pending[pending >= cell].tolist()
            break
    return np.array(undecided, dtype=np.int64), attacks, programs


class _Local:
    """The two local programs of one primary cell (the relaxation built when needed)."""

    def __init__(
        self,
        relations: sparse.csr_array,
        by_cell: sparse.csc_array,
        values: FloatArray,
        cells: IntArray,
        rows: IntArray,
        cell: int,
    ) -> None:
        self.relations, self.values, self.cells, self.rows = relations, values, cells, rows
        self.cell, self.column = cell, int(np.searchsorted(cells, cell))
        self.inner = ComponentLP(relations, values, cells, by_cell)
        self.outer: ComponentLP | None = None

    @property
    def programs(self) -> int:
        """Return the programs solved so far."""
        return self.inner.programs + (0 if self.outer is None else self.outer.programs)

    def decide(
        self, need: tuple[FloatArray, FloatArray], bounds: tuple[FloatArray, FloatArray]
    ) -> tuple[bool | None, IntArray | None]:
        """Return True (protected), False with its attack (unprotected) or None (open).

        The restriction's bounds widen `bounds` (inner bounds, in place) on either outcome.
        """
        from policies.secrecy.audit import _short as short  # audit.py imports this module

        one = slice(self.cell, self.cell + 1)
        need_low, need_high = need[0][one], need[1][one]
        low, high = bounds[0][one], bounds[1][one]  # views: updated in place
        found: IntArray | None = None  # an attack: the cell is unprotected
        open_side = False
        for sign in (1.0, -1.0):
            if not short(low, high, need_low, need_high, sign)[0]:
                continue
            bound = self.inner.extreme(self.column, sign)
            if sign > 0:
                low[0] = np.fmin(low[0], bound)
            else:
                high[0] = np.fmax(high[0], bound)
            if found is not None or not short(low, high, need_low, need_high, sign)[0]:
                continue
            if self.outer is None:
                block = sparse.csr_array(self.relations[self.rows])
                self.outer = ComponentLP(block, self.values, self.cells)
            far = np.full(1, self.outer.extreme(self.column, sign))
            attack = self.outer.attack()
            if not np.isnan(far[0]) and short(far, far, need_low, need_high, sign)[0]:
                found = attack
            open_side |= found is None
        if found is not None:
            return False, found
        return (None if open_side else True), None


def _around(
    relations: sparse.csr_array,
    by_cell: sparse.csc_array,
    suppressed: BoolArray,
    cell: int,
    hops: int,
) -> tuple[IntArray, IntArray]:
    """Return the suppressed cells within some relations of a cell, and those relations."""
    cells = np.array([cell], dtype=np.int64)
    rows = np.empty(0, dtype=np.int64)
    for _ in range(hops):
        rows = np.unique(gather(by_cell.indptr, by_cell.indices, cells))
        reached = gather(relations.indptr, relations.indices, rows)
        cells = np.unique(reached[suppressed[reached]])
    return cells, rows


def gather(indptr: IntArray, indices: IntArray, ids: IntArray) -> IntArray:
    """Return the indices of the given rows of a compressed matrix, one after the other."""
    starts, ends = indptr[ids], indptr[ids + 1]
    counts = ends - starts
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    found: IntArray = np.asarray(indices[np.repeat(starts, counts) + offsets], dtype=np.int64)
    return found
