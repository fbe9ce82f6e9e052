"""Primary suppression rules, written as tau-Argus writes them, and protection options."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from policies.errors import InvalidInput
from policies.secrecy.status import REASON_CODE, Reason

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_RULE = re.compile(r"^\s*(FREQ|NK|P)\s*\(\s*([0-9.]+)\s*(?:,\s*([0-9.]+)\s*)?\)\s*$", re.IGNORECASE)


class CostMode(StrEnum):
    """What a secondary suppression costs: the cell's value, its units, or one."""

    VALUE = "value"
    FREQ = "freq"
    UNITY = "unity"


@dataclass(frozen=True)
class FreqRule:
    """FREQ(n, r): a non-empty cell with fewer than n units is unsafe."""

    min_units: int
    safety_range: float = 0.0

    def unsafe(self, cells: CellStats) -> BoolArray:
        """Flag the cells this rule makes primary."""
        return (cells.freq > 0) & (cells.freq < self.min_units)

    def __str__(self) -> str:
        return f"FREQ({self.min_units},{self.safety_range:g})"


@dataclass(frozen=True)
class DominanceRule:
    """NK(n, k): the n largest units make more than k% of the cell."""

    n: int
    k: float

    def unsafe(self, cells: CellStats) -> BoolArray:
        """Flag the cells this rule makes primary."""
        top = cells.top1 if self.n == 1 else cells.top1 + cells.top2
        return (cells.value > 0) & (top > self.k / 100.0 * cells.value)

    def __str__(self) -> str:
        return f"NK({self.n},{self.k:g})"


@dataclass(frozen=True)
class PPercentRule:
    """P(p, n): the second largest unit could estimate the largest within p%."""

    p: float
    n: int = 1

    def unsafe(self, cells: CellStats) -> BoolArray:
        """Flag the cells this rule makes primary."""
        rest = cells.value - cells.top1 - cells.top2
        return (cells.value > 0) & (rest < self.p / 100.0 * cells.top1)

    def __str__(self) -> str:
        return f"P({self.p:g},{self.n})"


Rule = FreqRule | DominanceRule | PPercentRule


@dataclass(frozen=True)
class CellStats:
    """Per-cell statistics the rules read (one array entry per cell)."""

    value: FloatArray
    freq: IntArray
    top1: FloatArray
    top2: FloatArray
    # Id of the sole unit of each singleton cell (-1 elsewhere): cells sharing it share a unit.
    owner: IntArray


@dataclass(frozen=True)
class Options:
    """How to treat zero cells, singletons and pairs; protection level; cost of suppression."""

    zero_unsafe: bool = False
    singleton: bool = True
    pair: bool = False
    interval_percent: float = 10.0
    cost: CostMode = CostMode.VALUE

    def __post_init__(self) -> None:
        if not 0 <= self.interval_percent < 100:
            raise InvalidInput("Le pourcentage d'intervalle doit être compris entre 0 et 100.")


def parse_rule(text: str) -> Rule:
    """Parse one rule in tau-Argus notation, e.g. FREQ(5,10), NK(1,85), P(10,1)."""
    match = _RULE.match(text)
    if match is None:
        raise InvalidInput(f"Règle mal formée : « {text} » (attendu FREQ(n,r), NK(n,k) ou P(p,n)).")
    name, first, second = match.group(1).upper(), float(match.group(2)), match.group(3)
    if name == "FREQ":
        return FreqRule(_whole(first, text), float(second or 0))
    if second is None:
        raise InvalidInput(f"Règle mal formée : « {text} » (deux paramètres attendus).")
    if name == "NK":
        n = _whole(first, text)
        if n not in (1, 2) or not 0 < float(second) <= 100:
            raise InvalidInput(f"Règle non prise en charge : « {text} » (NK(1,k) ou NK(2,k)).")
        return DominanceRule(n, float(second))
    if _whole(float(second), text) != 1 or not 0 < first <= 100:
        raise InvalidInput(f"Règle non prise en charge : « {text} » (P(p,1) seulement).")
    return PPercentRule(first, 1)


def _whole(number: float, text: str) -> int:
    """Return number as an int, refusing fractional counts."""
    if number != int(number) or number < 1:
        raise InvalidInput(f"Règle mal formée : « {text} » (un entier positif est attendu).")
    return int(number)


def needs_top(rules: tuple[Rule, ...]) -> int:
    """Return how many top contributions the rules read (0, 1 or 2)."""
    needed = [
        2 if isinstance(r, PPercentRule) else r.n for r in rules if not isinstance(r, FreqRule)
    ]
    return max(needed, default=0)


def primary_reasons(cells: CellStats, rules: tuple[Rule, ...], options: Options) -> IntArray:
    """Return the reason code of every cell (Reason.NONE when the rules find it safe)."""
    reason = np.full(cells.value.shape, REASON_CODE[Reason.NONE], dtype=np.int64)
    empty = cells.freq == 0
    checks: list[tuple[Reason, BoolArray]] = []
    # Earlier checks win: they name the most telling reason for a cell.
    if options.zero_unsafe:
        checks.append((Reason.ZERO, empty))
    if options.singleton:
        checks.append((Reason.SINGLETON, cells.freq == 1))
    if options.pair:
        checks.append((Reason.PAIR, cells.freq == 2))
    kinds = {FreqRule: Reason.FREQUENCY, DominanceRule: Reason.DOMINANCE}
    checks += [(kinds.get(type(rule), Reason.P_PERCENT), rule.unsafe(cells)) for rule in rules]
    for why, flagged in reversed(checks):
        reason[flagged & ~(empty & (why != Reason.ZERO))] = REASON_CODE[why]
    return reason
