"""Subscriptions and their deliveries as the API and the portal show them (French members).

`describe` and `describe_delivery` return plain JSON values; the webhook's secret is never in
them (it is shown once, by the creation's answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.db.models import Subscription, SubscriptionDelivery
from gateway.links import api_url, download_url, extract_url
from gateway.services.subscriptions.values import (
    CADENCE_LABELS,
    DELIVERY_STATUS_LABELS,
    STATUS_LABELS,
    Cadence,
    DeliveryStatus,
    Status,
    current_due,
    due_label,
    next_due_label,
)


def subscription_url(subscription_id: int) -> str:
    """Return the address of a subscription (add "/livraisons" for its history)."""
    return api_url(f"/abonnements/{subscription_id}")


def snapshot(subscription: Subscription) -> dict[str, Any]:
    """What the change log keeps of a subscription (no secret)."""
    return {
        "id": subscription.id,
        "nom": subscription.name,
        "statut": subscription.status,
        "rythme": subscription.cadence,
        "demande": subscription.request,
        "webhook": subscription.webhook_url,
        "tarif_accepte": subscription.price_accepted,
    }


def describe(
    subscription: Subscription,
    *,
    now: datetime | None = None,
    store_version: str | None = None,
    claimed: bool = False,
    last: SubscriptionDelivery | None = None,
) -> dict[str, Any]:
    """A subscription as served: with its next due period when `now` and the store's version
    are given (`claimed`: the current period's delivery exists), and its last delivery."""
    cadence, status = Cadence(subscription.cadence), Status(subscription.status)
    return {
        **snapshot(subscription),
        "rythme_libelle": CADENCE_LABELS[cadence],
        "statut_libelle": STATUS_LABELS[status],
        "cree_le": subscription.created_at,
        "mis_en_pause_le": subscription.paused_at,
        "termine_le": subscription.ended_at,
        "prochaine_livraison": _next(subscription, now, store_version, claimed),
        "derniere_livraison": None if last is None else describe_delivery(last),
        "liens": {
            "abonnement": subscription_url(subscription.id),
            "livraisons": subscription_url(subscription.id) + "/livraisons",
        },
    }


def _next(
    subscription: Subscription, now: datetime | None, version: str | None, claimed: bool
) -> str | None:
    status, cadence = Status(subscription.status), Cadence(subscription.cadence)
    if status is Status.ENDED or now is None or version is None:
        return None
    if status is Status.PAUSED:
        return "à la reprise de l'abonnement"
    if not claimed:
        return f"{current_due(cadence, now, version).label} : à la prochaine exécution"
    return next_due_label(cadence, now)


def describe_delivery(delivery: SubscriptionDelivery) -> dict[str, Any]:
    """One delivery of the history: its period, outcome, extract and links, or its reason."""
    status = DeliveryStatus(delivery.status)
    links: dict[str, str] = {}
    if delivery.extract_id is not None:
        links = {
            "extrait": extract_url(delivery.extract_id),
            "telechargement": download_url(delivery.extract_id, _format(delivery)),
        }
    return {
        "echeance": delivery.due,
        "echeance_libelle": due_label(delivery.due),
        "statut": status.value,
        "statut_libelle": DELIVERY_STATUS_LABELS[status],
        "extrait": delivery.extract_id,
        "millesime": delivery.store_version,
        "motif": delivery.error,
        "commencee_le": delivery.claimed_at,
        "terminee_le": delivery.completed_at,
        "notifiee_le": delivery.notified_at,
        "liens": links,
    }


def _format(delivery: SubscriptionDelivery) -> str:
    return str(delivery.subscription.request.get("format", "json"))
