"""What each indicator covers, for the open-data catalogue: its periods, public or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.pipeline.compute import stored_terms
from gateway.pipeline.socle import published_levels, socle_requests
from gateway.services.access.queries import current_matrix
from gateway.services.catalogue.views import catalogue_in_force
from gateway.state import app_state
from policies.catalogue import Indicator
from policies.domain import GeoLevel


@dataclass(frozen=True)
class IndicatorCoverage:
    """An indicator with the periods the store holds for it, and whether the socle has it."""

    indicator: Indicator
    periods: tuple[int, ...]
    public: bool


@dataclass(frozen=True)
class Coverage:
    """Every indicator's coverage, the levels the socle publishes and the data's version."""

    indicators: tuple[IndicatorCoverage, ...]
    public_levels: tuple[GeoLevel, ...]
    store_version: str


def coverage(session: Session) -> Coverage:
    """Return what the store holds per indicator and what the public's policy opens.

    Public means in the socle commun's publication: decided by the public's policy, as the
    publication itself decides it (`gateway.pipeline.socle.socle_requests`), never a list.
    """
    state = app_state()
    store = state.store
    catalogue = catalogue_in_force(session)
    matrix = current_matrix(session, state.caches.matrix)
    today = datetime.now(UTC).date()
    requests = socle_requests(catalogue, store, matrix, state.geography, today)
    public = {code for request in requests for code in request.indicators}
    stored = set(store.indicators())
    indicators = []
    for indicator in catalogue.indicators.values():
        terms = stored_terms(indicator)
        periods: set[int] = set()
        if all(term in stored for term in terms):
            periods = set.intersection(*(set(store.periods(term)) for term in terms))
        indicators.append(
            IndicatorCoverage(indicator, tuple(sorted(periods)), indicator.code in public)
        )
    return Coverage(tuple(indicators), published_levels(matrix), store.version())
