"""Primary suppression rules, written as tau-Argus writes them, and protection options.

A rule kind is one frozen dataclass below: its fields are its parameters in the order the
field writes them (``FREQ(n,r)``: ``min_units`` then ``safety_range``), its ``notation`` names
it, it checks its own bounds, says which cells it makes primary and explains itself in French.
``RULE_KINDS`` registers it for ``parse_rule``, the one reader of the notation; ``str(rule)``
writes it back as the field writes it, and ``parse_rule(str(rule)) == rule``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from policies.errors import InvalidInput
from policies.secrecy.status import REASON_CODE, Reason

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_NUMBER = r"\d+(?:\.\d*)?|\.\d+"
#: NAME(a, b, ...): a name and decimal parameters, spaces allowed around each part.
_RULE = re.compile(rf"\s*([A-Za-z]+)\s*\(\s*((?:{_NUMBER})(?:\s*,\s*(?:{_NUMBER}))*)\s*\)\s*")


class CostMode(StrEnum):
    """What a secondary suppression costs: the cell's value, its units, or one."""

    VALUE = "value"
    FREQ = "freq"
    UNITY = "unity"


class RuleError(InvalidInput):
    """A rule the notation cannot read, or one the engine does not apply."""

    fault: ClassVar[str] = "Règle invalide"

    def __init__(self, text: str, hint: str) -> None:
        super().__init__(f"{self.fault} : « {text} » ({hint}).")
        self.text = text
        self.hint = hint

    def __reduce__(self) -> tuple[type[RuleError], tuple[str, str]]:
        return type(self), (self.text, self.hint)


class MalformedRule(RuleError):
    """Not written in the notation: unknown name, wrong punctuation or parameter count."""

    fault = "Règle mal formée"


class UnsupportedRule(RuleError):
    """Well written, but its parameters are out of the bounds the engine applies."""

    fault = "Règle non prise en charge"


@dataclass(frozen=True)
class Rule(ABC):
    """A primary rule; every kind is a frozen dataclass whose fields are its parameters."""

    #: How the field writes the kind: its name, then its parameters ("FREQ(n,r)").
    notation: ClassVar[str]
    #: The reason code of the cells the rule makes primary.
    reason: ClassVar[Reason]

    def __post_init__(self) -> None:
        problem = self.out_of_bounds()
        if problem:
            raise UnsupportedRule(str(self), problem)

    @classmethod
    def name(cls) -> str:
        """Return the kind's name as written ("FREQ")."""
        return cls.notation.partition("(")[0]

    @property
    def top_units(self) -> int:
        """How many of the largest unit contributions the rule reads (0: it counts units)."""
        return 0

    @abstractmethod
    def out_of_bounds(self) -> str | None:
        """Say what is wrong with the parameters (None when the engine applies them)."""

    @abstractmethod
    def unsafe(self, cells: CellStats) -> BoolArray:
        """Flag the cells this rule makes primary."""

    @abstractmethod
    def explain_fr(self, contributors: str = "contributeurs") -> str:
        """Explain the rule in French for the note explicative, starting with its writing.

        ``contributors`` names the contributing units ("foyers contributeurs").
        """

    def __str__(self) -> str:
        values = ",".join(_written(getattr(self, f.name)) for f in fields(self))
        return f"{self.name()}({values})"


@dataclass(frozen=True)
class FreqRule(Rule):
    """FREQ(n, r): a non-empty cell with fewer than n units is unsafe (r: safety range, %)."""

    notation = "FREQ(n,r)"
    reason = Reason.FREQUENCY

    min_units: int
    safety_range: float = 0.0

    def out_of_bounds(self) -> str | None:
        if self.min_units < 1 or not 0 <= self.safety_range <= 100:
            return "FREQ(n,r) : n au moins 1, r entre 0 et 100"
        return None

    def unsafe(self, cells: CellStats) -> BoolArray:
        return (cells.freq > 0) & (cells.freq < self.min_units)

    def explain_fr(self, contributors: str = "contributeurs") -> str:
        return (
            f"{self} : une cellule comptant moins de {self.min_units} {contributors} est masquée "
            f"(marge de protection : {_french(self.safety_range)} %)."
        )


@dataclass(frozen=True)
class DominanceRule(Rule):
    """NK(n, k): the n largest units make more than k% of the cell."""

    notation = "NK(n,k)"
    reason = Reason.DOMINANCE

    n: int
    k: float

    @property
    def top_units(self) -> int:
        return self.n

    def out_of_bounds(self) -> str | None:
        if self.n not in (1, 2) or not 0 < self.k <= 100:
            return "NK(1,k) ou NK(2,k), k dans ]0, 100]"
        return None

    def unsafe(self, cells: CellStats) -> BoolArray:
        top = cells.top1 if self.n == 1 else cells.top1 + cells.top2
        return (cells.value > 0) & (top > self.k / 100.0 * cells.value)

    def explain_fr(self, contributors: str = "contributeurs") -> str:
        largest = (
            "son plus gros contributeur en représente"
            if self.n == 1
            else f"ses {self.n} plus gros contributeurs en représentent"
        )
        return (
            f"{self} : une cellule est masquée lorsque {largest} plus de {_french(self.k)} % "
            "(règle de dominance)."
        )


@dataclass(frozen=True)
class PPercentRule(Rule):
    """P(p, n): the second largest unit could estimate the largest within p%."""

    notation = "P(p,n)"
    reason = Reason.P_PERCENT

    p: float
    n: int

    @property
    def top_units(self) -> int:
        return 2

    def out_of_bounds(self) -> str | None:
        if self.n != 1 or not 0 < self.p <= 100:
            return "P(p,1) seulement, p dans ]0, 100]"
        return None

    def unsafe(self, cells: CellStats) -> BoolArray:
        rest = cells.value - cells.top1 - cells.top2
        return (cells.value > 0) & (rest < self.p / 100.0 * cells.top1)

    def explain_fr(self, contributors: str = "contributeurs") -> str:
        return (
            f"{self} : une cellule est masquée lorsque un autre contributeur pourrait estimer la "
            f"contribution du plus gros à moins de {_french(self.p)} % près (règle du p %)."
        )


#: Every rule kind the notation knows, by name: a new kind is its dataclass and one entry here.
RULE_KINDS: Mapping[str, type[Rule]] = MappingProxyType(
    {kind.name(): kind for kind in (FreqRule, DominanceRule, PPercentRule)}
)
#: How the field writes each kind ("FREQ(n,r)", "NK(n,k)", "P(p,n)").
RULE_NOTATIONS: tuple[str, ...] = tuple(kind.notation for kind in RULE_KINDS.values())


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
    """Read one rule in tau-Argus notation, e.g. FREQ(5,10), NK(1,85), P(10,1).

    Names are read in any case and spaces are allowed; a parameter with a default may be left
    out (``FREQ(5)`` is ``FREQ(5,0)``). Raise MalformedRule when the text is not in the
    notation, UnsupportedRule when its parameters are out of the engine's bounds.
    """
    match = _RULE.fullmatch(text)
    kind = RULE_KINDS.get(match.group(1).upper()) if match else None
    if match is None or kind is None:
        expected = ", ".join(RULE_NOTATIONS[:-1]) + " ou " + RULE_NOTATIONS[-1]
        raise MalformedRule(text, f"attendu {expected}")
    numbers = [float(number) for number in re.split(r"\s*,\s*", match.group(2))]
    params = fields(kind)
    required = sum(1 for f in params if f.default is MISSING)
    if not required <= len(numbers) <= len(params):
        raise MalformedRule(text, f"attendu {kind.notation}")
    values: dict[str, float] = {}
    for param, number in zip(params, numbers, strict=False):
        if param.type in (int, "int") and not number.is_integer():
            raise MalformedRule(text, "un nombre entier est attendu")
        values[param.name] = int(number) if param.type in (int, "int") else number
    try:
        return kind(**values)
    except UnsupportedRule as error:
        raise UnsupportedRule(text, error.hint) from None


def _written(number: float) -> str:
    """Write a parameter as the field does: 10, 85.5 (the shortest text that reads back)."""
    return str(np.format_float_positional(number, trim="-"))


def _french(number: float) -> str:
    """Write a parameter for a French sentence: 10, 85,5."""
    return _written(number).replace(".", ",")


def needs_top(rules: tuple[Rule, ...]) -> int:
    """Return how many top contributions the rules read (0, 1 or 2)."""
    return max((rule.top_units for rule in rules), default=0)


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
    checks += [(rule.reason, rule.unsafe(cells)) for rule in rules]
    for why, flagged in reversed(checks):
        reason[flagged & ~(empty & (why != Reason.ZERO))] = REASON_CODE[why]
    return reason
