"""Run an extract end to end: decide, price, protect, record in one transaction, deliver."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gateway.cache import Caches
from gateway.config import Settings
from gateway.db import Database
from gateway.db.models import Extract, QuoteRecord
from gateway.db.models.extracts import DELIVERED, FAILED, IN_FLIGHT, PENDING
from gateway.delivery import Delivery, DeliveryHeader
from gateway.pipeline import claims, payment
from gateway.pipeline.compute import Computed, compute, stored_terms
from gateway.pipeline.deliver import (
    build_delivery,
    cells_to_json,
    delivered_cells,
    released_cells,
    stored_delivery,
)
from gateway.pipeline.differencing import request_refusal
from gateway.pipeline.jobs import JobRunner
from gateway.pipeline.limits import ExtractLimits, too_fine
from gateway.pipeline.locks import LedgerLocks, partitions, serialise
from gateway.pipeline.prepare import Prepared, check_size, prepare
from gateway.pipeline.socle import Publisher, SocleSlice, read_slice, socle_cells
from gateway.services.audit import queries as audit_log
from gateway.services.extracts import queries as extracts
from gateway.services.ledger import queries as ledger
from gateway.services.pricing.queries import order_total
from gateway.services.territories.queries import caf_name
from gateway.store import CellStore
from policies.access import Caller
from policies.errors import QuotaExceeded, SecrecyRefusal
from policies.geography import SEVERAL_CAF, Geography
from policies.refusals import Rule

LOG = logging.getLogger("gateway.extracts")


class _ServedByTwin(Exception):
    """An identical request was delivered meanwhile: serve its extract (nothing written)."""


@dataclass(frozen=True)
class Outcome:
    """What the API answers: a delivered extract, or a background job to follow."""

    extract_id: str
    status: str
    delivery: Delivery | None = None


class Pipeline:
    """The extracts pipeline of one app: handed its database, store, geography, limits, caches
    and job runner by the app's state (`gateway.state`)."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        store: CellStore,
        geography: Geography,
        limits: ExtractLimits,
        caches: Caches,
        jobs: JobRunner,
    ) -> None:
        self.database = database
        self.settings = settings
        self.store = store
        self.geography = geography
        self.limits = limits
        self.caches = caches
        self.jobs = jobs
        self.locks = LedgerLocks(database, settings.instance_dir / "locks")
        self.publisher = Publisher(
            database, geography, self.locks, settings.ledger_lock_timeout, caches=caches
        )
        self._socle: dict[str, SocleSlice] = {}  # publications read, by id (immutable)

    def submit(
        self,
        caller: Caller,
        body: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        today: date | None = None,
    ) -> Outcome:
        """Take a request through every step; raise a domain error at the first refusal."""
        day = today or datetime.now(UTC).date()
        prepared = self._allowed(caller, body, day)
        check_size(prepared, self.limits)
        cached = self._cached(prepared, idempotency_key)
        if cached is not None:
            return cached
        try:
            with self.database.transaction() as session:
                payment.check_quota(session, prepared, day)
                settled = payment.settle(session, prepared, self.geography, day)
                if isinstance(settled, QuoteRecord) and self._twin_delivered(session, prepared):
                    raise _ServedByTwin()  # no quote: the order was just delivered to a twin
        except (QuotaExceeded, _ServedByTwin):
            # An identical request delivered since the first look is served, not refused: its
            # delivery counted the quota, and delivered the order this one found delivered.
            cached = self._cached(prepared, idempotency_key)
            if cached is None:
                raise
            return cached
        if isinstance(settled, QuoteRecord):  # committed first: the quote outlives the refusal
            self._log(prepared, "quote_required", [Rule.DEVIS_A_ACCEPTER], devis=settled.id)
            raise payment.QuoteToAccept(settled)
        order_id = settled
        extract_id = uuid.uuid4().hex
        if prepared.cells > self.limits.background_above:
            claimed = self._claim(extract_id, prepared, idempotency_key)
            if claimed is not None:  # the same request, already in flight: that job
                return claimed
            self.jobs.submit(
                extract_id, self._background, extract_id, prepared, order_id, idempotency_key, day
            )
            return Outcome(extract_id, PENDING)
        return self._deliver(extract_id, prepared, order_id, idempotency_key, day, tracked=False)

    def socle(self, caller: Caller, body: Mapping[str, Any], today: date | None = None) -> Delivery:
        """Read a slice of the socle publication of the current data vintage."""
        day = today or datetime.now(UTC).date()
        prepared = self._allowed(caller, body, day)
        publication_id = self.publisher.ensure(self.store, day)
        if publication_id not in self._socle:
            with self.database.sessions() as session:
                self._socle = {publication_id: read_slice(session, publication_id)}
        return socle_cells(self._socle[publication_id], prepared)

    # --- steps ----------------------------------------------------------------------------

    def _allowed(self, caller: Caller, body: Mapping[str, Any], day: date) -> Prepared:
        """Validate and decide a request; log and raise its refusal."""
        with self.database.sessions() as session:
            prepared = prepare(
                session,
                caller,
                body,
                store=self.store,
                geography=self.geography,
                caches=self.caches,
                today=day,
            )
        if not prepared.decision.allowed:
            self._log(
                prepared, audit_log.REFUSED, [str(r) for r in prepared.decision.refusal_rules]
            )
            prepared.decision.raise_if_refused()
        return prepared

    def _deliver(
        self,
        extract_id: str,
        prepared: Prepared,
        order_id: int | None,
        key: str | None,
        day: date,
        *,
        tracked: bool = True,
    ) -> Outcome:
        """Protect, record and deliver; `tracked`: a job whose progress its extract shows."""
        # A vintage opens to requesters once its socle is published: their protection then
        # holds the public figures, whatever order the two are asked in.
        self.publisher.ensure(self.store)
        # From the ledger read to the ledger commit, no other delivery may write what this one
        # reads: two protections against a ledger holding neither would let one subtract them.
        reads, writes = partitions(prepared)
        with self.locks.hold(reads, writes, self.settings.ledger_lock_timeout):
            cached = self._cached(prepared, key)  # the same request, delivered while we waited
            if cached is not None:
                return cached
            with self.database.sessions() as session:  # on public information only: no cell read
                refusal = request_refusal(
                    session, prepared, self.geography, self.settings.zone_min_population
                )
            if refusal is not None:
                self._log(prepared, audit_log.REFUSED, [Rule.SECRET_DIFFERENCIATION])
                raise refusal
            try:
                with self.database.sessions() as session:  # a read session, apart from the commit
                    computed = compute(
                        session,
                        self.store,
                        prepared.catalogue,
                        prepared.request,
                        prepared.territories,
                        prepared.audiences,
                        # A synchronous request has no row to show progress on yet.
                        progress=(lambda pct: self._progress(extract_id, pct)) if tracked else None,
                        known_sets=self.caches.commune_sets,
                    )
            except SecrecyRefusal:  # audited under the locks, in the order it ran
                self._log(prepared, audit_log.REFUSED, [Rule.SECRET_COHERENCE])
                raise
            cells = delivered_cells(
                prepared.request, prepared.catalogue, prepared.territories, computed
            )
            self._refuse_if_too_fine(prepared, cells)
            header = self._header(extract_id, prepared)
            price = self._commit(header, prepared, computed, cells, order_id, key, day)
        header = replace(header, price_total=price)
        delivery = build_delivery(header, prepared.request.indicators, prepared.catalogue, cells)
        return Outcome(extract_id, DELIVERED, delivery)

    def _commit(
        self,
        header: DeliveryHeader,
        prepared: Prepared,
        computed: Computed,
        cells: tuple[Any, ...],
        order_id: int | None,
        key: str | None,
        day: date,
    ) -> Decimal | None:
        """Write the extract, the ledger, the audit entry and the invoice: all or nothing."""
        suppressed = sum(1 for c in cells if c.secret)
        extract_id = header.extract_id
        with self.database.transaction() as session:
            # The quota is read again, and this delivery counted, in one step per convention:
            # read in one transaction and committed in another, concurrent deliveries overran it.
            timeout = self.settings.ledger_lock_timeout
            serialise(session, claims.quota_step(prepared), timeout)
            payment.check_quota(session, prepared, day)
            extract = extracts.extract_row(session, extract_id)
            _fill(extract, prepared, self.store.version(), DELIVERED)
            extract.result = {
                "cellules": cells_to_json(cells),
                "contexte": header.to_json(),
            }
            extract.cells_delivered, extract.cells_suppressed = len(cells), suppressed
            extract.progress, extract.completed_at = 100, datetime.now(UTC)
            extracts.store_extract(session, extract)
            rows = released_cells(
                prepared.request, prepared.catalogue, prepared.territories, computed
            )
            ledger.record(
                session,
                extract_id=extract_id,
                audience=prepared.caller.requester_id,
                cells=list(rows),
            )
            invoice = payment.invoice(session, order_id, key, extract_id)
            price = invoice.total if invoice is not None else order_total(session, order_id)
            extract.invoice_number = invoice.number if invoice is not None else None
            extract.result = {**extract.result, "prix": None if price is None else str(price)}
            claims.remember(session, prepared, key, extract_id)
            audit_log.append_entry(
                session,
                **_audit_fields(prepared, audit_log.ALLOWED),
                cells_delivered=len(cells),
                cells_suppressed=suppressed,
                price=price,
                details={"extrait": extract_id, "facture": extract.invoice_number},
            )
        return price

    def _refuse_if_too_fine(self, prepared: Prepared, cells: tuple[Any, ...]) -> None:
        if prepared.request.masked_rather_than_refused:
            return  # an IMAJE screen shows the masked cells; the protection is the same
        secret = sum(1 for c in cells if c.secret)
        levels = {t.level for t in prepared.territories if t.requested}
        refusal = too_fine(secret, len(cells), levels, self.limits)
        if refusal is not None:
            self._log(prepared, audit_log.REFUSED, [Rule.SECRET_TROP_FIN])
            raise refusal

    def _cached(self, prepared: Prepared, key: str | None = None) -> Outcome | None:
        """Serve a request again: the extract its key names, else the same request's (same mask)."""
        with self.database.sessions() as session:
            extract = claims.remembered(session, prepared, key) or claims.twin(
                session, prepared, self.store.version(), (DELIVERED,)
            )
        if extract is None or (extract.status == DELIVERED and extract.result is None):
            return None
        # Served again, not extracted again: logged as a read, outside the monthly quotas.
        with self.database.transaction() as session:
            self._append(
                session,
                prepared,
                audit_log.ALLOWED,
                ["cache.meme_demande"],
                "extract_read",
                extrait=extract.id,
            )
            claims.remember(session, prepared, key, extract.id)
        return self._outcome(extract, prepared)

    def _twin_delivered(self, session: Session, prepared: Prepared) -> bool:
        version = self.store.version()
        return claims.twin(session, prepared, version, (DELIVERED,)) is not None

    def _claim(self, extract_id: str, prepared: Prepared, key: str | None) -> Outcome | None:
        """Record a background extract, or return the same request's extract already in flight."""
        version = self.store.version()
        timeout = self.settings.ledger_lock_timeout
        with self.database.transaction() as session:
            serialise(session, claims.request_step(prepared, version), timeout)
            extract = claims.twin(session, prepared, version, (*IN_FLIGHT, DELIVERED))
            if extract is None:
                extract = Extract(id=extract_id)
                _fill(extract, prepared, version, PENDING)
                extracts.store_extract(session, extract)
            claims.remember(session, prepared, key, extract.id)
        return None if extract.id == extract_id else self._outcome(extract, prepared)

    def _outcome(self, extract: Extract, prepared: Prepared) -> Outcome:
        if extract.status != DELIVERED or extract.result is None:
            return Outcome(extract.id, extract.status)
        return Outcome(extract.id, DELIVERED, stored_delivery(extract, prepared.catalogue))

    def _background(
        self,
        extract_id: str,
        prepared: Prepared,
        order_id: int | None,
        key: str | None,
        day: date,
    ) -> None:
        try:
            outcome = self._deliver(extract_id, prepared, order_id, key, day)
            if outcome.extract_id != extract_id:
                self._deliver_as(extract_id, outcome.extract_id)
        except Exception as error:  # the job's failure is reported by its status, not lost
            LOG.exception("extrait %s en échec", extract_id)
            detail = {"detail": getattr(error, "detail", "Erreur interne.")}
            with self.database.transaction() as session:
                extracts.record_failure(session, extract_id, FAILED, detail)

    def _deliver_as(self, extract_id: str, twin_id: str) -> None:
        """Complete a job with the identical extract delivered while it waited (same mask)."""
        with self.database.transaction() as session:
            extracts.copy_delivery(session, extract_id, twin_id, datetime.now(UTC))

    def _progress(self, extract_id: str, percent: int) -> None:
        with self.database.transaction() as session:
            extracts.record_progress(session, extract_id, percent)

    def _log(
        self,
        prepared: Prepared,
        decision: str,
        rules: list[str],
        action: str = "extract_create",
        **details: Any,
    ) -> None:
        with self.database.transaction() as session:
            self._append(session, prepared, decision, rules, action, **details)

    @staticmethod
    def _append(
        session: Session,
        prepared: Prepared,
        decision: str,
        rules: list[str],
        action: str = "extract_create",
        **details: Any,
    ) -> None:
        audit_log.append_entry(
            session,
            **{**_audit_fields(prepared, decision), "rules": rules, "action": action},
            cells_delivered=0,
            cells_suppressed=0,
            price=None,
            details=details,
        )

    def _header(self, extract_id: str, prepared: Prepared) -> DeliveryHeader:
        caf_code, caf_name = self._caf(prepared)
        return DeliveryHeader(
            extract_id=extract_id,
            created_at=datetime.now(UTC),
            requester_name=prepared.caller.name,
            requester_type=prepared.caller.profile.type.value,
            caf_code=caf_code,
            caf_name=caf_name,
            convention_reference=prepared.decision.convention_reference,
            use=prepared.request.use.value,
            synthetic=any(self.store.metadata(t).synthetic for t in self._terms(prepared)),
            excluded=prepared.excluded,
        )

    def _terms(self, prepared: Prepared) -> set[str]:
        return {
            t for c in prepared.request.indicators for t in stored_terms(prepared.catalogue.get(c))
        }

    def _caf(self, prepared: Prepared) -> tuple[str, str]:
        code = prepared.caller.profile.caf_code
        if code is None:  # the requester's Caf, else the one Caf of the territories, else Cnaf
            cafs = self.geography.cafs_of(c for t in prepared.territories for c in t.communes)
            if len(cafs) != 1:
                return SEVERAL_CAF
            code = cafs[0]
        with self.database.sessions() as session:
            name = caf_name(session, code)
        return code, name or f"Caf {code}"


def _fill(extract: Extract, prepared: Prepared, version: str, status: str) -> None:
    extract.requester_id = prepared.caller.requester_id
    extract.fingerprint = prepared.request.fingerprint()
    extract.request = dict(prepared.request.description) | {"format": prepared.request.output}
    extract.status = status
    extract.convention_ref = prepared.decision.convention_reference
    extract.store_version = version


def _audit_fields(prepared: Prepared, decision: str) -> dict[str, Any]:
    return {
        "requester_id": prepared.caller.requester_id,
        "key_prefix": prepared.caller.key_prefix,
        "action": "extract_create",
        "fingerprint": prepared.request.fingerprint(),
        "decision": decision,
        "rules": [str(r) for r in prepared.decision.deciding_rules],
        "convention_ref": prepared.decision.convention_reference,
    }


__all__ = ["Outcome", "Pipeline"]
