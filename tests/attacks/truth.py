"""The truth of a family's table: its cells read from the store, and which ones are unsafe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.secrecy import TOTAL
from policies.secrecy.rules import CellStats, Options, primary_reasons
from tests.attacks.families import Family
from tests.attacks.player import Communes, Observation

TOLERANCE = 1e-6  # relative, as the audit's own
Cells = dict[tuple[Communes, str], tuple[float, ...]]


class Truth:
    """The true cells of one family and period, read from the store as the engine reads them.

    `categories` empty: only totals are read (no observation of the table is broken down).
    """

    def __init__(
        self,
        store: CellStore,
        catalogue: Catalogue,
        family: Family,
        period: int,
        categories: tuple[str, ...],
    ) -> None:
        self.store, self.family, self.period = store, family, period
        self.categories = categories
        params = catalogue.get(family.rules_of).secrecy
        self.rules = params.rules
        self.options = Options(zero_unsafe=params.zero_unsafe)

    def frame(self, sets: Sequence[Communes]) -> Cells:
        """Return (value, freq, top1, top2) of every set x (categories, total)."""
        unique = list(dict.fromkeys(sets))
        groups = {f"s{i}": list(s) for i, s in enumerate(unique)}  # any order: summed
        back = {f"s{i}": s for i, s in enumerate(unique)}
        rows: Cells = {}
        split: dict[str, dict[str, str]] = {}  # stored indicator -> {its category: table's}
        for category in (*self.categories, TOTAL):
            leaf = self.family.leaves[category]
            if leaf.category is None:
                total = self.store.aggregate(
                    leaf.indicator, [self.period], groups, by_breakdown=False
                )
                rows.update(_rows(total, back, [category] * len(total)))
            else:
                split.setdefault(leaf.indicator, {})[leaf.category] = category
        for indicator, wanted in split.items():
            frame = self.store.aggregate(indicator, [self.period], groups, by_breakdown=True)
            column = next(iter(self.store.metadata(indicator).breakdowns))
            frame = frame[frame[column].astype(str).isin(list(wanted))]
            rows.update(_rows(frame, back, [wanted[c] for c in frame[column].astype(str)]))
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
        """Refuse to attack with a published value the store does not hold: a harness bug,
        or a relation of the catalogue the data do not satisfy."""
        rows = self.frame([c.communes for c in cells])
        for cell in cells:
            true = rows[(cell.communes, cell.category)][0]
            assert cell.value is not None
            if abs(true - cell.value) > TOLERANCE * max(1.0, abs(true)):
                raise AssertionError(f"valeur publiée {cell.value} != vraie {true} : {cell}")

    def value(self, communes: Communes, category: str) -> float:
        return self.frame([communes])[(communes, category)][0]


def _rows(frame: pd.DataFrame, back: Mapping[str, Communes], categories: list[str]) -> Cells:
    measures = zip(frame["value"], frame["freq"], frame["top1"], frame["top2"], strict=True)
    return {
        (back[group], category): tuple(map(float, m))
        for group, category, m in zip(frame["group"], categories, measures, strict=True)
    }
