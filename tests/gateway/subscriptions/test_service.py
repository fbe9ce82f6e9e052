"""The subscription service on a real SQLite database: create, deliver once, pause, end."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.db.models import (
    AdminChange,
    AuditEntry,
    ConventionRecord,
    Extract,
    ReleasedCell,
    SubscriptionDelivery,
)
from gateway.db.models.extracts import DELIVERED
from gateway.services.subscriptions import service
from gateway.services.subscriptions.runner import (
    STALE_AFTER,
    deliver_one,
    due_now,
    run_due,
)
from gateway.services.subscriptions.service import SubscriptionFields
from gateway.services.subscriptions.values import Cadence, DeliveryStatus, Status, current_due
from gateway.state import AppState
from policies.errors import Conflict, ConventionRequired, InvalidInput, NotFound, PaymentRequired
from tests.gateway.subscriptions.conftest import AUBAGNE_REQUEST, CD_REQUEST, caller_of

DECEMBER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
NOTIFIED: list[tuple[int, str, str]] = []


def notify(_state: AppState, subscription: Any, delivery: SubscriptionDelivery) -> None:
    NOTIFIED.append((subscription.id, delivery.due, delivery.status))


def _subscribe(state: AppState, slug: str = "conseil_departemental", **fields: Any) -> int:
    values = {"request": CD_REQUEST, "cadence": Cadence.MONTHLY, **fields}
    with state.database.transaction() as session:
        created = service.create_subscription(
            session,
            caller_of(state, slug),
            SubscriptionFields(**values),
            development=False,
            now=DECEMBER,
        )
        return created.subscription.id


def _deliveries(state: AppState, subscription_id: int) -> list[SubscriptionDelivery]:
    with state.database.sessions() as session:
        page = service.history(
            session,
            service.owned_subscription(
                session,
                subscription_id,
                caller_of(state, "conseil_departemental").requester_id or 0,
            ),
        )
        return list(page.items)


def _count(state: AppState, model: Any, *where: Any) -> int:
    with state.database.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_a_subscription_is_delivered_once_per_period_through_the_pipeline(
    state: AppState,
) -> None:
    subscription_id = _subscribe(state)
    assert [d.subscription_id for d in due_now(state, DECEMBER)] == [subscription_id]
    report = run_due(state, DECEMBER, notify=notify)
    assert (report.delivered, report.refused, report.failed) == (1, 0, 0)
    (delivery,) = _deliveries(state, subscription_id)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.due == "2026-12"
    assert delivery.notified_at is not None and delivery.store_version == state.store.version()
    assert (subscription_id, "2026-12", "livre") in NOTIFIED
    with state.database.sessions() as session:
        extract = session.get(Extract, delivery.extract_id)
        assert extract is not None and extract.status == DELIVERED
        assert extract.requester_id == caller_of(state, "conseil_departemental").requester_id
    cells = _count(state, ReleasedCell, ReleasedCell.extract_id == delivery.extract_id)
    assert cells > 0  # recorded in the ledger as any extract
    # Run again in the same month, later in the day: nothing is due.
    later = DECEMBER + timedelta(hours=5)
    assert due_now(state, later) == []
    assert run_due(state, later, notify=notify).delivered == 0
    assert _count(state, SubscriptionDelivery) == 1
    # Next month, the same data: delivered again, as the same extract served again (free,
    # outside the quotas), recorded as January's delivery.
    january = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    assert run_due(state, january).delivered == 1
    second, first = _deliveries(state, subscription_id)
    assert (second.due, second.extract_id) == ("2027-01", first.extract_id)
    assert _count(state, ReleasedCell, ReleasedCell.extract_id == first.extract_id) == cells


def test_creation_is_checked_as_the_extract_would_be_and_refused_in_its_words(
    state: AppState,
) -> None:
    outside = {**CD_REQUEST, "territories": {"level": "commune", "codes": ["48001"]}}
    with pytest.raises(ConventionRequired) as refused:
        _subscribe(state, request=outside)
    assert refused.value.reasons and "convention" in str(refused.value.reasons[0]["regle"])
    with pytest.raises(InvalidInput) as invalid:
        _subscribe(state, request={**CD_REQUEST, "indicators": ["INCONNU"]})
    assert "indicators" in invalid.value.errors
    with pytest.raises(InvalidInput) as plain:
        _subscribe(state, webhook_url="http://exemple.fr/crochet")
    assert "https://" in plain.value.errors["webhook"][0]
    with pytest.raises(InvalidInput):
        _subscribe(state, webhook_url="https://127.0.0.1/crochet")
    assert _count(state, SubscriptionDelivery) == 0
    with state.database.sessions() as session:
        assert (
            service.subscriptions_of(
                session, caller_of(state, "conseil_departemental").requester_id or 0
            )
            == []
        )


def test_a_webhook_secret_is_generated_and_kept_out_of_the_descriptions(state: AppState) -> None:
    with state.database.transaction() as session:
        created = service.create_subscription(
            session,
            caller_of(state, "conseil_departemental"),
            SubscriptionFields(
                CD_REQUEST, Cadence.VINTAGE, webhook_url="https://cd13.exemple.fr/x"
            ),
            development=False,
        )
        secret = created.webhook_secret
        assert secret and secret.startswith("whsec_") and len(secret) == 50
        described = service.describe_subscription(
            session, created.subscription, now=DECEMBER, store_version=state.store.version()
        )
    assert secret not in repr(described)
    with state.database.sessions() as session:
        change = session.scalars(
            select(AdminChange).where(AdminChange.entity == "subscription")
        ).one()
        assert change.action == "subscription_create" and secret not in repr(change.after)


def test_a_paid_subscription_needs_the_tariff_accepted_then_each_delivery_is_invoiced(
    state: AppState,
) -> None:
    with pytest.raises(PaymentRequired) as payment:
        _subscribe(state, "commune", request=AUBAGNE_REQUEST)
    assert "accepter_tarif" in payment.value.detail
    with state.database.transaction() as session:
        created = service.create_subscription(
            session,
            caller_of(state, "commune"),
            SubscriptionFields(AUBAGNE_REQUEST, Cadence.MONTHLY, price_accepted=True),
            development=False,
            now=DECEMBER,
        )
        subscription_id = created.subscription.id
        assert created.first_delivery.quote is not None and created.first_delivery.quote.total > 0
    delivery = deliver_one(state, subscription_id, "2026-12", now=DECEMBER, notify=notify)
    assert delivery is not None and delivery.status == DeliveryStatus.DELIVERED
    with state.database.sessions() as session:
        extract = session.get(Extract, delivery.extract_id)
        assert extract is not None and extract.invoice_number  # ordered, delivered, invoiced


def test_concurrent_runners_deliver_a_period_exactly_once(state: AppState) -> None:
    subscription_id = _subscribe(state)
    results: list[SubscriptionDelivery | None] = []
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        results.append(deliver_one(state, subscription_id, "2026-12", now=DECEMBER, notify=notify))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [r for r in results if r is not None]
    assert len(done) == 1 and done[0].status == DeliveryStatus.DELIVERED
    assert _count(state, SubscriptionDelivery) == 1
    requester = caller_of(state, "conseil_departemental").requester_id
    assert _count(state, Extract, Extract.requester_id == requester) == 1
    # A retried job of the same period finds it finished: nothing more.
    assert deliver_one(state, subscription_id, "2026-12", takeover=True, now=DECEMBER) is None


def test_a_claim_left_by_a_dead_runner_is_taken_over_without_a_second_release(
    state: AppState,
) -> None:
    """The runner died after the extract's commit, before recording it: taken over later,
    the delivery records that extract; no second ledger entry, no second extract."""
    subscription_id = _subscribe(state)
    caller = caller_of(state, "conseil_departemental")
    with state.database.transaction() as session:
        session.add(
            SubscriptionDelivery(
                subscription_id=subscription_id,
                due="2026-12",
                status="en_cours",
                claimed_at=DECEMBER,
            )
        )
    from gateway.services.subscriptions.runner import _idempotency_key

    outcome = state.pipeline.submit(
        caller,
        CD_REQUEST,
        idempotency_key=_idempotency_key(subscription_id, "2026-12"),
        today=DECEMBER.date(),
        foreground=True,
    )
    released = _count(state, ReleasedCell)
    deliveries = _count(state, AuditEntry, AuditEntry.decision == "allowed")
    # Soon after: the claim is someone's, running.
    assert run_due(state, DECEMBER + timedelta(minutes=1)).delivered == 0
    # Beyond STALE_AFTER, its runner is dead: taken over.
    later = DECEMBER + STALE_AFTER + timedelta(minutes=1)
    assert run_due(state, later).delivered == 1
    (delivery,) = _deliveries(state, subscription_id)
    assert delivery.extract_id == outcome.extract_id
    assert _count(state, ReleasedCell) == released
    assert _count(state, Extract, Extract.requester_id == caller.requester_id) == 1
    assert (
        _count(state, AuditEntry, AuditEntry.decision == "allowed") == deliveries + 1
    )  # served again


def test_pause_resume_end_and_no_catch_up(state: AppState) -> None:
    subscription_id = _subscribe(state)
    caller = caller_of(state, "conseil_departemental")
    assert run_due(state, DECEMBER).delivered == 1
    with state.database.transaction() as session:
        service.pause_subscription(session, caller, subscription_id)
    with pytest.raises(Conflict), state.database.transaction() as session:
        service.pause_subscription(session, caller, subscription_id)
    february = datetime(2027, 2, 10, tzinfo=UTC)
    assert due_now(state, february) == [] and run_due(state, february).delivered == 0
    april = datetime(2027, 4, 3, tzinfo=UTC)
    with state.database.transaction() as session:
        resumed = service.resume_subscription(session, caller, subscription_id)
        assert resumed.status == Status.ACTIVE
    # January to March passed while paused: only April's delivery, not four.
    assert run_due(state, april).delivered == 1
    assert [d.due for d in _deliveries(state, subscription_id)] == ["2027-04", "2026-12"]
    with state.database.transaction() as session:
        service.end_subscription(session, caller, subscription_id)
    with pytest.raises(Conflict), state.database.transaction() as session:
        service.resume_subscription(session, caller, subscription_id)
    assert run_due(state, datetime(2027, 5, 1, tzinfo=UTC)).delivered == 0
    with state.database.sessions() as session:
        actions = session.scalars(
            select(AdminChange.action)
            .where(AdminChange.entity == "subscription")
            .order_by(AdminChange.id)
        ).all()
    assert actions == [
        "subscription_create",
        "subscription_pause",
        "subscription_resume",
        "subscription_end",
    ]


def test_another_requester_sees_no_subscription_of_others(state: AppState) -> None:
    subscription_id = _subscribe(state)
    other = caller_of(state, "commune")
    with state.database.sessions() as session, pytest.raises(NotFound):
        service.owned_subscription(session, subscription_id, other.requester_id or 0)
    with pytest.raises(NotFound), state.database.transaction() as session:
        service.end_subscription(session, other, subscription_id)


def test_a_convention_suspended_after_subscribing_refuses_the_delivery_with_its_reason(
    state: AppState,
) -> None:
    subscription_id = _subscribe(state)
    requester = caller_of(state, "conseil_departemental").requester_id
    with state.database.transaction() as session:
        for convention in session.scalars(
            select(ConventionRecord).where(ConventionRecord.requester_id == requester)
        ):
            convention.status = "suspendue"
    report = run_due(state, DECEMBER, notify=notify)
    assert report.refused == 1
    (delivery,) = _deliveries(state, subscription_id)
    assert delivery.status == DeliveryStatus.REFUSED and delivery.extract_id is None
    assert delivery.error is not None and delivery.error["status"] == 403
    assert any("convention" in r.get("regle", "") for r in delivery.error["reasons"])
    assert (subscription_id, "2026-12", "refuse") in NOTIFIED
    # Refused is final for that period: nothing is retried this month.
    assert run_due(state, DECEMBER + timedelta(days=1)).refused == 0


def test_due_periods_and_their_labels() -> None:
    version = "20261202T0900Z-abc"
    assert current_due(Cadence.MONTHLY, DECEMBER, version).key == "2026-12"
    assert current_due(Cadence.QUARTERLY, DECEMBER, version).label == "4e trimestre 2026"
    assert (
        current_due(Cadence.QUARTERLY, datetime(2027, 2, 1, tzinfo=UTC), version).key == "2027-T1"
    )
    assert current_due(Cadence.YEARLY, DECEMBER, version).key == "2026"
    assert current_due(Cadence.VINTAGE, DECEMBER, version).key == f"v:{version}"
