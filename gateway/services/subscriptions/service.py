"""Subscriptions (abonnements): create, list, read, pause, resume, end; their history.

A subscription is a requester's standing extract request (the body `POST /extracts` takes),
delivered at each data vintage or each month, quarter or year by `runner.deliver_one`. It is
checked at creation as the extract would be, through the extract preview (policy, convention
in force, size, quota, differencing, price), releasing nothing; a refusal is the extract's
own problem. Every change is recorded in the change log, in its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from gateway.db.models import Subscription
from gateway.services.audit.changes import record_change
from gateway.services.extracts.preview import Preview, preview
from gateway.services.paging import Page
from gateway.services.requesters.queries import caf_of_requester
from gateway.services.subscriptions import queries
from gateway.services.subscriptions.values import Cadence, Status, current_due
from gateway.services.subscriptions.views import describe, snapshot
from gateway.services.subscriptions.webhooks import check_webhook_url, webhook_secret
from policies.access import Action, Caller
from policies.errors import Conflict, NotFound, PaymentRequired
from policies.refusals import Refusal, Rule

ENTITY = "subscription"  # its name in the change log (`CHANGE_ENTITIES`)


@dataclass(frozen=True)
class SubscriptionFields:
    """What a requester subscribes to: the extract request (validated by the extract schema),
    its cadence, a name, a webhook address, and whether paid deliveries are accepted."""

    request: Mapping[str, Any]
    cadence: Cadence
    name: str = ""
    webhook_url: str | None = None
    price_accepted: bool = False


@dataclass(frozen=True)
class Created:
    """A new subscription, the webhook's signing secret (shown this once) and the preview of
    its first delivery (convention, cells, price)."""

    subscription: Subscription
    webhook_secret: str | None
    first_delivery: Preview = field(repr=False)


def create_subscription(
    session: Session,
    caller: Caller,
    fields: SubscriptionFields,
    *,
    development: bool,
    now: datetime | None = None,
) -> Created:
    """Check the request as its extract would be, then store the subscription (its first
    delivery is due at once); raise the extract's refusal, or 402 when paid and not accepted.

    `development`: a webhook may then be plain http (elsewhere https only).
    """
    moment = now or datetime.now(UTC)
    requester_id = _requester(caller)
    webhook = check_webhook_url(fields.webhook_url, development=development)
    first = preview(session, caller, fields.request, moment.date())
    if first.refusal is not None:
        raise first.refusal
    if not first.free and first.covering_quote is None and not fields.price_accepted:
        assert first.quote is not None  # not free: priced
        raise PaymentRequired(
            f"Chaque livraison de cet abonnement est payante ({first.quote.total} € TTC au tarif "
            "actuel de la convention). Renouvelez la demande avec « accepter_tarif » : true "
            "pour que chaque livraison soit facturée à son tarif du jour.",
            [
                Refusal(
                    Rule.DEVIS_A_ACCEPTER,
                    "livraisons payantes non acceptées",
                    "accepter le tarif de la convention (accepter_tarif : true)",
                )
            ],
        )
    subscription = Subscription(
        requester_id=requester_id,
        name=fields.name.strip(),
        request=dict(fields.request),
        cadence=fields.cadence.value,
        status=Status.ACTIVE.value,
        price_accepted=fields.price_accepted,
        webhook_url=webhook,
        webhook_secret=webhook_secret() if webhook else None,
        key_prefix=caller.key_prefix,
        created_at=moment,
    )
    session.add(subscription)
    session.flush()
    _record(session, caller, Action.SUBSCRIPTION_CREATE, subscription, None)
    return Created(subscription, subscription.webhook_secret, first)


def subscriptions_of(session: Session, requester_id: int) -> list[Subscription]:
    """A requester's subscriptions, newest first (ended ones included)."""
    return list(queries.subscriptions_of(session, requester_id))


def owned_subscription(session: Session, subscription_id: int, requester_id: int) -> Subscription:
    """Return the requester's own subscription; any other is unknown to it (404)."""
    subscription = queries.subscription_row(session, subscription_id)
    if subscription is None or subscription.requester_id != requester_id:
        raise NotFound(f"Aucun abonnement n° {subscription_id} pour ce demandeur.")
    return subscription


def pause_subscription(
    session: Session, caller: Caller, subscription_id: int, now: datetime | None = None
) -> Subscription:
    """Pause an active subscription: nothing is delivered until it is resumed."""
    subscription = _owned_for_update(session, caller, subscription_id)
    before = snapshot(subscription)
    if subscription.status != Status.ACTIVE.value:
        raise Conflict(_cannot("mettre en pause", subscription))
    subscription.status = Status.PAUSED.value
    subscription.paused_at = now or datetime.now(UTC)
    _record(session, caller, Action.SUBSCRIPTION_PAUSE, subscription, before)
    return subscription


def resume_subscription(
    session: Session, caller: Caller, subscription_id: int, now: datetime | None = None
) -> Subscription:
    """Resume a paused subscription. The periods missed while paused are not caught up: only
    the current one is due (delivered at the next run, unless it was delivered already)."""
    subscription = _owned_for_update(session, caller, subscription_id)
    before = snapshot(subscription)
    if subscription.status != Status.PAUSED.value:
        raise Conflict(_cannot("reprendre", subscription))
    subscription.status = Status.ACTIVE.value
    subscription.paused_at = None
    _record(session, caller, Action.SUBSCRIPTION_RESUME, subscription, before)
    return subscription


def end_subscription(
    session: Session, caller: Caller, subscription_id: int, now: datetime | None = None
) -> Subscription:
    """End a subscription, for good: its history stays, nothing more is delivered."""
    subscription = _owned_for_update(session, caller, subscription_id)
    before = snapshot(subscription)
    if subscription.status == Status.ENDED.value:
        raise Conflict(_cannot("terminer", subscription))
    subscription.status = Status.ENDED.value
    subscription.ended_at = now or datetime.now(UTC)
    _record(session, caller, Action.SUBSCRIPTION_END, subscription, before)
    return subscription


def history(
    session: Session, subscription: Subscription, page: int = 1, per_page: int = 50
) -> Page:
    """A subscription's deliveries (`SubscriptionDelivery` rows), newest first."""
    return queries.deliveries_of(session, subscription.id, page, per_page)


def describe_subscription(
    session: Session, subscription: Subscription, *, now: datetime, store_version: str
) -> dict[str, Any]:
    """A subscription as the API and the portal show it: its next delivery and its last one."""
    due = current_due(Cadence(subscription.cadence), now, store_version).key
    return describe(
        subscription,
        now=now,
        store_version=store_version,
        claimed=queries.delivery_row(session, subscription.id, due) is not None,
        last=queries.last_delivery(session, subscription.id),
    )


# --- helpers --------------------------------------------------------------------------------


def _requester(caller: Caller) -> int:
    if caller.requester_id is None:  # the gate refuses the public before
        raise NotFound("Aucun abonnement sans compte de demandeur.")
    return caller.requester_id


def _owned_for_update(session: Session, caller: Caller, subscription_id: int) -> Subscription:
    subscription = owned_subscription(session, subscription_id, _requester(caller))
    session.refresh(subscription, with_for_update=True)  # two changes at once: one after another
    return subscription


def _cannot(what: str, subscription: Subscription) -> str:
    status = Status(subscription.status)
    said = {Status.ACTIVE: "actif", Status.PAUSED: "en pause", Status.ENDED: "terminé"}[status]
    return f"Impossible de {what} l'abonnement n° {subscription.id} : il est {said}."


def _record(
    session: Session,
    caller: Caller,
    action: Action,
    subscription: Subscription,
    before: dict[str, Any] | None,
) -> None:
    session.flush()
    record_change(
        session,
        actor_id=caller.requester_id,
        action=action,
        entity=ENTITY,
        entity_id=subscription.id,
        caf_code=caf_of_requester(session, subscription.requester_id),
        before=before,
        after=snapshot(subscription),
    )
