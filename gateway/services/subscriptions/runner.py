"""Deliver what is due: each active subscription once per due period, through the pipeline.

`due_now` lists the (subscription, period) pairs due; `deliver_one` delivers one of them;
`run_due` does both (the `run-subscriptions` command; on PostgreSQL, a periodic task defers
one queue job per pair, `gateway.services.subscriptions.jobs`).

Exactly once per period: a delivery first claims its row, unique per subscription and due
period, in a transaction of its own; a second runner finds the claim and stops. A claim left
`en_cours` by a runner that died is taken over by the queue's retry of the same job
(`takeover`), or by any runner once it is older than `STALE_AFTER`. The extract itself is
the pipeline's, with its usual guards (an idempotency key per subscription and period, the
same request served again on the same data, one delivery per extract): a delivery taken over
after its extract was committed finds that extract and records it, writing no second ledger
entry or invoice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.db.base import as_utc
from gateway.db.models import Extract, Subscription, SubscriptionDelivery
from gateway.db.models.extracts import DELIVERED
from gateway.notify.subscription import notify_delivery
from gateway.pipeline.payment import QuoteToAccept
from gateway.pipeline.run import TRANSIENT, Outcome
from gateway.services.pricing.quotes import accept_quote
from gateway.services.requesters.queries import get_requester, profile_of
from gateway.services.subscriptions import queries
from gateway.services.subscriptions.notify import Announced, DeliveryNotifier, announce
from gateway.services.subscriptions.values import Cadence, DeliveryStatus, Status, current_due
from gateway.state import AppState
from policies.access import Caller
from policies.errors import AccessDenied, DomainError
from policies.refusals import Refusal, Rule

LOG = logging.getLogger("gateway.abonnements")

#: A claim still `en_cours` after this long belongs to a runner that died: taken over.
STALE_AFTER = timedelta(minutes=15)
#: A failed announcement is tried again after 1, 2, 4, 8 minutes: 5 attempts in all.
NOTIFY_ATTEMPTS = 5
NOTIFY_FIRST_WAIT = timedelta(minutes=1)


@dataclass(frozen=True)
class DueDelivery:
    """A delivery due now: its subscription, its requester, its due period's key."""

    subscription_id: int
    requester_id: int
    due: str


@dataclass(frozen=True)
class RunReport:
    """What one run did, by outcome: the deliveries it finished, and those it left."""

    delivered: int = 0
    refused: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another runner, no longer due, or to be tried again
    announced_again: int = 0  # earlier deliveries whose failed announcement left this time

    def count(self, status: DeliveryStatus | None) -> RunReport:
        """Count one more delivery of this status (None: nothing done)."""
        name = _REPORTED.get(status, "skipped") if status is not None else "skipped"
        return replace(self, **{name: getattr(self, name) + 1})


_REPORTED = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.REFUSED: "refused",
    DeliveryStatus.FAILED: "failed",
}


def due_now(state: AppState, now: datetime | None = None) -> list[DueDelivery]:
    """Return the deliveries due now: each active subscription's current period, unclaimed."""
    moment = now or datetime.now(UTC)
    version = state.store.version()
    with state.database.sessions() as session:
        active = queries.active_subscriptions(session)
        claimed = queries.claimed_dues(session, [s.id for s in active], moment - STALE_AFTER)
        found = [
            DueDelivery(s.id, s.requester_id, current_due(Cadence(s.cadence), moment, version).key)
            for s in active
        ]
    return [d for d in found if (d.subscription_id, d.due) not in claimed]


def run_due(
    state: AppState, now: datetime | None = None, notify: DeliveryNotifier | None = None
) -> RunReport:
    """Deliver everything due now, one after another; return what was done."""
    report = RunReport()
    for due in due_now(state, now):
        delivery = deliver_one(state, due.subscription_id, due.due, now=now, notify=notify)
        report = report.count(None if delivery is None else DeliveryStatus(delivery.status))
    return replace(report, announced_again=announce_pending(state, now, notify))


def deliver_one(
    state: AppState,
    subscription_id: int,
    due: str,
    *,
    takeover: bool = False,
    retry_transient: bool = False,
    now: datetime | None = None,
    notify: DeliveryNotifier | None = None,
) -> SubscriptionDelivery | None:
    """Deliver a subscription for one due period; return its finished delivery, or None when
    there is nothing to do (not due, claimed by another runner, already finished).

    `takeover`: a claim still running is this job's own earlier attempt (the queue's retry).
    `retry_transient`: raise transient failures for the queue to retry; otherwise the claim
    is released and the next run tries again.
    """
    moment = now or datetime.now(UTC)
    claim = _claim(state, subscription_id, due, moment, takeover)
    if claim is None:
        return None
    subscription, delivery_id = claim
    try:
        result, extract_id, error = _run(state, subscription, due, moment)
    except PASSING:
        if retry_transient:
            raise
        LOG.warning("abonnement %s, échéance %s : échec passager, repris", subscription_id, due)
        with state.database.transaction() as session:
            queries.release_claim(session, delivery_id)
        return None
    except Exception:  # a failure is recorded in the history, not lost
        LOG.exception("abonnement %s, échéance %s : échec", subscription_id, due)
        result, extract_id, error = DeliveryStatus.FAILED, None, {"detail": "Erreur interne."}
    delivery = _finish(state, delivery_id, result, extract_id, error)
    return _announce(state, subscription, delivery, 0, notify) or delivery


def announce_pending(
    state: AppState, now: datetime | None = None, notify: DeliveryNotifier | None = None
) -> int:
    """Try again the announcements that failed and whose wait is over; return how many left."""
    moment = now or datetime.now(UTC)
    with state.database.sessions() as session:
        pending = [
            (row.subscription, row)
            for row in queries.unannounced(session, NOTIFY_ATTEMPTS)
            if row.completed_at is not None
            and as_utc(row.completed_at) + _announce_wait(row.notify_attempts) <= moment
        ]
        session.expunge_all()
    sent = 0
    for subscription, row in pending:
        again = _announce(state, subscription, row, row.notify_attempts, notify)
        sent += again is not None and again.notified_at is not None
    return sent


def _announce_wait(attempts: int) -> timedelta:
    """How long after its delivery the next announcement is tried: 1, 2, 4, 8... minutes."""
    return NOTIFY_FIRST_WAIT * int(2 ** (attempts - 1))


def _announce(
    state: AppState,
    subscription: Subscription,
    delivery: SubscriptionDelivery,
    seen: int,
    notify: DeliveryNotifier | None,
) -> SubscriptionDelivery | None:
    """Announce a finished delivery once more (attempt `seen` + 1, claimed by compare and
    set); return the delivery as recorded after it, None when another runner took it."""
    with state.database.transaction() as session:
        if not queries.claim_announcement(session, delivery.id, seen):
            return None
    outcome = announce(state, subscription, delivery, notify or notify_delivery)
    with state.database.transaction() as session:
        if outcome is Announced.SENT:
            queries.record_announcement(session, delivery.id, sent_at=datetime.now(UTC))
        elif outcome is Announced.ABANDONED:
            queries.record_announcement(
                session, delivery.id, sent_at=None, attempts=NOTIFY_ATTEMPTS
            )
        row = session.get(SubscriptionDelivery, delivery.id)
        assert row is not None  # a finished delivery is never deleted
        session.refresh(row)
        session.expunge_all()
    return row


# --- steps ---------------------------------------------------------------------------------


def _claim(
    state: AppState, subscription_id: int, due: str, now: datetime, takeover: bool
) -> tuple[Subscription, int] | None:
    """Claim the delivery of an active subscription for its current period, or take over a
    stale claim; None when there is nothing to do."""
    version = state.store.version()
    with state.database.transaction() as session:
        subscription = queries.subscription_row(session, subscription_id)
        if subscription is None or subscription.status != Status.ACTIVE.value:
            return None
        if current_due(Cadence(subscription.cadence), now, version).key != due:
            return None  # a later period (or vintage) is due now: that one will be delivered
        claim = queries.insert_claim(session, subscription_id, due, now)
        if claim is None:
            existing = queries.delivery_row(session, subscription_id, due)
            if existing is None or existing.status != DeliveryStatus.RUNNING.value:
                return None
            stale = as_utc(existing.claimed_at) < now - STALE_AFTER
            if not (takeover or stale) or not queries.take_over(
                session, existing.id, existing.claimed_at, now
            ):
                return None
            claim = existing
        session.flush()
        delivery_id = claim.id
        session.expunge(subscription)
    return subscription, delivery_id


def _run(
    state: AppState, subscription: Subscription, due: str, now: datetime
) -> tuple[DeliveryStatus, str | None, dict[str, Any] | None]:
    """Run the subscription's request through the pipeline: delivered or refused."""
    try:
        caller = _caller(state, subscription)
        outcome = _submit(state, subscription, caller, due, now)
    except QuoteToAccept as quote:
        return DeliveryStatus.REFUSED, None, _problem(quote)
    except TRANSIENT:
        raise
    except DomainError as refusal:
        return DeliveryStatus.REFUSED, None, _problem(refusal)
    if outcome.status != DELIVERED:
        # The same request is in flight as a one-off background extract: delivered later, and
        # then served to this subscription at its next run.
        raise _InFlight()
    return DeliveryStatus.DELIVERED, outcome.extract_id, None


class _InFlight(Exception):
    """The same request's extract is still being delivered elsewhere: tried again later."""


#: Failures after which the same delivery is tried again (the claim released, or the job
#: retried by the queue): a ledger partition busy, the database away, a twin in flight.
PASSING: tuple[type[Exception], ...] = (*TRANSIENT, _InFlight)


def _submit(
    state: AppState, subscription: Subscription, caller: Caller, due: str, now: datetime
) -> Outcome:
    """Submit the request; a paid delivery accepted at subscription is ordered, then delivered."""
    pipeline = state.pipeline
    body, key, day = subscription.request, _idempotency_key(subscription.id, due), now.date()

    def submit() -> Outcome:
        return pipeline.submit(caller, body, idempotency_key=key, today=day, foreground=True)

    try:
        return submit()
    except QuoteToAccept as quote:
        if not subscription.price_accepted:
            raise
        quote_id = int(quote.extra["devis"]["id"])
        with state.database.transaction() as session:
            accept_quote(session, quote_id=quote_id, requester=caller.profile, today=day)
        LOG.info("abonnement %s : devis n° %s accepté (tarif accepté)", subscription.id, quote_id)
        return submit()


def _caller(state: AppState, subscription: Subscription) -> Caller:
    """The subscription's requester, as its key would present it; refused when deactivated."""
    with state.database.sessions() as session:
        requester = get_requester(session, subscription.requester_id)
        if not requester.active:
            raise AccessDenied(
                f"Le demandeur {requester.name} est désactivé : rien ne lui est livré.",
                [Refusal(Rule.AUTORISATION_ROLE, "demandeur désactivé", "réactiver le demandeur")],
            )
        return Caller(requester.id, profile_of(requester), subscription.key_prefix, requester.name)


def _idempotency_key(subscription_id: int, due: str) -> str:
    """The key naming this delivery's extract: a retry finds the extract it gave."""
    digest = hashlib.sha256(due.encode()).hexdigest()[:24]
    return f"abonnement-{subscription_id}-{digest}"


def _problem(error: DomainError) -> dict[str, Any]:
    """A refusal as the history keeps it: its problem document's members."""
    reasons = [dict(r) if isinstance(r, Mapping) else {"message": r} for r in error.reasons]
    problem: dict[str, Any] = {
        "code": error.code,
        "title": error.title,
        "status": error.http_status,
        "detail": error.detail,
        "reasons": reasons,
    }
    return problem


def _finish(
    state: AppState,
    delivery_id: int,
    result: DeliveryStatus,
    extract_id: str | None,
    error: dict[str, Any] | None,
) -> SubscriptionDelivery:
    with state.database.transaction() as session:
        delivery = session.get(SubscriptionDelivery, delivery_id)
        assert delivery is not None  # claimed by this run: only this run releases it
        delivery.status = result.value
        delivery.extract_id = extract_id
        delivery.error = error
        extract = session.get(Extract, extract_id) if extract_id is not None else None
        delivery.store_version = extract.store_version if extract else state.store.version()
        delivery.completed_at = datetime.now(UTC)
        session.flush()
        session.expunge_all()
    return delivery
