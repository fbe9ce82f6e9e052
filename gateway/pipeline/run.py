"""Run an extract end to end: decide, price, protect, record in one transaction, deliver."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from gateway.cache import Caches
from gateway.config import Settings
from gateway.db import Database
from gateway.db.connections import PASSING_FAILURES
from gateway.db.models import Extract, QuoteRecord
from gateway.db.models.extracts import DELIVERED, IN_FLIGHT, PENDING
from gateway.delivery import Delivery
from gateway.delivery.storage import ExtractFiles
from gateway.pipeline import background, claims, payment, record
from gateway.pipeline.compute import compute
from gateway.pipeline.deliver import build_delivery, delivered_cells, stored_delivery
from gateway.pipeline.differencing import request_refusal
from gateway.pipeline.jobs import JobRunner
from gateway.pipeline.limits import ExtractLimits, too_fine
from gateway.pipeline.locks import LedgerBusy, LedgerLocks, partitions
from gateway.pipeline.prepare import Prepared, check_size, prepare
from gateway.pipeline.progress import Throttled
from gateway.pipeline.queue import QueueRunner, queue_lock
from gateway.pipeline.socle import Publisher, SocleSlice, read_slice, socle_cells
from gateway.services.audit.queries import ALLOWED, REFUSED
from gateway.services.extracts import queries as extracts
from gateway.services.requesters import queries as requesters
from gateway.store import CellStore
from policies.access import Action, Caller
from policies.errors import QuotaExceeded, SecrecyRefusal
from policies.geography import Geography
from policies.refusals import Rule

#: Failures a queued job is tried again after: a partition held too long, the database away.
TRANSIENT: tuple[type[Exception], ...] = (LedgerBusy, *PASSING_FAILURES)


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
        queue: QueueRunner | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.store = store
        self.geography = geography
        self.limits = limits
        self.caches = caches
        self.jobs = jobs  # the embedded runner (SQLite)
        self.queue = queue  # the durable queue (PostgreSQL): background extracts go there
        self.locks = LedgerLocks(database, settings.instance_dir / "locks")
        self.publisher = Publisher(
            database, geography, self.locks, settings.ledger_lock_timeout, caches=caches
        )
        self._socle: dict[str, SocleSlice] = {}  # publications read, by id (immutable)
        self.files = ExtractFiles(settings.extract_files_dir)  # background extracts' files

    def submit(
        self,
        caller: Caller,
        body: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        today: date | None = None,
        foreground: bool = False,
    ) -> Outcome:
        """Take a request through every step; raise a domain error at the first refusal.

        `foreground`: deliver now whatever the size, for a caller already in the background
        (a subscription's delivery, run by a queue worker or `run-subscriptions`).
        """
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
        # An IMAJE screen (a few indicators on a few territories) is shown in the request,
        # whatever the threshold: its page and its API answer a table, never a job to follow.
        foreground = foreground or prepared.request.masked_rather_than_refused
        if prepared.cells > self.limits.background_above and not foreground:
            inputs = {
                "body": dict(body),
                "key": idempotency_key,
                "order": order_id,
                "day": day.isoformat(),
                "key_prefix": caller.key_prefix,
                "name": caller.name,
            }
            return self._in_background(
                extract_id,
                prepared,
                inputs,
                lambda: self._deliver(extract_id, prepared, order_id, idempotency_key, day),
            )
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

    def decide(
        self, session: Session, caller: Caller, body: Mapping[str, Any], day: date
    ) -> Prepared:
        """Validate a request against this app's catalogue, store and geography; decide on it."""
        return prepare(
            session,
            caller,
            body,
            store=self.store,
            geography=self.geography,
            caches=self.caches,
            today=day,
        )

    # --- steps ----------------------------------------------------------------------------

    def _allowed(self, caller: Caller, body: Mapping[str, Any], day: date) -> Prepared:
        """Validate and decide a request; log and raise its refusal."""
        with self.database.sessions() as session:
            prepared = self.decide(session, caller, body, day)
        if not prepared.decision.allowed:
            self._log(prepared, REFUSED, [str(r) for r in prepared.decision.refusal_rules])
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
            # The same request, delivered while we waited (not this job's own extract, which
            # its key already names while it is pending).
            cached = self._cached(prepared, key, own=extract_id)
            if cached is not None:
                return cached
            with self.database.sessions() as session:  # on public information only: no cell read
                refusal = request_refusal(
                    session, prepared, self.geography, self.settings.zone_min_population
                )
            if refusal is not None:
                self._log(prepared, REFUSED, [Rule.SECRET_DIFFERENCIATION])
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
                        progress=self._progress(extract_id) if tracked else None,
                        known_sets=self.caches.commune_sets,
                    )
            except SecrecyRefusal:  # audited under the locks, in the order it ran
                self._log(prepared, REFUSED, [Rule.SECRET_COHERENCE])
                raise
            cells = delivered_cells(
                prepared.request, prepared.catalogue, prepared.territories, computed
            )
            self._refuse_if_too_fine(prepared, cells)
            header = record.header(self.database, self.store, self.geography, extract_id, prepared)
            price = record.commit(
                self.database,
                header,
                prepared,
                computed,
                cells,
                version=self.store.version(),
                order_id=order_id,
                key=key,
                day=day,
                lock_timeout=self.settings.ledger_lock_timeout,
            )
        header = replace(header, price_total=price)
        delivery = build_delivery(header, prepared.request.indicators, prepared.catalogue, cells)
        return Outcome(extract_id, DELIVERED, delivery)

    def _refuse_if_too_fine(self, prepared: Prepared, cells: tuple[Any, ...]) -> None:
        if prepared.request.masked_rather_than_refused:
            return  # an IMAJE screen shows the masked cells; the protection is the same
        secret = sum(1 for c in cells if c.secret)
        levels = {t.level for t in prepared.territories if t.requested}
        refusal = too_fine(secret, len(cells), levels, self.limits)
        if refusal is not None:
            self._log(prepared, REFUSED, [Rule.SECRET_TROP_FIN])
            raise refusal

    def _cached(
        self, prepared: Prepared, key: str | None = None, own: str | None = None
    ) -> Outcome | None:
        """Serve a request again: the extract its key names, else the same request's (same mask).

        `own`: the extract being delivered, never an answer to itself.
        """
        with self.database.sessions() as session:
            extract = claims.remembered(session, prepared, key)
            if extract is None or extract.id == own:
                extract = claims.twin(session, prepared, self.store.version(), (DELIVERED,))
        if extract is None or (extract.status == DELIVERED and extract.result is None):
            return None
        # Served again, not extracted again: logged as a read, outside the monthly quotas.
        with self.database.transaction() as session:
            record.append(
                session,
                prepared,
                ALLOWED,
                ["cache.meme_demande"],
                Action.EXTRACT_READ,
                extrait=extract.id,
            )
            claims.remember(session, prepared, key, extract.id)
        return self._outcome(extract, prepared)

    def _twin_delivered(self, session: Session, prepared: Prepared) -> bool:
        version = self.store.version()
        return claims.twin(session, prepared, version, (DELIVERED,)) is not None

    def _outcome(self, extract: Extract, prepared: Prepared) -> Outcome:
        if extract.status != DELIVERED or extract.result is None:
            return Outcome(extract.id, extract.status)
        return Outcome(extract.id, DELIVERED, stored_delivery(extract, prepared.catalogue))

    # --- background jobs and the audit chain --------------------------------------------

    def _in_background(
        self,
        extract_id: str,
        prepared: Prepared,
        inputs: dict[str, Any],
        deliver: Callable[[], Outcome],
    ) -> Outcome:
        """Claim the extract and `deliver` it as a job, unless the same request is in flight."""
        claimed = background.claim(
            self.database,
            extract_id,
            prepared,
            inputs["key"],
            version=self.store.version(),
            lock_timeout=self.settings.ledger_lock_timeout,
            job=inputs,
        )
        if claimed.id != extract_id:  # the same request, already in flight: that job
            return self._outcome(claimed, prepared)
        if self.queue is not None:  # its row holds what the job needs: the job, only its id
            self.queue.defer(extract_id, queue_lock(partitions(prepared)[1]))
            return Outcome(extract_id, PENDING)
        job = background.run_job

        def deliver_and_keep() -> str:
            return self._kept(deliver()).extract_id

        self.jobs.submit(extract_id, job, self.database, extract_id, deliver_and_keep)
        return Outcome(extract_id, PENDING)

    def deliver_queued(self, extract_id: str, last_attempt: bool) -> None:
        """Run a queued extract from its row; nothing when it is delivered, failed or gone.

        Its request is decided again (a convention suspended meanwhile refuses it); transient
        failures are raised for the queue to retry, except at the `last_attempt`.
        """
        with self.database.sessions() as session:
            extract = extracts.find_extract(session, extract_id)
            if extract is None or extract.status not in IN_FLIGHT or extract.job is None:
                return  # delivered by an earlier run (its worker died after the commit)
            inputs, requester = extract.job, extract.requester_id
            if requester is None:
                return  # the public's requests are never background jobs
            profile = requesters.profile(session, requester)
        caller = Caller(requester, profile, inputs["key_prefix"], inputs["name"])
        day = date.fromisoformat(inputs["day"])

        def deliver() -> str:
            prepared = self._allowed(caller, inputs["body"], day)
            order, key = inputs["order"], inputs["key"]
            return self._kept(self._deliver(extract_id, prepared, order, key, day)).extract_id

        transient = () if last_attempt else TRANSIENT
        background.run_job(self.database, extract_id, deliver, transient)

    def _kept(self, outcome: Outcome) -> Outcome:
        """Render a background extract once in every format: its downloads read the files."""
        background.keep_files(self.files, outcome.delivery)
        return outcome

    def _progress(self, extract_id: str) -> Callable[[int], None]:
        """Write a job's progress to its extract's row, about once a second at most."""
        return Throttled(lambda percent: background.progress(self.database, extract_id, percent))

    def _log(self, prepared: Prepared, decision: str, rules: list[str], **details: Any) -> None:
        record.log(self.database, prepared, decision, rules, **details)


__all__ = ["Outcome", "Pipeline"]
