"""Protect one indicator for one period: read the cells, link the history, run the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from gateway.pipeline.request import TerritoryCell
from gateway.store import CellStore
from policies.catalogue import Indicator
from policies.domain import GeoLevel
from policies.errors import SecrecyRefusal
from policies.secrecy import TOTAL, Apriori, Options, ProtectResult, Status, parse_rule, protect
from policies.secrecy.linked import KnownCell, LinkedTable, apriori_statuses, link
from policies.secrecy.rules import CellStats, primary_reasons


@dataclass(frozen=True)
class ProtectedCell:
    """A delivered cell as the engine left it: the true value stays here, never in a file."""

    territory: TerritoryCell
    category: str  # a category code, or TOTAL
    value: float
    status: Status
    reason: str


@dataclass(frozen=True)
class ProtectedTable:
    """The protected cells of one stored indicator for one period, with the engine's audit."""

    indicator: str
    period: int
    cells: tuple[ProtectedCell, ...]

    @cached_property
    def index(self) -> dict[tuple[GeoLevel, str, str], ProtectedCell]:
        """Return the cells by (territory level, territory code, category)."""
        return {(c.territory.level, c.territory.code, c.category): c for c in self.cells}


def protect_indicator(
    store: CellStore,
    indicator: Indicator,
    period: int,
    territories: Sequence[TerritoryCell],
    categories: tuple[str, ...],
    broken_down: bool,
    known: Sequence[KnownCell],
) -> ProtectedTable:
    """Protect the requested cells together with everything the requester already knows."""
    table = link([t.communes for t in territories], known, categories)
    cells = _leaf_cells(store, indicator, period, table)
    shown = (*categories, TOTAL) if broken_down and categories else (TOTAL,)
    delivered = {table.coordinate(t.communes, c) for t in territories for c in shown}
    apriori = apriori_statuses(table, delivered, known)
    for coordinate in _unsafe_shared_totals(store, indicator, period, table):
        if apriori.get(coordinate) is not Apriori.PUBLISHED:  # a past release stays as it was
            apriori[coordinate] = Apriori.SUPPRESSED
    result = protect(
        table.dimensions,
        cells,
        rules=indicator.secrecy.rules,
        options=Options(
            zero_unsafe=indicator.secrecy.zero_unsafe,
            interval_percent=indicator.secrecy.interval_percent,
        ),
        apriori=apriori,
        source=f"{indicator.code} {period}",
    )
    if not result.ok:
        raise SecrecyRefusal(
            f"Indicateur {indicator.code}, {period} : aucune réponse sûre n'est possible compte "
            "tenu de ce qui a déjà été diffusé (différenciation avec des livraisons antérieures).",
            [
                {
                    "regle": "secret.coherence",
                    "message": "cellule non protégeable",
                    "solution": "demander un niveau géographique plus agrégé",
                }
            ],
        )
    return ProtectedTable(
        indicator.code,
        period,
        tuple(_cells(result, table, territories, shown)),
    )


def _unsafe_shared_totals(
    store: CellStore, indicator: Indicator, period: int, table: LinkedTable
) -> list[tuple[str, ...]]:
    """Return the totals over categories that the rules make unsafe, judged on true counts.

    When one unit may sit in several categories (a foyer with children in two age bands),
    the engine's sum of the categories' units overcounts the total's contributors; the
    store knows a safe lower bound, and the totals it finds unsafe must be primary.
    """
    if not table.categories or store.metadata(indicator.code).categories_exclusive:
        return []
    sets = {code: communes for communes, code in table.codes.items()} | dict(table.atoms)
    sets[TOTAL] = frozenset().union(*table.atoms.values())
    groups = {code: sorted(communes) for code, communes in sorted(sets.items())}
    frame = store.aggregate(indicator.code, [period], groups, by_breakdown=False)
    stats = CellStats(
        value=frame["value"].to_numpy(np.float64),
        freq=frame["freq"].to_numpy(np.int64),
        top1=frame["top1"].to_numpy(np.float64),
        top2=frame["top2"].to_numpy(np.float64),
        owner=np.full(len(frame), -1, dtype=np.int64),
    )
    rules = tuple(parse_rule(rule) for rule in indicator.secrecy.rules)
    reasons = primary_reasons(stats, rules, Options(zero_unsafe=indicator.secrecy.zero_unsafe))
    return [
        (str(code), TOTAL) for code, reason in zip(frame["group"], reasons, strict=True) if reason
    ]


def _leaf_cells(
    store: CellStore, indicator: Indicator, period: int, table: LinkedTable
) -> pd.DataFrame:
    """Aggregate the store's commune cells into the table's atoms (x categories)."""
    groups = {atom: sorted(communes) for atom, communes in table.atoms.items()}
    frame = store.aggregate(indicator.code, [period], groups, by_breakdown=bool(table.categories))
    frame = frame.rename(columns={"group": "territoire"})
    if table.categories:
        frame = frame.rename(columns={indicator.breakdowns[0]: "categorie"})
    return frame.drop(columns=["period"])


def _cells(
    result: ProtectResult,
    table: LinkedTable,
    territories: Sequence[TerritoryCell],
    shown: tuple[str, ...],
) -> list[ProtectedCell]:
    names = [d.name for d in table.dimensions]
    rows = {
        tuple(key): (status, reason, value)
        for key, status, reason, value in zip(
            result.cells[names].itertuples(index=False, name=None),
            result.cells["status"],
            result.cells["reason"],
            result.cells["value"],
            strict=True,
        )
    }
    out = []
    for territory in territories:
        for category in shown:
            status_code, reason, value = rows[table.coordinate(territory.communes, category)]
            status = Status(status_code)
            out.append(ProtectedCell(territory, category, float(value), status, str(reason)))
    return out
