"""Announce a subscription's finished delivery: what the subscriptions service calls.

`notify_delivery(state, subscription, delivery)` (the service's `DeliveryNotifier`) reads what
the delivery recorded (its extract's counts, its invoice, the requester's people), builds the
`DeliveryNotice` and sends it on both channels after the delivery's transaction committed.
It raises `NotificationFailed` when a channel failed: the caller leaves the delivery
unannounced (`notified_at` empty) and may try again later, which sends both channels again
(a webhook receiver recognises the repeat by its `webhook-id`, the delivery's).

The e-mail goes to the organisation's contact address and to its people with an active
account; the webhook where the subscription asked, signed with its secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import (
    Extract,
    InvoiceRecord,
    Person,
    Subscription,
    SubscriptionDelivery,
)
from gateway.notify.mail import outbox_for
from gateway.notify.notice import DeliveryNotice, send_notice
from gateway.notify.webhook import Endpoint
from gateway.services.accounts.values import PersonStatus
from gateway.services.requesters.queries import get_requester
from gateway.services.subscriptions.values import due_label
from gateway.state import AppState


class NotificationFailed(Exception):
    """A delivery's announcement did not (entirely) leave; `retryable`: worth trying again."""

    def __init__(self, failures: Mapping[str, str], retryable: bool) -> None:
        said = " ; ".join(f"{channel} : {reason}" for channel, reason in failures.items())
        super().__init__(f"notification non envoyée ({said})")
        self.failures, self.retryable = dict(failures), retryable


def notify_delivery(
    state: AppState, subscription: Subscription, delivery: SubscriptionDelivery
) -> None:
    """Send a finished delivery's e-mail and webhook; raise `NotificationFailed` if one failed."""
    settings = state.settings
    with state.database.sessions() as session:
        notice = notice_of(session, subscription, delivery)
    notified = send_notice(
        notice,
        outbox=outbox_for(settings),
        portal_url=settings.public_url,
        development=settings.is_development,
        now=datetime.now(UTC),
    )
    if notified.failed:
        failures = {str(channel): reason for channel, reason in notified.failed.items()}
        raise NotificationFailed(failures, notified.retryable)


def notice_of(
    session: Session, subscription: Subscription, delivery: SubscriptionDelivery
) -> DeliveryNotice:
    """Describe a finished delivery for its announcement, from what was recorded."""
    extract = session.get(Extract, delivery.extract_id) if delivery.extract_id else None
    invoice = _invoice(session, extract.invoice_number if extract else None)
    endpoint = None
    if subscription.webhook_url and subscription.webhook_secret:
        endpoint = Endpoint(subscription.webhook_url, subscription.webhook_secret)
    return DeliveryNotice(
        subscription_id=subscription.id,
        subscription_name=subscription.name,
        delivery_id=delivery.id,
        due_label=due_label(delivery.due),
        status=delivery.status,
        recipients=recipients(session, subscription.requester_id),
        extract_id=extract.id if extract else None,
        format_name=str(subscription.request.get("format") or "json"),
        cells_delivered=extract.cells_delivered if extract else 0,
        cells_suppressed=extract.cells_suppressed if extract else 0,
        price=invoice.total if invoice else None,
        invoice_number=invoice.number if invoice else None,
        problem=_problem(delivery.error),
        webhook=endpoint,
    )


def recipients(session: Session, requester_id: int) -> tuple[str, ...]:
    """The organisation's contact address, then its people with an active account."""
    requester = get_requester(session, requester_id)
    people = session.scalars(
        select(Person.email)
        .where(Person.requester_id == requester_id, Person.status == PersonStatus.ACTIF.value)
        .order_by(Person.id)
    )
    found = [requester.contact_email or "", *people]
    return tuple(dict.fromkeys(address.strip().lower() for address in found if address.strip()))


def _invoice(session: Session, number: str | None) -> InvoiceRecord | None:
    if number is None:
        return None
    return session.scalar(select(InvoiceRecord).where(InvoiceRecord.number == number))


def _problem(error: Mapping[str, Any] | None) -> str:
    """A refusal or failure as the requester reads it: its detail, then its remedies."""
    if not error:
        return ""
    lines = [str(error.get("detail") or error.get("title") or "")]
    for reason in error.get("reasons") or ():
        if isinstance(reason, Mapping) and reason.get("solution"):
            lines.append(f"Pour y remédier : {reason['solution']}.")
    return "\n".join(line for line in lines if line)
