"""A subscription's delivery announced end to end: the subscriptions service delivers through
the pipeline on SQLite, the e-mail reaches a real SMTP server, the webhook a real receiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from standardwebhooks.webhooks import Webhook

from gateway.db.models import Extract, Subscription, SubscriptionDelivery
from gateway.notify.subscription import NotificationFailed, notify_delivery
from gateway.services.subscriptions import service
from gateway.services.subscriptions.runner import NOTIFY_ATTEMPTS, announce_pending, deliver_one
from gateway.services.subscriptions.service import SubscriptionFields
from gateway.services.subscriptions.values import Cadence, current_due
from gateway.state import AppState, app_state
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers
from tests.gateway.subscriptions.conftest import CD_REQUEST, caller_of
from tests.support.mailserver import Certificate, Mailbox, smtp_server
from tests.support.webhook_receiver import Receiver, webhook_receiver

SENDER = "Passerelle des Caf <ne-pas-repondre@passerelle.caf.fr>"
PORTAL = "https://passerelle.caf.fr"


@pytest.fixture
def mailbox(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    with smtp_server(tls=certificate, credentials=("passerelle", "mot-de-passe")) as found:
        yield found


@pytest.fixture
def state(
    mailbox: tuple[Mailbox, int], sqlite_url: str, tmp_path: Path, demo_store_dir: Path
) -> Iterator[AppState]:
    """The app on SQLite, its mail through the test SMTP server, with the demo requesters."""
    application: Flask = make_app(
        sqlite_url,
        tmp_path,
        store_dir=demo_store_dir,
        smtp_host="localhost",
        smtp_port=mailbox[1],
        smtp_user="passerelle",
        smtp_password="mot-de-passe",
        smtp_sender=SENDER,
        public_url=PORTAL,
    )
    demo_headers(application, tmp_path)
    with application.app_context():
        yield app_state(application)
    app_state(application).close()


def _subscribe(state: AppState, receiver: Receiver, now: datetime) -> tuple[int, str]:
    """Subscribe the conseil départemental with a webhook; return its id and secret."""
    with state.database.transaction() as session:
        created = service.create_subscription(
            session,
            caller_of(state, "conseil_departemental"),
            SubscriptionFields(
                CD_REQUEST,
                Cadence.MONTHLY,
                name="Petite enfance",
                webhook_url=f"http://127.0.0.1:{receiver.port}/abonnements",
            ),
            development=True,
            now=now,
        )
        secret = created.webhook_secret
        assert secret is not None and secret.startswith("whsec_")  # webhook.new_secret()'s
        return created.subscription.id, secret


def _delivered(state: AppState, delivery_id: int) -> tuple[SubscriptionDelivery, Extract]:
    with state.database.sessions() as session:
        delivery = session.get(SubscriptionDelivery, delivery_id)
        assert delivery is not None and delivery.extract_id is not None
        extract = session.get(Extract, delivery.extract_id)
        assert extract is not None
        session.expunge_all()
        return delivery, extract


def test_a_delivery_is_announced_by_mail_and_by_a_signed_webhook(
    state: AppState, mailbox: tuple[Mailbox, int]
) -> None:
    now = datetime.now(UTC)  # the receiver checks the webhook's timestamp against its clock
    due = current_due(Cadence.MONTHLY, now, state.store.version())
    with webhook_receiver() as receiver:
        subscription_id, secret = _subscribe(state, receiver, now)
        delivery = deliver_one(state, subscription_id, due.key, now=now, notify=notify_delivery)
    assert delivery is not None and delivery.notified_at is not None
    delivery, extract = _delivered(state, delivery.id)
    box = mailbox[0]
    assert box.logins == ["passerelle"]
    [message] = box.messages  # the demo requester's contact; no person has an account yet
    assert message["To"] == "conseil.departemental@exemple.fr"
    assert message["Subject"] == f"Votre livraison « Petite enfance » ({due.label}) est disponible"
    body = message.get_content()
    assert f"{PORTAL}/espace/extraits/{extract.id}" in body
    assert f"Cellules diffusées : {extract.cells_delivered}" in body.replace("\u00a0", "")
    assert "Cette livraison n'est pas facturée." in body  # free under its convention
    [received] = receiver.requests
    assert received.path == "/abonnements"
    payload = Webhook(secret).verify(received.body, received.headers)
    assert received.headers["webhook-id"] == f"livraison-{delivery.id}"
    assert payload["type"] == "subscription.delivery"
    assert payload["data"]["subscription_id"] == subscription_id
    assert payload["data"]["extract_id"] == extract.id and payload["data"]["status"] == "livre"
    assert payload["data"]["download_url"] == (
        f"{PORTAL}/api/v1/extracts/{extract.id}/download?format=csv-fr"
    )


def test_a_failed_announcement_is_tried_again_until_it_leaves_then_never_again(
    state: AppState, mailbox: tuple[Mailbox, int]
) -> None:
    now = datetime.now(UTC)
    due = current_due(Cadence.MONTHLY, now, state.store.version())
    with webhook_receiver() as receiver:
        receiver.status = 503
        subscription_id, _secret = _subscribe(state, receiver, now)
        delivery = deliver_one(state, subscription_id, due.key, now=now, notify=notify_delivery)
        assert delivery is not None and delivery.notified_at is None  # for a later retry
        assert delivery.notify_attempts == 1
        assert announce_pending(state, now) == 0  # its wait (1 minute) is not over
        assert announce_pending(state, now + timedelta(minutes=1, seconds=30), notify_delivery) == 0
        assert _attempts(state, delivery.id) == (2, False)  # still 503
        receiver.status = 204
        assert announce_pending(state, now + timedelta(minutes=2, seconds=30), notify_delivery) == 1
        assert _attempts(state, delivery.id) == (3, True)
        assert announce_pending(state, now + timedelta(hours=1), notify_delivery) == 0
        assert len(receiver.requests) == 3  # the first, the failed retry, the one that left
        ids = {r.headers["webhook-id"] for r in receiver.requests}
        assert ids == {f"livraison-{delivery.id}"}  # the receiver sees a repeat
    assert len(mailbox[0].messages) == 3  # the mail left each time


def test_an_announcement_refused_for_good_is_not_tried_again(
    state: AppState, mailbox: tuple[Mailbox, int]
) -> None:
    now = datetime.now(UTC)
    due = current_due(Cadence.MONTHLY, now, state.store.version())
    with webhook_receiver() as receiver:
        receiver.status = 404
        subscription_id, _secret = _subscribe(state, receiver, now)
        delivery = deliver_one(state, subscription_id, due.key, now=now, notify=notify_delivery)
        assert delivery is not None and delivery.notified_at is None
        assert _attempts(state, delivery.id) == (NOTIFY_ATTEMPTS, False)
        assert announce_pending(state, now + timedelta(days=1), notify_delivery) == 0
        with state.database.sessions() as session:
            subscription = session.get(Subscription, subscription_id)
            row = session.get(SubscriptionDelivery, delivery.id)
            assert subscription is not None and row is not None
            session.expunge_all()
        with pytest.raises(NotificationFailed) as raised:
            notify_delivery(state, subscription, row)
    assert raised.value.retryable is False
    assert raised.value.failures == {"webhook": "refusé par le destinataire (statut 404)"}
    assert len(receiver.requests) == 2  # the delivery's attempt and the direct call above


def _attempts(state: AppState, delivery_id: int) -> tuple[int, bool]:
    with state.database.sessions() as session:
        row = session.get(SubscriptionDelivery, delivery_id)
        assert row is not None
        return row.notify_attempts, row.notified_at is not None
