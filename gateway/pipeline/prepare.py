"""First steps of an extract, read-only: validate, resolve territories, decide, check limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gateway.cache import Caches
from gateway.delivery.model import ExcludedTerritory
from gateway.pipeline.compute import check_request, count_cells
from gateway.pipeline.limits import ExtractLimits
from gateway.pipeline.request import (
    ExtractRequest,
    TerritoryCell,
    ZoneDefinition,
    access_request,
    parse_description,
    resolve_territories,
)
from gateway.pipeline.straddling import settle
from gateway.services.access.queries import current_matrix
from gateway.services.catalogue.queries import current_catalogue
from gateway.services.conventions.queries import audiences, conventions_for
from gateway.services.extracts.queries import requester_zones
from gateway.store import CellStore
from policies.access import Caller, Decision
from policies.catalogue import Catalogue
from policies.conventions import Convention
from policies.decision import decide
from policies.errors import InvalidInput
from policies.geography import Geography


@dataclass(frozen=True)
class Prepared:
    """A validated, decided request, ready to be priced and protected."""

    caller: Caller
    catalogue: Catalogue
    request: ExtractRequest
    territories: tuple[TerritoryCell, ...]
    decision: Decision
    conventions: tuple[Convention, ...]
    cells: int
    audiences: tuple[int | None, ...]
    excluded: tuple[ExcludedTerritory, ...] = ()  # straddling territories left out, and why

    @property
    def convention(self) -> Convention | None:
        wanted = self.decision.convention_id
        return next((c for c in self.conventions if c.id == wanted), None)


def prepare(
    session: Session,
    caller: Caller,
    body: Mapping[str, Any],
    *,
    store: CellStore,
    geography: Geography,
    caches: Caches,
    today: date,
) -> Prepared:
    """Validate the request against the catalogue and store, resolve it and decide on it."""
    catalogue = current_catalogue(session, caches.catalogue)
    zones = {
        zone_id: ZoneDefinition(*row)
        for zone_id, row in requester_zones(session, caller.requester_id).items()
    }
    request = parse_description(body, zones)
    check_request(request, catalogue, store)
    territories = resolve_territories(request, geography)
    conventions = conventions_for(session, caller.requester_id) if caller.requester_id else []
    matrix = current_matrix(session, caches.matrix)

    def decide_on(cells: Sequence[TerritoryCell]) -> Decision:
        return decide(
            access_request(request, cells),
            caller.profile,
            conventions=conventions,
            catalogue=catalogue.indicators,
            matrix=matrix,
            territories=geography,
            today=today,
        )

    # EPCI straddling the parent asked: included and marked, or listed as excluded.
    settled = settle(request, territories, geography, decide_on)
    territories, decision = settled.territories, settled.decision
    return Prepared(
        caller=caller,
        catalogue=catalogue,
        request=request,
        territories=territories,
        decision=decision,
        excluded=settled.excluded,
        conventions=tuple(conventions),
        cells=count_cells(request, catalogue, len(territories)),
        audiences=audiences(session, caller.requester_id),
    )


def check_size(prepared: Prepared, limits: ExtractLimits) -> None:
    """Refuse an extract larger than its requester type may receive."""
    maximum = limits.max_cells_for(prepared.caller.profile.type)
    if prepared.cells > maximum:
        raise InvalidInput(
            f"L'extrait compterait {prepared.cells} cellules ; le maximum pour ce type de "
            f"demandeur est {maximum}. Réduisez les territoires, périodes ou ventilations.",
            errors={"territories": [f"{prepared.cells} cellules demandées, {maximum} au plus."]},
        )
