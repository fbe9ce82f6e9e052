"""Subscriptions' reads and writes (SQLAlchemy): the rows, the due ones, the delivery claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db.models import Subscription, SubscriptionDelivery
from gateway.services.paging import Page, paginate
from gateway.services.subscriptions.values import DeliveryStatus, Status


def subscription_row(session: Session, subscription_id: int) -> Subscription | None:
    return session.get(Subscription, subscription_id)


def subscriptions_of(session: Session, requester_id: int) -> Sequence[Subscription]:
    """A requester's subscriptions, newest first (ended ones included)."""
    query = (
        select(Subscription)
        .where(Subscription.requester_id == requester_id)
        .order_by(Subscription.id.desc())
    )
    return session.scalars(query).all()


def active_subscriptions(session: Session) -> Sequence[Subscription]:
    query = select(Subscription).where(Subscription.status == Status.ACTIVE.value)
    return session.scalars(query.order_by(Subscription.id)).all()


def claimed_dues(
    session: Session, subscription_ids: Sequence[int], stale_before: datetime
) -> set[tuple[int, str]]:
    """Return the (subscription, due key) pairs claimed among these subscriptions: finished,
    or running since `stale_before` (an older running claim is its dead runner's)."""
    if not subscription_ids:
        return set()
    rows = session.execute(
        select(SubscriptionDelivery.subscription_id, SubscriptionDelivery.due).where(
            SubscriptionDelivery.subscription_id.in_(subscription_ids),
            (SubscriptionDelivery.status != DeliveryStatus.RUNNING.value)
            | (SubscriptionDelivery.claimed_at >= stale_before),
        )
    )
    return {(subscription_id, due) for subscription_id, due in rows}


def delivery_row(session: Session, subscription_id: int, due: str) -> SubscriptionDelivery | None:
    return session.scalar(
        select(SubscriptionDelivery).where(
            SubscriptionDelivery.subscription_id == subscription_id,
            SubscriptionDelivery.due == due,
        )
    )


def insert_claim(
    session: Session, subscription_id: int, due: str, now: datetime
) -> SubscriptionDelivery | None:
    """Claim a due delivery; None when another runner claimed it first (the unique pair)."""
    claim = SubscriptionDelivery(
        subscription_id=subscription_id,
        due=due,
        status=DeliveryStatus.RUNNING.value,
        claimed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(claim)
    except IntegrityError:
        return None
    return claim


def take_over(session: Session, delivery_id: int, seen: datetime, now: datetime) -> bool:
    """Take over a claim still running as `seen` last saw it (compare and set): one runner wins."""
    result = session.execute(
        update(SubscriptionDelivery)
        .where(
            SubscriptionDelivery.id == delivery_id,
            SubscriptionDelivery.status == DeliveryStatus.RUNNING.value,
            SubscriptionDelivery.claimed_at == seen,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def release_claim(session: Session, delivery_id: int) -> None:
    """Forget a claim that delivered nothing (a transient failure): the next run tries again."""
    session.execute(
        delete(SubscriptionDelivery).where(
            SubscriptionDelivery.id == delivery_id,
            SubscriptionDelivery.status == DeliveryStatus.RUNNING.value,
        )
    )


def deliveries_of(session: Session, subscription_id: int, page: int, per_page: int) -> Page:
    """A subscription's deliveries, newest first."""
    query = (
        select(SubscriptionDelivery)
        .where(SubscriptionDelivery.subscription_id == subscription_id)
        .order_by(SubscriptionDelivery.claimed_at.desc(), SubscriptionDelivery.id.desc())
    )
    return paginate(session, query, page, per_page)


def last_delivery(session: Session, subscription_id: int) -> SubscriptionDelivery | None:
    query = (
        select(SubscriptionDelivery)
        .where(SubscriptionDelivery.subscription_id == subscription_id)
        .order_by(SubscriptionDelivery.claimed_at.desc(), SubscriptionDelivery.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def unannounced(session: Session, attempts_below: int) -> Sequence[SubscriptionDelivery]:
    """Finished deliveries whose announcement failed and may be tried again."""
    query = (
        select(SubscriptionDelivery)
        .where(
            SubscriptionDelivery.status != DeliveryStatus.RUNNING.value,
            SubscriptionDelivery.notified_at.is_(None),
            SubscriptionDelivery.notify_attempts.between(1, attempts_below - 1),
        )
        .order_by(SubscriptionDelivery.id)
    )
    return session.scalars(query).all()


def claim_announcement(session: Session, delivery_id: int, seen: int) -> bool:
    """Count one more announcement attempt, where `seen` attempts were counted (compare and
    set): of two runners announcing the same delivery, one sends."""
    result = session.execute(
        update(SubscriptionDelivery)
        .where(
            SubscriptionDelivery.id == delivery_id,
            SubscriptionDelivery.notified_at.is_(None),
            SubscriptionDelivery.notify_attempts == seen,
        )
        .values(notify_attempts=seen + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def record_announcement(
    session: Session, delivery_id: int, *, sent_at: datetime | None, attempts: int | None = None
) -> None:
    """Record that an announcement left (`sent_at`), or how many attempts it now counts."""
    values: dict[str, object] = {"notified_at": sent_at} if sent_at is not None else {}
    if attempts is not None:
        values["notify_attempts"] = attempts
    session.execute(
        update(SubscriptionDelivery)
        .where(SubscriptionDelivery.id == delivery_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
