"""The truth and the attacker's linear programs: bound every unsafe cell from what was seen.

Per (indicator, period), the variables are the atoms (the finest partition of every commune
set seen or requested) x categories; each published cell is one equation over them, every
variable is non-negative. Each unsafe cell the attacker could target (every territory seen,
every atom, every commune; each category and the total) is minimised and maximised with
HiGHS; a cell whose feasible interval does not reach its protection interval is disclosed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.secrecy import TOTAL
from policies.secrecy.rules import CellStats, Options, parse_rule, primary_reasons
from tests.attacks.player import Communes, Observation

_INF = highspy.kHighsInf
TOLERANCE = 1e-6  # relative, as the audit's own


@dataclass(frozen=True)
class Bound:
    """The attacker's feasible interval for one unsafe cell, against its true value."""

    indicator: str
    period: int
    category: str
    communes: Communes
    kind: str  # "territoire", "atome" or "commune"
    value: float
    low: float
    high: float
    interval_percent: float

    @property
    def relative(self) -> float:
        """Return the narrower side of the interval, relative to the value (inf for zeros)."""
        if self.value <= 0:
            return 0.0 if self.high <= TOLERANCE else np.inf
        return min(self.value - self.low, self.high - self.value) / self.value

    @property
    def disclosed(self) -> bool:
        """Tell whether the interval is a single value or narrower than the protection."""
        tol = TOLERANCE * max(1.0, abs(self.value))
        if self.value <= 0:
            return self.high <= tol
        margin = self.value * self.interval_percent / 100.0
        return (
            self.high - self.low <= tol
            or self.low > self.value - margin + tol
            or self.high < self.value + margin - tol
        )

    def __str__(self) -> str:
        where = ",".join(sorted(self.communes)[:6]) + ("..." if len(self.communes) > 6 else "")
        return (
            f"{self.indicator} {self.period} [{self.category}] {self.kind} {{{where}}} "
            f"({len(self.communes)} communes): vrai {self.value:g}, "
            f"intervalle [{self.low:g}, {self.high:g}]"
        )


@dataclass
class Verdict:
    """Everything the attack tried and every unsafe cell it bounded."""

    cells_seen: int = 0
    tables: int = 0
    targets: int = 0  # candidate cells examined (every kind, every category)
    unsafe: int = 0  # unsafe cells among them, each bounded by linear programs
    programs: int = 0
    bounds: list[Bound] = field(default_factory=list)

    @property
    def disclosures(self) -> list[Bound]:
        return [b for b in self.bounds if b.disclosed]

    @property
    def tightest(self) -> Bound | None:
        positive = [b for b in self.bounds if b.value > 0]
        return min(positive, key=lambda b: b.relative, default=None)

    def merge(self, other: Verdict) -> None:
        self.cells_seen += other.cells_seen
        self.tables += other.tables
        self.targets += other.targets
        self.unsafe += other.unsafe
        self.programs += other.programs
        self.bounds += other.bounds


def attack(
    observations: Iterable[Observation],
    store: CellStore,
    catalogue: Catalogue,
    targets: Iterable[Communes] = (),
) -> Verdict:
    """Bound every unsafe cell of every (indicator, period) the observations touch."""
    by_table: dict[tuple[str, int], list[Observation]] = {}
    for cell in observations:
        if not catalogue.get(cell.indicator).is_ratio:  # ratios are not linear: left out
            by_table.setdefault((cell.indicator, cell.period), []).append(cell)
    extra = list(targets)
    verdict = Verdict()
    for (indicator, period), seen in sorted(by_table.items()):
        verdict.merge(_attack_table(store, catalogue, indicator, period, seen, extra))
    return verdict


def atoms_of(sets: Iterable[Communes]) -> list[Communes]:
    """Return the finest partition of the union of the sets (communes grouped by membership)."""
    unique = sorted(set(sets), key=sorted)
    members: dict[str, list[int]] = {}
    for position, communes in enumerate(unique):
        for commune in communes:
            members.setdefault(commune, []).append(position)
    groups: dict[tuple[int, ...], set[str]] = {}
    for commune, positions in members.items():
        groups.setdefault(tuple(positions), set()).add(commune)
    return sorted((frozenset(g) for g in groups.values()), key=sorted)


def _attack_table(
    store: CellStore,
    catalogue: Catalogue,
    indicator: str,
    period: int,
    seen: Sequence[Observation],
    extra: Sequence[Communes],
) -> Verdict:
    verdict = Verdict(cells_seen=len(seen), tables=1)
    if not any(o.published for o in seen):
        return verdict  # nothing published: every cell is free in [0, inf)
    breakdowns = store.metadata(indicator).breakdowns
    categorised = any(o.category != TOTAL for o in seen)
    categories = tuple(next(iter(breakdowns.values()))) if categorised and breakdowns else ()
    sets = {o.communes for o in seen} | {s for s in extra if s <= _union(seen)}
    atoms = atoms_of(sets)
    truth = Truth(store, catalogue, indicator, period, categories)
    program = Program(atoms, categories)
    published = [cell for cell in seen if cell.value is not None]
    truth.check_published(published)
    for cell in published:
        program.equal(cell.communes, cell.category, float(cell.value))  # type: ignore[arg-type]
    percent = catalogue.get(indicator).secrecy.interval_percent
    territories = [(s, "territoire") for s in sorted(sets - set(atoms), key=sorted)]
    communes = [(frozenset([c]), "commune") for a in atoms if len(a) > 1 for c in sorted(a)]
    candidates = [*territories, *((a, "atome") for a in atoms), *communes]
    unsafe = truth.unsafe([s for s, _ in candidates])
    for communes_set, kind in candidates:
        for category in (*categories, TOTAL):
            verdict.targets += 1
            value = unsafe.get((communes_set, category))
            if value is None:
                continue
            verdict.unsafe += 1
            low, high = program.bounds(communes_set, category)
            if kind == "commune":
                low = 0.0  # the other communes of its atom may hold the whole atom
            verdict.bounds.append(
                Bound(indicator, period, category, communes_set, kind, value, low, high, percent)
            )
    verdict.programs = program.programs
    return verdict


def _union(seen: Sequence[Observation]) -> Communes:
    return frozenset().union(*(o.communes for o in seen))


class Truth:
    """The true cells of one (indicator, period), read from the store as the engine reads them."""

    def __init__(
        self,
        store: CellStore,
        catalogue: Catalogue,
        indicator: str,
        period: int,
        categories: tuple[str, ...],
    ) -> None:
        self.store, self.indicator, self.period = store, indicator, period
        self.categories = categories
        params = catalogue.get(indicator).secrecy
        self.rules = tuple(parse_rule(r) for r in params.rules)
        self.options = Options(zero_unsafe=params.zero_unsafe)

    def frame(self, sets: Sequence[Communes]) -> dict[tuple[Communes, str], tuple[float, ...]]:
        """Return (value, freq, top1, top2) of every set x (categories, total)."""
        unique = list(dict.fromkeys(sets))
        groups = {f"s{i}": sorted(s) for i, s in enumerate(unique)}
        back = {f"s{i}": s for i, s in enumerate(unique)}
        rows: dict[tuple[Communes, str], tuple[float, ...]] = {}
        total = self.store.aggregate(self.indicator, [self.period], groups, by_breakdown=False)
        rows.update(_rows(total, back, None))
        if self.categories:
            split = self.store.aggregate(self.indicator, [self.period], groups, by_breakdown=True)
            column = next(iter(self.store.metadata(self.indicator).breakdowns))
            rows.update(_rows(split, back, column))
        return rows

    def unsafe(self, sets: Sequence[Communes]) -> dict[tuple[Communes, str], float]:
        """Return the true value of every unsafe cell among the sets x (categories, total)."""
        rows = self.frame(sets)
        keys = list(rows)
        table = np.asarray([rows[k] for k in keys], dtype=np.float64).reshape(-1, 4)
        stats = CellStats(
            value=table[:, 0],
            freq=table[:, 1].round().astype(np.int64),
            top1=table[:, 2],
            top2=table[:, 3],
            owner=np.full(len(keys), -1, dtype=np.int64),
        )
        reasons = primary_reasons(stats, self.rules, self.options)
        return {k: float(stats.value[i]) for i, k in enumerate(keys) if reasons[i] != 0}

    def check_published(self, cells: Sequence[Observation]) -> None:
        """Refuse to attack with a published value the store does not hold: a harness bug."""
        rows = self.frame([c.communes for c in cells])
        for cell in cells:
            true = rows[(cell.communes, cell.category)][0]
            assert cell.value is not None
            if abs(true - cell.value) > TOLERANCE * max(1.0, abs(true)):
                raise AssertionError(f"valeur publiée {cell.value} != vraie {true} : {cell}")


def _rows(
    frame: pd.DataFrame, back: Mapping[str, Communes], column: str | None
) -> dict[tuple[Communes, str], tuple[float, ...]]:
    categories = [TOTAL] * len(frame) if column is None else frame[column].astype(str)
    measures = zip(frame["value"], frame["freq"], frame["top1"], frame["top2"], strict=True)
    return {
        (back[group], category): tuple(map(float, m))
        for group, category, m in zip(frame["group"], categories, measures, strict=True)
    }


class Program:
    """One HiGHS model: atoms x categories, one equation per published cell, re-solved per goal."""

    def __init__(self, atoms: Sequence[Communes], categories: tuple[str, ...]) -> None:
        self.atom_of = {c: i for i, atom in enumerate(atoms) for c in atom}
        self.categories = categories
        self.width = max(1, len(categories))
        self.n = len(atoms) * self.width
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("threads", 1)
        lower, upper = np.zeros(self.n), np.full(self.n, _INF)
        self.highs.addVars(self.n, lower, upper)
        self.bound = np.zeros(self.n, dtype=bool)  # variables some equation constrains
        self.programs = 0

    def columns(self, communes: Communes, category: str) -> np.ndarray:
        """Return the variables summing to a cell: its atoms x its category (or all)."""
        atoms = sorted({self.atom_of[c] for c in communes})
        if not self.categories:
            return np.asarray(atoms, dtype=np.int32)
        if category == TOTAL:
            offsets = range(self.width)
        else:
            offsets = range(self.categories.index(category), self.categories.index(category) + 1)
        return np.asarray([a * self.width + k for a in atoms for k in offsets], dtype=np.int32)

    def equal(self, communes: Communes, category: str, value: float) -> None:
        cols = self.columns(communes, category)
        self.highs.addRow(value, value, len(cols), cols, np.ones(len(cols)))
        self.bound[cols] = True

    def bounds(self, communes: Communes, category: str) -> tuple[float, float]:
        """Return the attacker's [min, max] of a cell."""
        cols = self.columns(communes, category)
        low = self._extreme(cols, 1.0)
        high = np.inf if not self.bound[cols].all() else self._extreme(cols, -1.0)
        return low, high

    def _extreme(self, cols: np.ndarray, sign: float) -> float:
        cost = np.zeros(self.n)
        cost[cols] = sign
        self.highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), cost)
        self.highs.run()
        self.programs += 1
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return -sign * np.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise AssertionError(
                f"programme de l'attaquant : {self.highs.modelStatusToString(status)}"
            )
        return float(sign * self.highs.getInfo().objective_function_value)


def describe(verdict: Verdict, players: Mapping[str, int] | None = None) -> str:
    """Summarise a verdict in one paragraph (the bench prints it; failing tests show it)."""
    tight = verdict.tightest
    lines = [
        f"{verdict.cells_seen} cellules vues, {verdict.tables} tableaux, "
        f"{verdict.targets} cellules cibles, {verdict.unsafe} sensibles bornées, "
        f"{verdict.programs} programmes linéaires",
        f"intervalle relatif le plus étroit : {tight.relative:.4f} ({tight})" if tight else "",
        *(f"DIVULGUÉE : {b}" for b in verdict.disclosures[:20]),
    ]
    if players:
        lines.insert(0, ", ".join(f"{k}: {v}" for k, v in players.items()))
    return "\n".join(line for line in lines if line)
