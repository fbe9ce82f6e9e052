"""Signed webhooks against a real HTTP(S) server on localhost: signature, refusals, retries."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from gateway.notify import webhook
from gateway.notify.webhook import Endpoint, Event, WebhookFailed, WebhookRefused
from tests.support.mailserver import Certificate
from tests.support.webhook_receiver import webhook_receiver

SECRET = webhook.new_secret()


def event(**data: Any) -> Event:
    payload = {"subscription_id": 7, "status": "livre", "due": "février 2027", **data}
    return Event("livraison-42", "subscription.delivery", payload, datetime.now(UTC))


def test_the_receiver_verifies_the_signature_with_the_standard_library() -> None:
    with webhook_receiver() as receiver:
        url = f"http://127.0.0.1:{receiver.port}/recepteur?source=passerelle"
        status = webhook.send(Endpoint(url, SECRET), event(), development=True)
    assert status == 204
    [received] = receiver.requests
    assert received.path == "/recepteur?source=passerelle"
    assert received.headers["webhook-id"] == "livraison-42"
    assert received.headers["webhook-signature"].startswith("v1,")
    assert received.headers["content-type"] == "application/json; charset=utf-8"
    payload = Webhook(SECRET).verify(received.body, received.headers)
    assert payload["type"] == "subscription.delivery"
    assert payload["data"]["due"] == "février 2027"  # UTF-8, not escaped
    assert "février".encode() in received.body
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook.new_secret()).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(received.body.replace(b"livre", b"refuse"), received.headers)


def test_https_to_a_checked_address_verifies_the_host_certificate(
    certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    with webhook_receiver(tls=certificate) as receiver:
        url = f"https://localhost:{receiver.port}/"
        assert webhook.send(Endpoint(url, SECRET), event(), development=True) == 204
    [received] = receiver.requests
    assert received.headers["host"] == f"localhost:{receiver.port}"
    Webhook(SECRET).verify(received.body, received.headers)


def test_an_untrusted_certificate_is_not_retried(certificate: Certificate) -> None:
    with webhook_receiver(tls=certificate) as receiver:
        url = f"https://localhost:{receiver.port}/"
        with pytest.raises(WebhookFailed, match="certificat refusé") as raised:
            webhook.send(Endpoint(url, SECRET), event(), development=True)
    assert raised.value.retryable is False and receiver.requests == []


def test_a_redirect_is_not_followed() -> None:
    with webhook_receiver() as elsewhere, webhook_receiver() as receiver:
        receiver.status, receiver.location = 307, f"http://127.0.0.1:{elsewhere.port}/"
        url = f"http://127.0.0.1:{receiver.port}/"
        with pytest.raises(WebhookFailed, match="redirection non suivie") as raised:
            webhook.send(Endpoint(url, SECRET), event(), development=True)
    assert raised.value.retryable is False
    assert len(receiver.requests) == 1 and elsewhere.requests == []


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (410, False)]
)
def test_a_refusal_says_whether_to_try_again(status: int, retryable: bool) -> None:
    with webhook_receiver() as receiver:
        receiver.status = status
        url = f"http://127.0.0.1:{receiver.port}/"
        with pytest.raises(WebhookFailed, match=f"statut {status}") as raised:
            webhook.send(Endpoint(url, SECRET), event(), development=True)
    assert raised.value.retryable is retryable


def test_a_slow_receiver_times_out_and_may_be_retried() -> None:
    with webhook_receiver() as receiver:
        receiver.delay = 1.5
        url = f"http://127.0.0.1:{receiver.port}/"
        with pytest.raises(WebhookFailed, match=r"pas de réponse en 0\.3 s") as raised:
            webhook.send(Endpoint(url, SECRET), event(), development=True, timeout=0.3)
    assert raised.value.retryable is True


@pytest.mark.parametrize(
    "url",
    [
        "http://passerelle.example.org/webhook",  # not https
        "https://127.0.0.1/webhook",
        "https://[::1]/webhook",
        "https://10.1.2.3/webhook",
        "https://192.168.0.10/webhook",
        "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "https://[::ffff:127.0.0.1]/webhook",
        "https://localhost/webhook",
        "https://api.localhost/webhook",
        "https://jean:secret@example.org/webhook",
        "https://example.org:0/webhook",
        "ftp://example.org/webhook",
        "https:///webhook",
    ],
)
def test_production_refuses_addresses_the_gateway_should_not_reach(url: str) -> None:
    with pytest.raises(WebhookRefused) as raised:
        webhook.resolve(url, development=False)
    assert raised.value.retryable is False
    assert raised.value.reason.startswith(("L'adresse", "Adresse"))


def test_production_accepts_a_public_address() -> None:
    url = "https://93.184.215.14:8443/recepteur"
    assert webhook.check_url(url, development=False) == url
    target = webhook.resolve(url, development=False)  # a literal: no lookup
    assert (target.address, target.port, target.https) == ("93.184.215.14", 8443, True)


def test_a_name_is_checked_by_what_it_resolves_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking name resolving to loopback is refused; the connection goes to the
    address that was checked, asking for the name (no second lookup)."""
    real = socket.getaddrinfo

    def lookup(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "recepteur.example.org":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    with webhook_receiver() as receiver:
        with pytest.raises(WebhookRefused, match="réseau privé"):
            url = f"https://recepteur.example.org:{receiver.port}/"
            webhook.send(Endpoint(url, SECRET), event(), development=False)
        assert receiver.requests == []
        url = f"http://recepteur.example.org:{receiver.port}/"
        assert webhook.send(Endpoint(url, SECRET), event(), development=True) == 204
    assert receiver.requests[0].headers["host"] == f"recepteur.example.org:{receiver.port}"


def test_secrets() -> None:
    assert SECRET.startswith("whsec_") and len(SECRET) == 50
    assert webhook.new_secret() != SECRET
    with pytest.raises(WebhookRefused, match="secret"):
        webhook.signed_request(Endpoint("https://example.org/", "whsec_pas*du*base64"), event())
    body, headers = webhook.signed_request(Endpoint("https://example.org/", SECRET), event())
    assert json.loads(body)["data"]["subscription_id"] == 7
    assert SECRET not in repr(Endpoint("https://example.org/", SECRET))
    assert Webhook(SECRET).verify(body, headers)["type"] == "subscription.delivery"
