"""My subscriptions: the list (as `GET /abonnements`), a subscription and its history, and
pausing, resuming or ending it (ending after a confirmation), through the API's service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, flash, request
from sqlalchemy.orm import Session

from gateway.db.models import Subscription
from gateway.services.extracts import zones
from gateway.services.pricing.subject import request_subject
from gateway.services.subscriptions import service
from gateway.services.subscriptions.views import describe_delivery
from gateway.state import app_state, request_session
from gateway.web.account.current import signed_in
from gateway.web.account.forms import page, person_gate, see_other
from gateway.web.espace.common import api_call
from policies.access import Action, Caller
from policies.errors import Conflict

HISTORY_PER_PAGE = 20
#: A change of status: the service's call and what the page says once done.
Change = Callable[[Session, Caller, int], Subscription]


def _described(session: Session, subscription: Subscription) -> dict[str, Any]:
    now, version = datetime.now(UTC), app_state().store.version()
    return service.describe_subscription(session, subscription, now=now, store_version=version)


@person_gate(Action.SUBSCRIPTION_READ)
def subscriptions_page() -> Response:
    """List the organisation's subscriptions: status, rhythm, next and last delivery."""
    session = request_session()
    found = service.subscriptions_of(session, signed_in().requester_id)
    return page(
        "espace/subscriptions.html",
        private=True,
        subscriptions=[_described(session, s) for s in found],
        api=api_call("/api/v1/abonnements"),
    )


@person_gate(Action.SUBSCRIPTION_READ)
def subscription_page(subscription_id: int) -> Response:
    """Show a subscription: what it asks, when, its deliveries and what can be done."""
    session = request_session()
    subscription = service.owned_subscription(session, subscription_id, signed_in().requester_id)
    number = request.args.get("page", "")
    wanted = max(1, int(number)) if number.isdigit() and len(number) < 7 else 1
    history = service.history(session, subscription, wanted, HISTORY_PER_PAGE)
    return page(
        "espace/subscription.html",
        private=True,
        subscription=_described(session, subscription),
        subject=request_subject(_described_request(session, subscription)),
        format_name=subscription.request.get("format", "json"),
        history=history,
        deliveries=[describe_delivery(d) for d in history.items],
        api=api_call(f"/api/v1/abonnements/{subscription.id}/livraisons"),
    )


@person_gate(Action.SUBSCRIPTION_PAUSE)
def subscription_pause(subscription_id: int) -> Response:
    """Pause a subscription: nothing is delivered until it is resumed."""
    return _change(
        subscription_id,
        service.pause_subscription,
        "Abonnement mis en pause : rien ne sera livré avant sa reprise.",
    )


@person_gate(Action.SUBSCRIPTION_RESUME)
def subscription_resume(subscription_id: int) -> Response:
    """Resume a paused subscription (periods missed meanwhile are not caught up)."""
    return _change(
        subscription_id,
        service.resume_subscription,
        "Abonnement repris : la livraison de "
        "l’échéance en cours sera produite à la prochaine exécution, si elle ne l’a pas été.",
    )


@person_gate(Action.SUBSCRIPTION_READ)  # showing is reading; the form's POST ends it
def subscription_end(subscription_id: int) -> Response:
    """Ask to confirm the end of a subscription (final: it cannot be resumed)."""
    session = request_session()
    subscription = service.owned_subscription(session, subscription_id, signed_in().requester_id)
    return page(
        "espace/subscription_end.html", private=True, subscription=_described(session, subscription)
    )


@person_gate(Action.SUBSCRIPTION_END)
def subscription_end_submit(subscription_id: int) -> Response:
    """End a subscription, once confirmed: its history stays, nothing more is delivered."""
    return _change(
        subscription_id,
        service.end_subscription,
        "Abonnement terminé : plus rien ne sera "
        "livré. Son historique et ses extraits restent consultables.",
    )


def _described_request(session: Session, subscription: Subscription) -> dict[str, Any]:
    """The subscription's request as a stored extract describes it: its zones (asked by their
    number, as a body asks them) with their names and communes."""
    asked = [int(z) for z in subscription.request.get("zones") or () if str(z).isdigit()]
    if not asked:
        return dict(subscription.request)
    known = {z.id: z for z in zones.list_zones(session, subscription.requester_id)}
    geography = app_state().geography
    described = [
        zones.describe_zone(session, known[z], geography) if z in known else {"id": z}
        for z in asked
    ]
    return {**subscription.request, "zones": [{"nom": d.get("name"), **d} for d in described]}


def _change(subscription_id: int, change: Change, done: str) -> Response:
    """Apply a change of status in one transaction; a change that no longer applies (already
    paused, ended...) is said on the subscription's page, not an error page."""
    caller = signed_in().caller
    try:
        with app_state().database.transaction() as session:
            change(session, caller, subscription_id)
    except Conflict as error:
        flash(error.detail, "info")
    else:
        flash(done, "succes")
    return see_other("espace.subscription", subscription_id=subscription_id)
