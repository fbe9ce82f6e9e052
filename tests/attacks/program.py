"""The attacker's linear program: the cells of one or more tables, every constraint seen.

Each table (a family of indicators, one period) has its variables: atoms (the finest partition
of every commune set seen in it) x categories, all non-negative. A published cell is one
equation over its table's variables; a published ratio ties two tables (or two cells of one)
by two inequalities, its rounding being the only slack. Each goal is one min and one max.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from policies.secrecy import TOTAL
from tests.attacks.player import Communes

_INF = highspy.kHighsInf
_UNBOUNDED = (
    highspy.HighsModelStatus.kUnbounded,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
)


class _Communes:
    """Every commune met, numbered once; each set's numbers, kept while the sets come back.

    The public ledger brings the same sets (France, régions, départements) into every table:
    their numbers are read once per judge, not once per table.
    """

    limit = 20_000  # sets kept; beyond, forgotten all at once

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.number: dict[str, int] = {}
        self.rows: dict[Communes, np.ndarray] = {}

    def of(self, communes: Communes) -> np.ndarray:
        found = self.rows.get(communes)
        if found is None:
            for commune in communes:
                if commune not in self.number:
                    self.number[commune] = len(self.codes)
                    self.codes.append(commune)
            found = np.fromiter(map(self.number.__getitem__, communes), np.int64, len(communes))
            if len(self.rows) >= self.limit:
                self.rows.clear()
            self.rows[communes] = found
        return found


_COMMUNES = _Communes()


def atoms_of(sets: Iterable[Communes]) -> list[Communes]:
    """Return the finest partition of the union of the sets (communes grouped by membership).

    Each set adds a random 128-bit key to the signature of its communes; communes with the
    same signature belong to the same sets (a collision is a 2^-128 event).
    """
    unique = list(dict.fromkeys(sets))
    if not unique:
        return []
    rows = [_COMMUNES.of(s) for s in unique]
    keys = np.random.default_rng(0).integers(1, 2**63, size=(len(unique), 2), dtype=np.int64)
    signature = np.zeros((len(_COMMUNES.codes), 2), dtype=np.uint64)
    for found, key in zip(rows, keys.astype(np.uint64), strict=True):
        signature[found] += key
    present = np.unique(np.concatenate(rows))
    _, labels = np.unique(signature[present], axis=0, return_inverse=True)
    order = np.argsort(labels.ravel(), kind="stable")
    cuts = np.flatnonzero(np.diff(labels.ravel()[order])) + 1
    codes = _COMMUNES.codes
    atoms = [
        frozenset(map(codes.__getitem__, present[group].tolist()))
        for group in np.split(order, cuts)
    ]
    return sorted(atoms, key=min)


@dataclass(frozen=True)
class Block:
    """One table's variables in the program: where they start, its atoms and categories."""

    offset: int
    atoms: tuple[Communes, ...]
    atom_of: np.ndarray  # the atom of each numbered commune (-1: outside the table)
    categories: tuple[str, ...]

    @property
    def width(self) -> int:
        return max(1, len(self.categories))

    @property
    def size(self) -> int:
        return len(self.atoms) * self.width


class Program:
    """One HiGHS model over the blocks of several tables, re-solved per goal."""

    def __init__(self, tables: Mapping[str, tuple[Sequence[Communes], tuple[str, ...]]]) -> None:
        self.blocks: dict[str, Block] = {}
        offset = 0
        for name, (atoms, categories) in tables.items():
            atom_of = np.full(len(_COMMUNES.codes), -1, dtype=np.int64)
            for i, atom in enumerate(atoms):
                atom_of[_COMMUNES.of(atom)] = i
            block = Block(offset, tuple(atoms), atom_of, categories)
            self.blocks[name] = block
            offset += block.size
        self.n = offset
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        self.highs.addVars(self.n, np.zeros(self.n), np.full(self.n, _INF))
        self.bound = np.zeros(self.n, dtype=bool)  # variables some row bounds from above
        self.programs = 0
        self._atoms: dict[tuple[str, Communes], np.ndarray] = {}

    def columns(self, table: str, communes: Communes, category: str) -> np.ndarray:
        """Return the variables summing to a cell: its atoms x its category (or all)."""
        block = self.blocks[table]
        atoms = self._atoms.get((table, communes))
        if atoms is None:  # the same sets come back for every category: read them once
            atoms = np.unique(block.atom_of[_COMMUNES.of(communes)])
            assert atoms.size and atoms[0] >= 0, "a cell outside its table's atoms"
            self._atoms[(table, communes)] = atoms
        if not block.categories:
            offsets: Sequence[int] = [0]
        elif category == TOTAL:
            offsets = range(block.width)
        else:
            offsets = [block.categories.index(category)]
        columns = block.offset + atoms[:, None] * block.width + np.asarray(offsets)[None, :]
        return columns.ravel().astype(np.int32)

    def equal(self, table: str, communes: Communes, category: str, value: float) -> None:
        cols = self.columns(table, communes, category)
        self.highs.addRow(value, value, len(cols), cols, np.ones(len(cols)))
        self.bound[cols] = True

    def ratio(
        self,
        numerator: np.ndarray,
        denominator: np.ndarray,
        multiplier: float,
        ratio: float,
        slack: float,
    ) -> None:
        """Add (ratio - slack) x den <= multiplier x num <= (ratio + slack) x den."""
        for low, coefficient in ((0.0, ratio - slack), (-_INF, ratio + slack)):
            high = _INF if low == 0.0 else 0.0
            cols = np.concatenate([numerator, denominator])
            values = np.concatenate(
                [np.full(len(numerator), multiplier), np.full(len(denominator), -coefficient)]
            )
            merged: dict[int, float] = {}
            for col, value in zip(cols.tolist(), values.tolist(), strict=True):
                merged[col] = merged.get(col, 0.0) + value
            keys = np.asarray(list(merged), dtype=np.int32)
            self.highs.addRow(low, high, len(keys), keys, np.asarray(list(merged.values())))
        # Whether a term is bounded above through the other is left to the solver.
        self.bound[numerator] = self.bound[denominator] = True

    def bounds(
        self, table: str, communes: Communes, category: str, *, low: bool = True
    ) -> tuple[float, float]:
        """Return the attacker's [min, max] of a cell (min 0 unsolved when `low` is False)."""
        cols = self.columns(table, communes, category)
        minimum = self._extreme(cols, 1.0) if low else 0.0
        high = np.inf if not self.bound[cols].all() else self._extreme(cols, -1.0)
        return minimum, high

    def _extreme(self, cols: np.ndarray, sign: float) -> float:
        cost = np.zeros(self.n)
        cost[cols] = sign
        self.highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), cost)
        self.highs.run()
        self.programs += 1
        status = self.highs.getModelStatus()
        if status in _UNBOUNDED:  # the model is feasible: the truth satisfies it
            return -sign * np.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise AssertionError(
                f"programme de l'attaquant : {self.highs.modelStatusToString(status)}"
            )
        return float(sign * self.highs.getInfo().objective_function_value)
