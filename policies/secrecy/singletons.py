"""tau-Argus's singleton options: what the units of a relation's withheld cells learn from it.

A singleton's unit knows its own value. In a relation whose only withheld cells are that
cell and one primary cell of another unit, it subtracts and recomputes the primary cell:
"single-single" protects a primary cell that is a singleton too, "single-multiple" one of
several units. "Min frequency": primary cells withheld alone, on one side of a relation (two
or more, no other cell of it withheld), give their sum; fewer units than the FREQ rule's
threshold in all make that sum a cell of too few units. Each case needs one more withheld
cell in the relation. These are the three options of tau-Argus's modular and optimal
suppressions, MOD(t, time, SingleSingle, SingleMultiple, MinFreq), counted relation by
relation as tau-Argus counts them (sdcTools/tauargus, src/tauargus/model/SaveTable.java); the
attacker's programs check every other combination.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Singletons:
    """The table's singleton owners and unit counts, and which options protect them.

    ``owner``: the sole unit of each singleton cell (-1 elsewhere; -1 everywhere when only
    ``min_frequency`` applies). ``frequency``: the units of each cell. ``min_frequency``: the
    FREQ rule's threshold when the option is on, 0 when off.
    """

    owner: IntArray
    frequency: IntArray
    single_single: bool = True
    single_multiple: bool = True
    min_frequency: int = 0

    def exposes(self, a: IntArray, b: IntArray, primary: BoolArray) -> BoolArray:
        """Tell, pair by pair, whether a's unit recomputes the primary cell b from a relation
        holding only a and b withheld."""
        covered = np.where(self.owner[b] >= 0, self.single_single, self.single_multiple)
        result: BoolArray = (
            (self.owner[a] >= 0) & (self.owner[a] != self.owner[b]) & primary[b] & covered
        )
        return result

    def exposed_rows(
        self, relations: sparse.csr_array, suppressed: BoolArray, primary: BoolArray
    ) -> tuple[IntArray, IntArray]:
        """Return the relations leaving a primary cell to a singleton's unit, and that cell."""
        ids = np.flatnonzero(suppressed)
        sub = sparse.csr_array(relations[:, ids] != 0)
        rows = np.flatnonzero(np.diff(sub.indptr) == 2)
        first = ids[sub.indices[sub.indptr[rows]]]
        second = ids[sub.indices[sub.indptr[rows] + 1]]
        hit_rows, hit_cells = [], []
        for a, b in ((first, second), (second, first)):
            hit = self.exposes(a, b, primary)
            hit_rows.append(rows[hit])
            hit_cells.append(b[hit])
        return np.concatenate(hit_rows), np.concatenate(hit_cells)

    def crowded_rows(
        self, relations: sparse.csr_array, suppressed: BoolArray, primary: BoolArray
    ) -> IntArray:
        """Return the relations whose withheld cells, all primary and on one side, hold fewer
        units than ``min_frequency`` between them (empty when the option is off)."""
        if self.min_frequency <= 0:
            return np.zeros(0, dtype=np.int64)
        held = suppressed.astype(np.float64)
        sensitive = suppressed & primary
        plus = sparse.csr_array(relations > 0).astype(np.float64)
        minus = sparse.csr_array(relations < 0).astype(np.float64)
        held_plus, held_minus = plus @ held, minus @ held
        count = held_plus + held_minus
        units = (plus + minus) @ np.where(sensitive, self.frequency, 0).astype(np.float64)
        rows = np.flatnonzero(
            (count >= 2)
            & ((plus + minus) @ sensitive.astype(np.float64) == count)
            & ((held_plus == 0) | (held_minus == 0))
            & (units > 0)
            & (units < self.min_frequency)
        )
        return rows.astype(np.int64)

    def needy_rows(
        self, relations: sparse.csr_array, suppressed: BoolArray, primary: BoolArray
    ) -> IntArray:
        """Return every relation one of the options says needs one more withheld cell."""
        exposed, _ = self.exposed_rows(relations, suppressed, primary)
        return np.union1d(exposed, self.crowded_rows(relations, suppressed, primary))

    def exposed_cells(
        self, relations: sparse.csr_array, suppressed: BoolArray, primary: BoolArray
    ) -> IntArray:
        """Return the primary cells an option finds disclosed (the audit's failures)."""
        _, cells = self.exposed_rows(relations, suppressed, primary)
        crowded = self.crowded_rows(relations, suppressed, primary)
        members = sparse.csr_array(relations[crowded] != 0).indices
        grouped = members[suppressed[members] & primary[members]]
        return np.union1d(cells, grouped).astype(np.int64)

    def discloses(self, left: IntArray, signs: FloatArray, primary: BoolArray) -> bool:
        """Tell whether one relation, whose withheld cells are `left` (their coefficients
        `signs`), discloses a primary cell or group under the options."""
        if len(left) == 2:
            a, b = left[:1], left[1:]
            if self.exposes(a, b, primary)[0] or self.exposes(b, a, primary)[0]:
                return True
        if self.min_frequency <= 0 or len(left) < 2 or not primary[left].all():
            return False
        if (signs > 0).any() and (signs < 0).any():
            return False
        units = int(self.frequency[left].sum())
        return 0 < units < self.min_frequency
