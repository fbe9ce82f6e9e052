"""Protect one related set for one period: read the cells, link the history, run the engine.

A related set is a stored indicator with the indicators the catalogue ties to it (ENF_MOINS_3
is the 0-2 category of ENF_MOINS_6): they are one table, so a cell withheld for one is
withheld for all, whatever combination of them a requester asks for.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from gateway.pipeline.request import TerritoryCell
from gateway.store import CellStore
from policies.catalogue import Catalogue, RelatedSet
from policies.domain import GeoLevel
from policies.errors import SecrecyRefusal
from policies.refusals import Refusal, Rule
from policies.secrecy import TOTAL, Apriori, Options, ProtectResult, Reason, Status, protect
from policies.secrecy.linked import (
    KnownCell,
    LinkedTable,
    apriori_statuses,
    link,
    reduce_known,
    set_order,
    sorted_members,
)
from policies.secrecy.rules import CellStats, primary_reasons

#: Relative difference under which a published figure still is the current data's.
REVISION_TOLERANCE = 1e-9

# The engine's frame holds the codes; an enum call per cell costs.
_STATUSES = {status.value: status for status in Status}
_REASONS = {reason.value: reason for reason in Reason}


@dataclass(frozen=True)
class ProtectedCell:
    """A delivered cell as the engine left it: the true value stays here, never in a file."""

    territory: TerritoryCell
    category: str  # a category code, or TOTAL
    value: float
    status: Status
    reason: Reason


@dataclass(frozen=True)
class ProtectedTable:
    """The protected cells of one related set for one period (categories of the set)."""

    related_set: str
    period: int
    cells: tuple[ProtectedCell, ...]

    @cached_property
    def index(self) -> dict[tuple[GeoLevel, str, str], ProtectedCell]:
        """Return the cells by (territory level, territory code, category)."""
        return {(c.territory.level, c.territory.code, c.category): c for c in self.cells}


def protect_related(
    store: CellStore,
    catalogue: Catalogue,
    related: RelatedSet,
    period: int,
    territories: Sequence[TerritoryCell],
    shown: tuple[str, ...],
    known: Sequence[KnownCell],
    revisable: frozenset[KnownCell] = frozenset(),
) -> ProtectedTable:
    """Protect the requested cells together with everything the requester already knows.

    `shown` are the set's categories (or TOTAL) delivered for every territory; `revisable`
    are the known published cells released from another data version than the store's.
    """
    requested = [t.communes for t in territories]
    if revisable:
        known = _current(store, catalogue, related, period, known, revisable)
    if any(cell.published for cell in known):
        known = reduce_known(known, frozenset().union(*requested))
    table = link(requested, known, related.categories)
    cells = _leaf_cells(store, catalogue, related, period, table.atoms, table.categories)
    delivered = {table.coordinate(t.communes, c) for t in territories for c in shown}
    apriori = apriori_statuses(table, delivered, known)
    for coordinate in _unsafe_shared_totals(store, related, period, table):
        if apriori.get(coordinate) is not Apriori.PUBLISHED:  # a past release stays as it was
            apriori[coordinate] = Apriori.SUPPRESSED
    secrecy = related.secrecy
    result = protect(
        table.dimensions,
        cells,
        rules=secrecy.rules,
        options=Options(zero_unsafe=secrecy.zero_unsafe, interval_percent=secrecy.interval_percent),
        apriori=apriori,
        source=f"{related.code} {period}",
    )
    if not result.ok:
        names = ", ".join(related.members)
        raise SecrecyRefusal(
            f"Indicateur(s) {names}, {period} : aucune réponse sûre n'est possible compte "
            "tenu de ce qui a déjà été diffusé (différenciation avec des livraisons antérieures).",
            [
                Refusal(
                    Rule.SECRET_COHERENCE,
                    "cellule non protégeable",
                    "demander un niveau géographique plus agrégé",
                )
            ],
        )
    return ProtectedTable(
        related.code,
        period,
        tuple(_cells(result, table, territories, shown)),
    )


def _current(
    store: CellStore,
    catalogue: Catalogue,
    related: RelatedSet,
    period: int,
    known: Sequence[KnownCell],
    revisable: frozenset[KnownCell],
) -> list[KnownCell]:
    """Return what is known, less the figures published from data since revised.

    A figure published from an earlier data vintage stays what it was (it is recorded), but
    it is no relation of the current data: fixing it as published would tie the new cells to
    a sum they no longer make (and could make every answer impossible). Its territory stays
    in the table, protected like any other cell of the current data.
    """
    published = {c.communes for c in revisable if c.value is not None}
    values = _current_values(store, catalogue, related, period, published)
    kept = []
    for cell in known:
        if cell not in revisable or cell.value is None:
            kept.append(cell)
            continue
        now = values[cell.communes].get(cell.category, 0.0)
        if abs(now - cell.value) <= REVISION_TOLERANCE * max(1.0, abs(cell.value)):
            kept.append(cell)
    return kept


#: Current values of commune sets by (store version, related set, period, set): the data of a
#: version never change, and the socle's territories come back in every extract.
_VALUES: dict[tuple[str, str, int, frozenset[str]], dict[str, float]] = {}
_VALUES_LOCK = threading.Lock()


def _current_values(
    store: CellStore,
    catalogue: Catalogue,
    related: RelatedSet,
    period: int,
    sets: set[frozenset[str]],
) -> dict[frozenset[str], dict[str, float]]:
    """Return each set's current value per category of the related set (and TOTAL)."""
    version = store.version()
    with _VALUES_LOCK:
        found = {s: _VALUES.get((version, related.code, period, s)) for s in sets}
    missing = sorted((s for s, v in found.items() if v is None), key=set_order)
    if missing:
        names = {f"k{index}": communes for index, communes in enumerate(missing)}
        computed: dict[frozenset[str], dict[str, float]] = {c: {} for c in missing}
        totals = _leaf_cells(store, catalogue, related, period, names, ())
        for name, value in zip(totals["territoire"], totals["value"], strict=True):
            computed[names[name]][TOTAL] = float(value)
        if related.categories:
            leaves = _leaf_cells(store, catalogue, related, period, names, related.categories)
            for name, category, value in zip(
                leaves["territoire"], leaves["categorie"], leaves["value"], strict=True
            ):
                computed[names[name]][category] = float(value)
        with _VALUES_LOCK:
            if len(_VALUES) > 200_000:  # bounded; refilled from the store on demand
                _VALUES.clear()
            for communes, by_category in computed.items():
                _VALUES[(version, related.code, period, communes)] = by_category
        found.update(computed)
    return {s: v for s, v in found.items() if v is not None}


def _unsafe_shared_totals(
    store: CellStore, related: RelatedSet, period: int, table: LinkedTable
) -> list[tuple[str, ...]]:
    """Return the totals over categories that the rules make unsafe, judged on true counts.

    When one unit may sit in several categories (a foyer with children in two age bands, a
    foyer counted in two summed indicators), the engine's sum of the categories' units
    overcounts the total's contributors; the store knows a safe lower bound, and the totals
    it finds unsafe must be primary.
    """
    source = related.total_source
    one_breakdown = all(indicator == source for indicator, _ in related.leaves.values())
    if not table.categories or source not in store.indicators():
        return []
    if one_breakdown and store.metadata(source).categories_exclusive:
        return []
    sets = {code: communes for communes, code in table.codes.items()} | dict(table.atoms)
    sets[TOTAL] = frozenset().union(*table.atoms.values())
    groups = {code: list(sorted_members(c)) for code, c in sorted(sets.items())}
    frame = store.aggregate(source, [period], groups, by_breakdown=False)
    stats = CellStats(
        value=frame["value"].to_numpy(np.float64),
        freq=frame["freq"].to_numpy(np.int64),
        top1=frame["top1"].to_numpy(np.float64),
        top2=frame["top2"].to_numpy(np.float64),
        owner=np.full(len(frame), -1, dtype=np.int64),
    )
    options = Options(zero_unsafe=related.secrecy.zero_unsafe)
    reasons = primary_reasons(stats, related.secrecy.rules, options)
    return [
        (str(code), TOTAL) for code, reason in zip(frame["group"], reasons, strict=True) if reason
    ]


def _leaf_cells(
    store: CellStore,
    catalogue: Catalogue,
    related: RelatedSet,
    period: int,
    territories: Mapping[str, frozenset[str]],
    categories: Sequence[str],
) -> pd.DataFrame:
    """Aggregate the store's commune cells into territories (x the set's categories, if any).

    Without categories, a territory's value is the set's total (its total source's).
    """
    groups = {code: list(sorted_members(communes)) for code, communes in territories.items()}
    if not categories:
        frame = store.aggregate(related.total_source, [period], groups, by_breakdown=False)
        return frame.rename(columns={"group": "territoire"}).drop(columns=["period"])
    parts = []
    sources = sorted({indicator for indicator, _ in related.leaves.values()})
    for source in sources:
        wanted = {c: leaf for leaf, (i, c) in related.leaves.items() if i == source}
        if set(wanted) == {TOTAL}:  # a term of a sum: its total is one category of the set
            frame = store.aggregate(source, [period], groups, by_breakdown=False)
            frame["categorie"] = wanted[TOTAL]
        else:
            frame = store.aggregate(source, [period], groups, by_breakdown=True)
            column = catalogue.get(source).breakdowns[0]
            frame = frame[frame[column].isin(list(wanted))]
            frame["categorie"] = frame.pop(column).map(wanted)
        parts.append(frame)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frame.rename(columns={"group": "territoire"}).drop(columns=["period"])


def _cells(
    result: ProtectResult,
    table: LinkedTable,
    territories: Sequence[TerritoryCell],
    shown: tuple[str, ...],
) -> list[ProtectedCell]:
    """Read the delivered cells in the engine's frame, by position (its rows are the table's
    cells in C order over each dimension's codes): a dict of every row cost 16 ms a table."""
    dims = result.table.dims
    sizes = [len(d.codes) for d in dims]
    status = result.cells["status"].to_numpy(dtype=object)
    reason = result.cells["reason"].to_numpy(dtype=object)
    value = result.cells["value"].to_numpy(dtype=np.float64)
    out = []
    for territory in territories:
        for category in shown:
            row = 0
            coordinate = table.coordinate(territory.communes, category)
            for dim, size, code in zip(dims, sizes, coordinate, strict=True):
                row = row * size + dim.position[code]
            why = _REASONS[reason[row]]
            out.append(
                ProtectedCell(territory, category, float(value[row]), _STATUSES[status[row]], why)
            )
    return out
