"""Compute an extract's protected cells: every indicator (ratio terms included) x period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gateway.cache import Memo
from gateway.pipeline.progress import Progress, table_listener
from gateway.pipeline.protection import ProtectedCell, ProtectedTable, protect_related
from gateway.pipeline.request import ExtractRequest, TerritoryCell
from gateway.services.ledger import queries as ledger
from gateway.store import CellStore
from policies.catalogue import Catalogue, Indicator, RelatedSet
from policies.errors import InvalidInput
from policies.secrecy import TOTAL
from policies.secrecy.progress import listening


@dataclass(frozen=True)
class Computed:
    """The protected tables of an extract, by (related set, period)."""

    tables: dict[tuple[str, int], ProtectedTable]
    catalogue: Catalogue

    def cell(
        self, indicator: str, period: int, territory: TerritoryCell, category: str
    ) -> ProtectedCell:
        """Return a stored indicator's cell (category or TOTAL), read in its set's table."""
        related = self.catalogue.related_set(indicator)
        table = self.tables[(related.code, period)]
        return table.index[(territory.level, territory.code, related.place(indicator, category))]


def stored_terms(indicator: Indicator) -> tuple[str, ...]:
    """Return the stored indicators a delivered indicator is computed from."""
    if indicator.is_ratio:
        assert indicator.numerator and indicator.denominator
        return (indicator.numerator, indicator.denominator)
    return (indicator.code,)


def check_request(request: ExtractRequest, catalogue: Catalogue, store: CellStore) -> None:
    """Refuse unknown indicators, breakdowns and periods with field errors."""
    errors: dict[str, list[str]] = {}
    for code in request.indicators:
        if code not in catalogue:
            errors.setdefault("indicators", []).append(f"Indicateur inconnu : {code}.")
            continue
        for term in stored_terms(catalogue.get(code)):
            missing = sorted(set(request.periods) - set(store.periods(term)))
            if missing:
                errors.setdefault("periods", []).append(
                    f"{code} : période(s) non disponible(s) : {', '.join(map(str, missing))}."
                )
    known = {
        b
        for code in request.indicators
        if code in catalogue
        for b in catalogue.get(code).breakdowns
    }
    for breakdown in request.breakdowns:
        if breakdown not in known:
            errors.setdefault("breakdowns", []).append(
                f"Ventilation « {breakdown} » non disponible pour les indicateurs demandés."
            )
    if errors:
        raise InvalidInput("Certains champs sont invalides.", errors=errors)


def compute(
    session: Session,
    store: CellStore,
    catalogue: Catalogue,
    request: ExtractRequest,
    territories: Sequence[TerritoryCell],
    audiences: tuple[int | None, ...] | None,
    progress: Progress | None = None,
    known_sets: Memo[int, frozenset[str]] | None = None,
) -> Computed:
    """Protect each related set of the stored terms, for each period, against its history.

    `known_sets`: the app's commune sets already read from the ledger (immutable once stored).
    `progress` hears the job's percentage as each table's protection goes (see progress.py).
    """
    shown = shown_by_set(catalogue, request)
    union = frozenset().union(*(t.communes for t in territories))
    tables: dict[tuple[str, int], ProtectedTable] = {}
    steps = len(shown) * len(request.periods)
    for related, categories in shown.values():
        for period in request.periods:
            released = ledger.linked_cells(
                session,
                audiences=audiences,
                related=related,
                period=period,
                communes=union,
                version=store.version(),
                known_sets=known_sets,
            )
            listener = table_listener(progress, len(tables), steps) if progress else None
            with listening(listener):
                tables[(related.code, period)] = protect_related(
                    store,
                    catalogue,
                    related,
                    period,
                    territories,
                    categories,
                    released.cells,
                    released.revisable,
                )
            if progress:
                progress(int(100 * len(tables) / steps))
    return Computed(tables, catalogue)


def shown_by_set(
    catalogue: Catalogue, request: ExtractRequest
) -> dict[str, tuple[RelatedSet, tuple[str, ...]]]:
    """Return, by related set code, the set and its categories (or TOTAL) delivered.

    A ratio's terms are delivered through the ratio only: their totals suffice.
    """
    shown: dict[str, tuple[RelatedSet, set[str]]] = {}
    for code in request.indicators:
        indicator = catalogue.get(code)
        for term in stored_terms(indicator):
            categories = (
                (TOTAL,)
                if indicator.is_ratio
                else shown_categories(catalogue.get(term), catalogue, request)
            )
            related = catalogue.related_set(term)
            entry = shown.setdefault(related.code, (related, set()))
            entry[1].update(related.place(term, category) for category in categories)
    return {
        code: (related, tuple(sorted(categories)))
        for code, (related, categories) in sorted(shown.items())
    }


def shown_categories(
    indicator: Indicator, catalogue: Catalogue, request: ExtractRequest
) -> tuple[str, ...]:
    """Return the categories delivered for an indicator: its breakdown's if asked, plus total."""
    if indicator.breakdowns and indicator.breakdowns[0] in request.breakdowns:
        return (*catalogue.breakdown(indicator.breakdowns[0]).category_codes, TOTAL)
    return (TOTAL,)


def count_cells(request: ExtractRequest, catalogue: Catalogue, n_territories: int) -> int:
    """Return the number of cells the extract delivers."""
    per_territory = sum(
        len(shown_categories(catalogue.get(code), catalogue, request))
        for code in request.indicators
    )
    return per_territory * n_territories * len(request.periods)
