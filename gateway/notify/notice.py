"""A subscription's delivery announced: the e-mail to its people, the webhook to its address.

Values in, messages out: a `DeliveryNotice` says what was delivered (or why not); this module
writes the French e-mail and the webhook's event, and sends them: `send_notice` on both
channels (never raises: it says what failed and whether a retry may help), or `send_mail` and
`send_webhook` one by one (they raise), for a caller that retries each on its own.
`gateway.notify.subscription` builds the notice from a recorded delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from gateway.links import download_url, extract_url
from gateway.notify import webhook
from gateway.notify.mail import MailNotSent, Message, Outbox
from tariffs.money import format_eur, format_number

EVENT_TYPE = "subscription.delivery"
#: The portal's pages the e-mail links to (endpoints `espace.extract`, `espace.subscription`).
EXTRACT_PAGE = "/espace/extraits/{extract_id}"
SUBSCRIPTION_PAGE = "/espace/abonnements/{subscription_id}"


class Channel(StrEnum):
    """How a delivery is announced."""

    MAIL = "courriel"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class DeliveryNotice:
    """What a subscription's delivery announces, as the subscriptions service recorded it.

    A delivered one has its `extract_id`; one that was not has its `problem` (French, as the
    requester reads it). `status` is the delivery's outcome as the API shows it.
    """

    subscription_id: int
    subscription_name: str
    delivery_id: int
    due_label: str  # "janvier 2027", "millésime 20270131T…"
    status: str
    recipients: tuple[str, ...]  # e-mail addresses
    extract_id: str | None = None
    format_name: str = "json"  # the subscription's format (the API's default): the link's
    cells_delivered: int = 0
    cells_suppressed: int = 0
    price: Decimal | None = None  # TTC; None: no invoice (free, or the convention's terms)
    invoice_number: str | None = None
    problem: str = ""
    webhook: webhook.Endpoint | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        return self.subscription_name or f"abonnement n° {self.subscription_id}"


@dataclass(frozen=True)
class Notified:
    """What `send_notice` did: channels sent, channels failed (why, and if worth a retry)."""

    sent: frozenset[Channel]
    failed: Mapping[Channel, str]
    retryable: bool  # every failure may succeed later


def delivery_messages(notice: DeliveryNotice, portal_url: str) -> list[Message]:
    """Write the e-mail of a delivery, one per recipient."""
    subject, body = _delivered(notice, portal_url) if notice.extract_id else _missed(notice)
    pages = portal_url + SUBSCRIPTION_PAGE.format(subscription_id=notice.subscription_id)
    body += (
        f"\nL'abonnement et l'historique de ses livraisons : {pages}\n\n"
        "Ce message est envoyé automatiquement par la passerelle de diffusion des données "
        "des Caf ; n'y répondez pas.\n"
    )
    # The subscription's page as the message's link: the development log shows it (a link is
    # never written to a production log).
    return [Message(to, subject, body, link=pages) for to in notice.recipients]


def _delivered(notice: DeliveryNotice, portal_url: str) -> tuple[str, str]:
    assert notice.extract_id is not None
    page = portal_url + EXTRACT_PAGE.format(extract_id=notice.extract_id)
    delivered, suppressed = notice.cells_delivered, notice.cells_suppressed
    lines = [
        "Bonjour,\n",
        f"Votre livraison « {notice.title} » (échéance : {notice.due_label}) est disponible. "
        "Connectez-vous à la passerelle pour la télécharger :\n",
        f"{page}\n",
        f"Cellules diffusées : {format_number(delivered)}.",
        _suppressed(suppressed),
        _priced(notice),
    ]
    subject = f"Votre livraison « {notice.title} » ({notice.due_label}) est disponible"
    return subject, "\n".join(lines) + "\n"


def _suppressed(count: int) -> str:
    if count == 0:
        return "Aucune cellule masquée."
    return (
        f"Cellules masquées au titre du secret statistique : {format_number(count)} (compte "
        "tenu de ce qui a déjà été diffusé)."
    )


def _priced(notice: DeliveryNotice) -> str:
    if notice.price is None or notice.price == 0:
        return "Cette livraison n'est pas facturée."
    invoice = f", facture n° {notice.invoice_number}" if notice.invoice_number else ""
    return f"Prix : {format_eur(notice.price)} TTC, selon votre convention{invoice}."


def _missed(notice: DeliveryNotice) -> tuple[str, str]:
    body = (
        "Bonjour,\n\n"
        f"Votre livraison « {notice.title} » (échéance : {notice.due_label}) n'a pas pu être "
        "produite :"
        f"\n\n{notice.problem or 'erreur inattendue.'}\n\n"
        "Rien ne vous est facturé pour elle ; votre abonnement n'est pas modifié.\n"
    )
    return f"Votre livraison « {notice.title} » ({notice.due_label}) n'a pas pu être produite", body


def delivery_event(notice: DeliveryNotice, portal_url: str, now: datetime) -> webhook.Event:
    """Build the webhook's event; its id is the delivery's, the same on every attempt."""
    data: dict[str, Any] = {
        "subscription_id": notice.subscription_id,
        "delivery_id": notice.delivery_id,
        "due": notice.due_label,
        "status": notice.status,
        "extract_id": notice.extract_id,
        "extract_url": None,
        "download_url": None,
        "cells_delivered": notice.cells_delivered,
        "cells_suppressed": notice.cells_suppressed,
        "price": None if notice.price is None else str(notice.price),
        "invoice_number": notice.invoice_number,
        "problem": notice.problem or None,
    }
    if notice.extract_id:
        data["extract_url"] = portal_url + extract_url(notice.extract_id)
        data["download_url"] = portal_url + download_url(notice.extract_id, notice.format_name)
    return webhook.Event(f"livraison-{notice.delivery_id}", EVENT_TYPE, data, now)


def send_mail(notice: DeliveryNotice, outbox: Outbox, portal_url: str) -> None:
    """Send the e-mail of a delivery to each recipient; raise `MailNotSent` at the first that
    does not leave (those before it are sent)."""
    for message in delivery_messages(notice, portal_url):
        outbox.send(message)


def send_webhook(
    notice: DeliveryNotice, portal_url: str, *, development: bool, now: datetime
) -> int | None:
    """POST the delivery's event where the requester asked; its status, None without one.

    Raises `webhook.WebhookFailed` (`retryable` says whether the queue should try again)."""
    if notice.webhook is None:
        return None
    event = delivery_event(notice, portal_url, now)
    return webhook.send(notice.webhook, event, development=development)


def send_notice(
    notice: DeliveryNotice,
    *,
    outbox: Outbox,
    portal_url: str,
    development: bool,
    now: datetime,
    channels: frozenset[Channel] = frozenset(Channel),
) -> Notified:
    """Announce a delivery on `channels` (by default both); never raises: says what failed."""
    sent: set[Channel] = set()
    failed: dict[Channel, str] = {}
    retryable = True
    if Channel.MAIL in channels:
        try:
            send_mail(notice, outbox, portal_url)
            sent.add(Channel.MAIL)
        except MailNotSent as error:
            failed[Channel.MAIL] = error.reason
    if Channel.WEBHOOK in channels and notice.webhook is not None:
        try:
            send_webhook(notice, portal_url, development=development, now=now)
            sent.add(Channel.WEBHOOK)
        except webhook.WebhookFailed as error:
            failed[Channel.WEBHOOK] = error.reason
            retryable = error.retryable
    return Notified(frozenset(sent), failed, retryable and bool(failed))
