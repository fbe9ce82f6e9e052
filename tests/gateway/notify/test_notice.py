"""A delivery's notice: the French e-mail and the webhook's event, and what fails."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from gateway.notify import webhook
from gateway.notify.mail import MailNotSent, Message
from gateway.notify.notice import (
    Channel,
    DeliveryNotice,
    delivery_event,
    delivery_messages,
    send_notice,
)
from tests.support.webhook_receiver import webhook_receiver

PORTAL = "https://passerelle.caf.fr"
NOW = datetime(2027, 1, 1, 6, 0, tzinfo=UTC)
SECRET = webhook.new_secret()


def notice(**fields: Any) -> DeliveryNotice:
    values: dict[str, Any] = {
        "subscription_id": 12,
        "subscription_name": "Petite enfance, communes de l'EPCI",
        "delivery_id": 34,
        "due_label": "janvier 2027",
        "status": "livre",
        "recipients": ("contact@cd13.fr", "agent@cd13.fr"),
        "extract_id": "ext-abc",
        "format_name": "csv-fr",
        "cells_delivered": 1234,
        "cells_suppressed": 17,
        "price": Decimal("1250.50"),
        "invoice_number": "F-13-2027-000004",
        **fields,
    }
    return DeliveryNotice(**values)


class Kept:
    """An outbox that keeps what it is given (the transports have their own tests)."""

    def __init__(self, fail_for: str = "") -> None:
        self.sent: list[Message] = []
        self.fail_for = fail_for

    def send(self, message: Message) -> None:
        if message.to == self.fail_for:
            raise MailNotSent(message.to, "SMTPDataError : 451")
        self.sent.append(message)


def test_a_delivered_extract_is_announced_in_french() -> None:
    first, second = delivery_messages(notice(), PORTAL)
    assert (first.to, second.to) == ("contact@cd13.fr", "agent@cd13.fr")
    assert first.subject == (
        "Votre livraison « Petite enfance, communes de l'EPCI » (janvier 2027) est disponible"
    )
    body = first.body
    assert "(échéance : janvier 2027) est disponible. Connectez-vous" in body
    assert f"{PORTAL}/espace/extraits/ext-abc" in body
    assert "Cellules diffusées : 1\u00a0234." in body
    assert "Cellules masquées au titre du secret statistique : 17" in body
    assert (
        "Prix : 1\u00a0250,50\u00a0€ TTC, selon votre convention, facture n° F-13-2027-000004"
        in body
    )
    assert f"{PORTAL}/espace/abonnements/12" in body
    # The development log shows the subscription's page (a production log never shows links)
    assert first.link == f"{PORTAL}/espace/abonnements/12"


def test_free_and_unsuppressed() -> None:
    [message] = delivery_messages(
        notice(recipients=("a@cd13.fr",), cells_suppressed=0, price=None, invoice_number=None),
        PORTAL,
    )
    assert "Aucune cellule masquée." in message.body
    assert "Cette livraison n'est pas facturée." in message.body


def test_a_refused_delivery_says_why() -> None:
    missed = notice(
        status="refuse",
        extract_id=None,
        cells_delivered=0,
        price=None,
        problem="La convention n° 13-2025-004 a expiré.",
        subscription_name="",
    )
    [message, _] = delivery_messages(missed, PORTAL)
    assert message.subject == (
        "Votre livraison « abonnement n° 12 » (janvier 2027) n'a pas pu être produite"
    )
    assert "La convention n° 13-2025-004 a expiré." in message.body
    assert "/espace/extraits/" not in message.body
    event = delivery_event(missed, PORTAL, NOW)
    assert event.data["status"] == "refuse" and event.data["download_url"] is None
    assert event.data["problem"] == "La convention n° 13-2025-004 a expiré."


def test_the_event_names_the_delivery_and_its_download() -> None:
    event = delivery_event(notice(), PORTAL, NOW)
    assert (event.id, event.type) == ("livraison-34", "subscription.delivery")
    assert event.data == {
        "subscription_id": 12,
        "delivery_id": 34,
        "due": "janvier 2027",
        "status": "livre",
        "extract_id": "ext-abc",
        "extract_url": f"{PORTAL}/api/v1/extracts/ext-abc",
        "download_url": f"{PORTAL}/api/v1/extracts/ext-abc/download?format=csv-fr",
        "cells_delivered": 1234,
        "cells_suppressed": 17,
        "price": "1250.50",
        "invoice_number": "F-13-2027-000004",
        "problem": None,
    }


def test_both_channels_sent() -> None:
    outbox = Kept()
    with webhook_receiver() as receiver:
        endpoint = webhook.Endpoint(f"http://127.0.0.1:{receiver.port}/", SECRET)
        moment = datetime.now(UTC)  # the receiver refuses a timestamp 5 minutes away
        done = send_notice(
            notice(webhook=endpoint), outbox=outbox, portal_url=PORTAL, development=True, now=moment
        )
    assert done.sent == {Channel.MAIL, Channel.WEBHOOK} and not done.failed
    assert [m.to for m in outbox.sent] == ["contact@cd13.fr", "agent@cd13.fr"]
    [received] = receiver.requests
    payload = Webhook(SECRET).verify(received.body, received.headers)
    assert payload["data"]["extract_id"] == "ext-abc"


def test_failures_are_reported_not_raised() -> None:
    outbox = Kept(fail_for="agent@cd13.fr")
    with webhook_receiver() as receiver:
        receiver.status = 503
        endpoint = webhook.Endpoint(f"http://127.0.0.1:{receiver.port}/", SECRET)
        done = send_notice(
            notice(webhook=endpoint), outbox=outbox, portal_url=PORTAL, development=True, now=NOW
        )
    assert done.sent == frozenset() and done.retryable
    assert done.failed == {
        Channel.MAIL: "SMTPDataError : 451",
        Channel.WEBHOOK: "refusé par le destinataire (statut 503)",
    }


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (404, False)])
def test_retry_only_what_may_succeed(status: int, retryable: bool) -> None:
    with webhook_receiver() as receiver:
        receiver.status = status
        endpoint = webhook.Endpoint(f"http://127.0.0.1:{receiver.port}/", SECRET)
        done = send_notice(
            notice(webhook=endpoint),
            outbox=Kept(),
            portal_url=PORTAL,
            development=True,
            now=NOW,
            channels=frozenset({Channel.WEBHOOK}),
        )
    assert done.sent == frozenset() and set(done.failed) == {Channel.WEBHOOK}
    assert done.retryable is retryable
