"""What the attack found: every unsafe cell's feasible interval against its protection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tests.attacks.player import Communes
from tests.attacks.truth import TOLERANCE


@dataclass(frozen=True)
class Bound:
    """The attacker's feasible interval for one unsafe cell, against its true value."""

    indicator: str  # the family's table: ENF_MOINS_6 for ENF_MOINS_3's cells
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
    ratios: int = 0  # published ratios that tie two cells in a program
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
        self.ratios += other.ratios
        self.bounds += other.bounds


def describe(verdict: Verdict, players: Mapping[str, int] | None = None) -> str:
    """Summarise a verdict in one paragraph (the bench prints it; failing tests show it)."""
    tight = verdict.tightest
    lines = [
        f"{verdict.cells_seen} cellules vues, {verdict.tables} tableaux, "
        f"{verdict.ratios} taux liant deux termes, "
        f"{verdict.targets} cellules cibles, {verdict.unsafe} sensibles bornées, "
        f"{verdict.programs} programmes linéaires",
        f"intervalle relatif le plus étroit : {tight.relative:.4f} ({tight})" if tight else "",
        *(f"DIVULGUÉE : {b}" for b in verdict.disclosures[:20]),
    ]
    if players:
        lines.insert(0, ", ".join(f"{k}: {v}" for k, v in players.items()))
    return "\n".join(line for line in lines if line)
