"""The socle commun as a publication: one protected table per data vintage, the same for all.

Every requester holds the public socle, so a figure made public after a requester's extract
is as known to that requester as one published before (DOMAIN.md 6, "publication order").
The socle is therefore never answered query by query: for each store version, everything
the public policy allows (the socle indicators, every period, every level from the public's
finest free level up to France, with their breakdowns) is protected once, as linked tables
per related set, against everything already released to anyone; recorded in the ledger as
public; and only then does the pipeline protect requesters' extracts of that version, with
the publication among what they know. `GET /socle/...` reads a slice of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from gateway.cache import Caches
from gateway.db import Database
from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED
from gateway.delivery import DeliveredCell, Delivery, DeliveryHeader
from gateway.pipeline.compute import Computed, compute, shown_by_set, stored_terms
from gateway.pipeline.deliver import (
    build_delivery,
    cells_from_json,
    cells_to_json,
    delivered_cells,
    released_cells,
)
from gateway.pipeline.locks import LedgerLocks, Partition
from gateway.pipeline.prepare import Prepared
from gateway.pipeline.request import ExtractRequest, TerritoryCell
from gateway.services.access.queries import current_matrix
from gateway.services.audit import queries as audit_log
from gateway.services.catalogue.queries import current_catalogue
from gateway.services.extracts import queries as extracts
from gateway.services.ledger import queries as ledger
from gateway.store import CellStore
from policies.access import PUBLIC, AccessRequest, Action
from policies.access.matrix import PolicyMatrix
from policies.catalogue import Catalogue
from policies.decision import decide
from policies.domain import GeoLevel, RequesterType, Use
from policies.geography import FRANCE_CODE, Geography
from policies.refusals import Rule

_LEVELS = (GeoLevel.DEPARTEMENT, GeoLevel.REGION, GeoLevel.FRANCE)


def fingerprint(version: str) -> str:
    return f"socle:{version}"


@dataclass(frozen=True)
class SocleSlice:
    """The cells of one vintage's publication, by indicator, and its header."""

    extract_id: str
    header: DeliveryHeader
    cells: dict[str, tuple[DeliveredCell, ...]]


def socle_requests(
    catalogue: Catalogue,
    store: CellStore,
    matrix: PolicyMatrix,
    geography: Geography,
    today: date,
) -> list[ExtractRequest]:
    """Return what the socle publishes: one request per period, the indicators stored for it.

    What is public is decided by the public's policy itself (tier, sources, finest free
    level), never by a second list: an indicator the matrix opens to the public is in it.
    """
    stored = set(store.indicators())
    public = [
        indicator
        for indicator in catalogue
        if all(term in stored for term in stored_terms(indicator))
        and _open_to_public(indicator.code, catalogue, matrix, geography, today, store)
    ]
    periods = sorted({p for ind in public for t in stored_terms(ind) for p in store.periods(t)})
    requests = []
    for period in periods:
        codes = tuple(
            ind.code for ind in public if all(period in store.periods(t) for t in stored_terms(ind))
        )
        breakdowns = tuple(sorted({b for code in codes for b in catalogue.get(code).breakdowns}))
        requests.append(
            ExtractRequest(
                indicators=codes,
                territories=(),
                periods=(period,),
                use=Use.USAGE_FINAL,
                breakdowns=breakdowns,
            )
        )
    return requests


def published_levels(matrix: PolicyMatrix) -> tuple[GeoLevel, ...]:
    """Return the levels of the publication: the public's finest free level and coarser."""
    finest = matrix.free_finest_level(RequesterType.GRAND_PUBLIC)
    return tuple(level for level in _LEVELS if level.fineness >= finest.fineness)


def _open_to_public(
    code: str,
    catalogue: Catalogue,
    matrix: PolicyMatrix,
    geography: Geography,
    today: date,
    store: CellStore,
) -> bool:
    indicator = catalogue.get(code)
    periods = {p for term in stored_terms(indicator) for p in store.periods(term)}
    request = AccessRequest(
        indicators=(code,),
        territories=((GeoLevel.FRANCE, FRANCE_CODE),),
        periods=tuple(sorted(periods)),
        use=Use.USAGE_FINAL,
        breakdowns=indicator.breakdowns,
    )
    decision = decide(
        request,
        PUBLIC.profile,
        conventions=[],
        catalogue=catalogue.indicators,
        matrix=matrix,
        territories=geography,
        today=today,
    )
    return decision.allowed


def socle_territories(
    geography: Geography, levels: Iterable[GeoLevel]
) -> tuple[TerritoryCell, ...]:
    """Return every territory of the published levels, with its communes."""
    cells = []
    for level in levels:
        codes = (FRANCE_CODE,) if level is GeoLevel.FRANCE else geography.codes(level)
        for code in codes:
            communes = frozenset(geography.communes_of(level, code))
            cells.append(TerritoryCell(level, code, geography.name(level, code), communes))
    return tuple(cells)


def publication(session: Session, version: str) -> Extract | None:
    """Return the latest socle publication of a store version, if any."""
    found = publication_id(session, version)
    return None if found is None else extracts.find_extract(session, found)


def publication_id(session: Session, version: str) -> str | None:
    """Return the id of the latest socle publication of a store version (its cells unread)."""
    return extracts.latest_public(session, fingerprint(version))


@dataclass
class Publisher:
    """Publishes the socle of a store version once, under the public ledger's locks."""

    database: Database
    geography: Geography
    locks: LedgerLocks
    lock_timeout: float
    caf_code: str = "national"
    caf_name: str = "Cnaf — socle commun national"
    caches: Caches = field(default_factory=Caches)  # the app's, when it publishes

    def ensure(self, store: CellStore, today: date | None = None) -> str:
        """Return the id of the version's publication, publishing it first if missing."""
        version = store.version()
        with self.database.sessions() as session:
            found = publication_id(session, version)
        return found or self.publish(store, today, only_if_missing=True)

    def publish(
        self,
        store: CellStore,
        today: date | None = None,
        *,
        only_if_missing: bool = False,
    ) -> str:
        """Protect and record the whole socle of the store's version; return its id."""
        day = today or datetime.now(UTC).date()
        version = store.version()
        with self.database.sessions() as session:
            catalogue = current_catalogue(session, self.caches.catalogue)
            matrix = current_matrix(session, self.caches.matrix)
        levels = published_levels(matrix)
        requests = socle_requests(catalogue, store, matrix, self.geography, day)
        territories = socle_territories(self.geography, levels)
        # Every public partition of the publication, exclusively: every delivery reads the
        # public ledger (shared), so none is protected while the socle is being written.
        writes = self._partitions(catalogue, requests)
        with self.locks.hold((), writes, self.lock_timeout):
            if only_if_missing:
                with self.database.sessions() as session:
                    found = publication_id(session, version)
                if found is not None:  # published by another worker while this one waited
                    return found
            parts = []
            for request in requests:
                with self.database.sessions() as session:
                    # Against everything released to anyone: every requester holds the socle.
                    computed = compute(
                        session,
                        store,
                        catalogue,
                        request,
                        territories,
                        audiences=None,
                        known_sets=self.caches.commune_sets,
                    )
                parts.append((request, computed))
            return self._record(store, catalogue, version, territories, parts)

    def _partitions(
        self, catalogue: Catalogue, requests: list[ExtractRequest]
    ) -> frozenset[Partition]:
        return frozenset(
            (None, code, period)
            for request in requests
            for code in shown_by_set(catalogue, request)
            for period in request.periods
        )

    def _record(
        self,
        store: CellStore,
        catalogue: Catalogue,
        version: str,
        territories: tuple[TerritoryCell, ...],
        parts: list[tuple[ExtractRequest, Computed]],
    ) -> str:
        extract_id = uuid.uuid4().hex
        header = DeliveryHeader(
            extract_id=extract_id,
            created_at=datetime.now(UTC),
            requester_name=PUBLIC.name,
            requester_type=PUBLIC.profile.type.value,
            caf_code=self.caf_code,
            caf_name=self.caf_name,
            convention_reference=None,
            use=Use.USAGE_FINAL.value,
            synthetic=any(store.metadata(code).synthetic for code in store.indicators()),
        )
        cells = [
            cell
            for request, computed in parts
            for cell in delivered_cells(request, catalogue, territories, computed)
        ]
        suppressed = sum(1 for c in cells if c.secret)
        with self.database.transaction() as session:
            extract = Extract(
                id=extract_id,
                requester_id=None,
                fingerprint=fingerprint(version),
                request={"socle": True, "version": version},
                status=DELIVERED,
                store_version=version,
                result={"cellules": cells_to_json(cells), "contexte": header.to_json()},
                cells_delivered=len(cells),
                cells_suppressed=suppressed,
                progress=100,
                completed_at=datetime.now(UTC),
            )
            extracts.store_extract(session, extract)
            rows = [
                row
                for request, computed in parts
                for row in released_cells(request, catalogue, territories, computed)
            ]
            ledger.record(session, extract_id=extract_id, audience=None, cells=rows)
            audit_log.append_entry(
                session,
                requester_id=None,
                key_prefix=None,
                action=Action.SOCLE_PUBLISH,
                fingerprint=fingerprint(version),
                decision=audit_log.ALLOWED,
                rules=[Rule.SOCLE_PUBLICATION],
                convention_ref=None,
                cells_delivered=len(cells),
                cells_suppressed=suppressed,
                price=None,
                details={"extrait": extract_id, "version": version},
            )
        return extract_id


def read_slice(session: Session, extract_id: str) -> SocleSlice:
    """Load a publication's cells, grouped by indicator."""
    extract = extracts.find_extract(session, extract_id)
    assert extract is not None and extract.result is not None
    by_indicator: dict[str, list[DeliveredCell]] = {}
    for cell in cells_from_json(extract.result["cellules"]):
        by_indicator.setdefault(cell.indicator, []).append(cell)
    return SocleSlice(
        extract_id=extract.id,
        header=DeliveryHeader.from_json(extract.result["contexte"]),
        cells={code: tuple(cells) for code, cells in by_indicator.items()},
    )


def socle_cells(publication: SocleSlice, prepared: Prepared) -> Delivery:
    """Return the delivery of the published cells a public request designates."""
    request = prepared.request
    wanted = {(t.level.value, t.code) for t in prepared.territories if t.requested}
    cells = []
    for code in request.indicators:
        indicator = prepared.catalogue.get(code)
        broken_down = any(b in request.breakdowns for b in indicator.breakdowns)
        cells += [
            cell
            for cell in publication.cells.get(code, ())
            if cell.period in request.periods
            and (cell.territory_level, cell.territory_code) in wanted
            and (broken_down or cell.is_total)
        ]
    header = replace(publication.header, extract_id=publication.extract_id)
    return build_delivery(header, request.indicators, prepared.catalogue, tuple(cells))
