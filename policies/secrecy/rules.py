"""Primary suppression rules, written as tau-Argus writes them, and protection options.

A rule kind is one frozen dataclass below: its fields are its parameters in the order the
field writes them (``FREQ(n,r)``: ``min_units`` then ``safety_range``), its ``notation`` names
it, it checks its own bounds, says which cells it makes primary and explains itself in French.
``RULE_KINDS`` registers it for ``parse_rule``, the one reader of the notation; ``str(rule)``
writes it back as the field writes it, and ``parse_rule(str(rule)) == rule``.

The definitions are tau-Argus's (libtauargus ``Table.cpp``, ``DataCell.cpp``): with X the cell
total and x1 >= x2 >= ... its units' contributions, ``NK(n,k)`` flags x1 + ... + xn > k% X and
``P(p,n)`` flags X - (x1 + x2 + ... + x(n+1)) < p% x1 (a coalition of the n units ranking 2nd to
(n+1)th estimates the largest one; ``P(p,1)`` is the classic p% rule). ``FREQ(n,r)`` flags
0 < units < n, and r is the protection interval (%) its cells need (tau-Argus's frequency
safety range); other primary cells need the table's ``interval_percent``.
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
#: A protection interval in % of the value: one for every cell, or one per cell.
Percent = float | FloatArray

#: The most unit contributions a rule may read per cell (NK(n,k): n; P(p,n): n + 1). The engine
#: keeps that many for every cell of the full table: 20 x 8 bytes x 290,000 cells (France x 7
#: age bands) is 46 MB, the price of a rule nobody writes past NK(5,k).
MAX_TOP = 20

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

    @property
    def margin(self) -> float | None:
        """The protection interval (%) its primary cells need (None: the table's interval)."""
        return None

    def protection_level(self, cells: CellStats) -> FloatArray | None:
        """The uncertainty each cell it flags needs, as the rule itself sets it: how much the
        cell would have to grow to satisfy the rule (tau-Argus's protection level for
        dominance rules). None for a rule that sets none (FREQ: its `margin`)."""
        return None

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
    """FREQ(n, r): a non-empty cell with fewer than n units is unsafe; r% protects it.

    r is tau-Argus's frequency safety range: the protection interval (% of the value) the
    cells this rule makes primary need, whatever the table's interval for other cells.
    """

    notation = "FREQ(n,r)"
    reason = Reason.FREQUENCY

    min_units: int
    safety_range: float = 0.0

    @property
    def margin(self) -> float:
        return self.safety_range

    def out_of_bounds(self) -> str | None:
        if self.min_units < 1:
            return "FREQ(n,r) : n, le nombre minimal de contributeurs, doit valoir au moins 1"
        if not 0 <= self.safety_range < 100:
            return "FREQ(n,r) : r, la marge de protection en %, doit être dans [0, 100["
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
    """NK(n, k): the n largest units make more than k% of the cell (x1 + ... + xn > k% X).

    A non-empty cell of n units or fewer is always unsafe when k < 100, as in tau-Argus.
    """

    notation = "NK(n,k)"
    reason = Reason.DOMINANCE

    n: int
    k: float

    @property
    def top_units(self) -> int:
        return self.n

    def out_of_bounds(self) -> str | None:
        if not 1 <= self.n <= MAX_TOP:
            return (
                f"NK(n,k) : n, le nombre de plus gros contributeurs, doit être un entier "
                f"de 1 à {MAX_TOP}"
            )
        if not 0 < self.k <= 100:
            return "NK(n,k) : k, le pourcentage de dominance, doit être dans ]0, 100]"
        return None

    def unsafe(self, cells: CellStats) -> BoolArray:
        return (cells.value > 0) & (cells.top_sum(self.n) > self.k / 100.0 * cells.value)

    def protection_level(self, cells: CellStats) -> FloatArray:
        """X must reach 100/k (x1 + ... + xn) for the n largest to weigh k% of it."""
        level: FloatArray = 100.0 / self.k * cells.top_sum(self.n) - cells.value
        return level

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
    """P(p, n): n units together could estimate the largest one within p%.

    As tau-Argus defines it (``CDataCell::GetPQCell`` with q = 100): with X the cell total and
    x1 >= x2 >= ... its contributions, the cell is unsafe when X - (x1 + x2 + ... + x(n+1)) <
    p/100 x1. The intruders are the n units ranking 2nd to (n+1)th (their best estimate of x1
    is X minus their own contributions, wrong by what the others contribute); P(p,1) is the
    usual p% rule, the second largest unit estimating the largest.
    """

    notation = "P(p,n)"
    reason = Reason.P_PERCENT

    p: float
    n: int = 1

    @property
    def top_units(self) -> int:
        return self.n + 1

    def out_of_bounds(self) -> str | None:
        if not 0 < self.p <= 100:
            return "P(p,n) : p, la précision en %, doit être dans ]0, 100]"
        if not 1 <= self.n < MAX_TOP:
            return (
                f"P(p,n) : n, le nombre de contributeurs de la coalition, doit être un entier "
                f"de 1 à {MAX_TOP - 1}"
            )
        return None

    def unsafe(self, cells: CellStats) -> BoolArray:
        rest = cells.value - cells.top_sum(self.n + 1)
        return (cells.value > 0) & (rest < self.p / 100.0 * cells.top1)

    def protection_level(self, cells: CellStats) -> FloatArray:
        """What the others contribute must reach p% of x1: the shortfall."""
        rest = cells.value - cells.top_sum(self.n + 1)
        level: FloatArray = self.p / 100.0 * cells.top1 - rest
        return level

    def explain_fr(self, contributors: str = "contributeurs") -> str:
        who = (
            "qu'un autre contributeur pourrait"
            if self.n == 1
            else f"qu'une coalition de {self.n} autres {contributors} pourrait"
        )
        return (
            f"{self} : une cellule est masquée lors{who} estimer la "
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
    # The 3rd, 4th... largest unit contributions (cells x (n - 2)), kept when a rule reads them.
    more: FloatArray | None = None

    @property
    def kept(self) -> int:
        """Return how many of the largest unit contributions are kept per cell."""
        return 2 + (0 if self.more is None else self.more.shape[1])

    def top_sum(self, n: int) -> FloatArray:
        """Return the sum of the n largest unit contributions of every cell."""
        if n > self.kept:
            raise InvalidInput(
                f"Les règles lisent les {n} plus grosses contributions de chaque cellule ; "
                f"seules {self.kept} sont connues (colonnes top1 à top{n} attendues)."
            )
        total = self.top1 if n == 1 else self.top1 + self.top2
        if n > 2 and self.more is not None:
            total = total + self.more[:, : n - 2].sum(axis=1)
        result: FloatArray = total
        return result


@dataclass(frozen=True, kw_only=True)  # named fields: a new option never shifts the others
class Options:
    """How to treat zero cells, singletons and pairs; protection level; cost of suppression.

    ``singleton``: a cell of one unit is primary, and a relation may not hold a singleton and
    only one other primary cell of another unit (that unit would subtract its own value):
    tau-Argus's singleton options, ``single_single`` (that other cell is a singleton too) and
    ``single_multiple`` (it has several units), each on by default and each read only when
    ``singleton`` is (MOD(t, time, SingleSingle, SingleMultiple, ...)). ``min_frequency``:
    tau-Argus's third option, MinFreq: primary cells withheld alone together in a relation
    hold at least the FREQ rule's n units between them (see singletons.py); off by default.
    ``pair``: a cell of two units is primary (each unit would otherwise learn the other's
    value). ``interval_percent``: the protection interval of primary cells whose rule sets
    none (FREQ(n,r) sets r; tau-Argus's MAN(p)). ``rule_intervals``: a cell NK(n,k) or
    P(p,n) flags needs the interval its rule sets (`Rule.protection_level`: what the cell
    lacks to satisfy the rule, as tau-Argus computes it) rather than ``interval_percent``;
    off by default (the Caf doctrine sets one interval for every primary cell).
    """

    zero_unsafe: bool = False
    singleton: bool = True
    single_single: bool = True
    single_multiple: bool = True
    min_frequency: bool = False
    pair: bool = False
    rule_intervals: bool = False
    interval_percent: float = 10.0
    cost: CostMode = CostMode.VALUE

    def __post_init__(self) -> None:
        if not 0 <= self.interval_percent < 100:
            raise InvalidInput("Le pourcentage d'intervalle doit être compris entre 0 et 100.")


def parse_rule(text: str) -> Rule:
    """Read one rule in tau-Argus notation, e.g. FREQ(5,10), NK(1,85), NK(3,90), P(10,1), P(15,2).

    Names are read in any case and spaces are allowed; a parameter with a default may be left
    out (``FREQ(5)`` is ``FREQ(5,0)``, ``P(10)`` is ``P(10,1)``). Raise MalformedRule when the
    text is not in the notation, UnsupportedRule when its parameters are out of the engine's
    bounds; both name the parameter at fault in French.
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
    letters = kind.notation[len(kind.name()) + 1 : -1].split(",")
    values: dict[str, float] = {}
    for param, letter, number in zip(params, letters, numbers, strict=False):
        if param.type in (int, "int") and not number.is_integer():
            raise MalformedRule(text, f"{kind.notation} : {letter} doit être un nombre entier")
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
    """Return how many top contributions the rules read (0 when they only count units)."""
    return max((rule.top_units for rule in rules), default=0)


def protection_percent(cells: CellStats, rules: tuple[Rule, ...], options: Options) -> Percent:
    """Return the protection interval (%) each cell needs should it be primary.

    A cell flagged by rules gets the largest margin of those rules, a rule without a margin of
    its own (NK, P) counting as ``options.interval_percent``, or, with
    ``options.rule_intervals``, as its protection level in % of the cell; a cell no rule
    flags (primary by the zero, singleton or pair options, or a priori) gets
    ``options.interval_percent``. One number when every cell gets the same (the usual
    FREQ(n,r) with r = interval_percent).
    """
    default = options.interval_percent
    levels: dict[Rule, FloatArray] = {}
    if options.rule_intervals:
        found = ((rule, rule.protection_level(cells)) for rule in rules)
        levels = {rule: level for rule, level in found if level is not None}
    margins = {default if rule.margin is None else rule.margin for rule in rules}
    if margins <= {default} and not levels:
        return default
    percent = np.full(cells.value.shape, -np.inf)
    for rule in rules:
        flagged = rule.unsafe(cells)
        margin: float | FloatArray = default if rule.margin is None else rule.margin
        if rule in levels:  # flagged cells are non-zero and short of the rule: level > 0
            margin = 100.0 * levels[rule][flagged] / np.abs(cells.value[flagged])
        percent[flagged] = np.maximum(percent[flagged], margin)
    result: FloatArray = np.where(np.isneginf(percent), default, percent)
    return result


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
