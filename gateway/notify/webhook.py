"""Signed webhooks: an event POSTed as JSON to a requester's address (Standard Webhooks).

Each request carries `webhook-id` (the event's id, the same on every retry: the receiver's
idempotency key), `webhook-timestamp` (Unix seconds) and `webhook-signature`
(`v1,<base64>`: HMAC-SHA-256 of `id.timestamp.body` under the endpoint's `whsec_` secret),
signed by the `standardwebhooks` library, so that any Standard Webhooks verifier accepts it.

The address is a requester's setting, so it must not reach what only the gateway may reach:
outside development only `https`, and only public addresses (no loopback, private,
link-local, reserved...). The host is resolved once, every address it resolves to is checked,
and the connection goes to a checked address (no second lookup for a DNS answer to change).
No redirect is followed, timeouts are short, and a failure says whether trying again may help
(network, timeouts, 408, 429, 5xx) or not (other statuses, a refused address).
"""

from __future__ import annotations

import base64
import binascii
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

TIMEOUT_SECONDS = 5.0  # to connect, then for each read: a receiver answers fast or not at all
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "passerelle-caf-webhooks/1"
_RETRYABLE_STATUSES = {408, 425, 429}


class WebhookFailed(Exception):
    """The event was not accepted; `retryable` says whether a later attempt may succeed."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason, self.retryable = reason, retryable


class WebhookRefused(WebhookFailed):
    """The address (or secret) may not be used: a French sentence for the requester; not
    worth trying again until the setting changes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


@dataclass(frozen=True)
class Endpoint:
    """Where a requester receives its events, and the secret they are signed with."""

    url: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class Event:
    """One event: `id` stays the same on every attempt to send it; `timestamp` is aware."""

    id: str
    type: str
    data: Mapping[str, Any]
    timestamp: datetime


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect (`address`) and what to ask for (`host`, `path`)."""

    https: bool
    host: str
    port: int
    path: str
    address: str


def new_secret() -> str:
    """Return a new signing secret, `whsec_` and 32 random bytes in base64 (50 characters)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def check_secret(secret: str) -> str:
    """Return a secret as `new_secret` makes them, or refuse it (the library would take a
    malformed one, skipping what is not base64)."""
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not secret.startswith(SECRET_PREFIX) or not 24 <= len(key) <= 64:
        raise WebhookRefused("Le secret du webhook est invalide.")
    return secret


def check_url(url: str, *, development: bool) -> str:
    """Check an address as a requester gives it (no lookup); return it, or refuse it in French."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise WebhookRefused(f"Adresse de webhook invalide : {error}.") from error
    allowed = ("https", "http") if development else ("https",)
    if parts.scheme not in allowed:
        raise WebhookRefused("L'adresse du webhook doit commencer par https://.")
    if not parts.hostname:
        raise WebhookRefused("L'adresse du webhook doit nommer un serveur.")
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused("L'adresse du webhook ne doit pas contenir d'identifiants.")
    if parts.fragment:
        raise WebhookRefused("L'adresse du webhook ne doit pas contenir de fragment (#).")
    if port == 0:
        raise WebhookRefused("L'adresse du webhook a un port invalide.")
    if not development:
        _check_literal(parts.hostname)
    return url


def resolve(url: str, *, development: bool) -> Target:
    """Resolve an address once and check every address it leads to."""
    url = check_url(url, development=development)
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise WebhookFailed(f"nom de serveur introuvable : {host}", retryable=True) from error
    addresses = [str(info[4][0]) for info in found]
    if not development:
        for address in addresses:
            _check_public(address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(https, host, port, path, addresses[0])


def signed_request(endpoint: Endpoint, event: Event) -> tuple[bytes, dict[str, str]]:
    """Return the body of an event and its headers, signature included."""
    moment = event.timestamp.astimezone(UTC)
    body = json.dumps(
        {"type": event.type, "timestamp": moment.isoformat(), "data": dict(event.data)},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    signature = Webhook(check_secret(endpoint.secret)).sign(event.id, moment, body)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "webhook-id": event.id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode("utf-8"), headers


def send(
    endpoint: Endpoint, event: Event, *, development: bool, timeout: float = TIMEOUT_SECONDS
) -> int:
    """POST an event; return the receiver's 2xx status, or raise `WebhookFailed`."""
    body, headers = signed_request(endpoint, event)
    target = resolve(endpoint.url, development=development)
    connection = _PinnedConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)  # what a receiver says is not kept
        status = response.status
    except ssl.SSLCertVerificationError as error:
        raise WebhookFailed(f"certificat refusé : {error.verify_message}", False) from error
    except TimeoutError as error:
        raise WebhookFailed(f"pas de réponse en {timeout:g} s", retryable=True) from error
    except (OSError, http.client.HTTPException) as error:
        raise WebhookFailed(f"connexion impossible : {type(error).__name__}", True) from error
    finally:
        connection.close()
    return _accepted(status)


def _accepted(status: int) -> int:
    if 200 <= status < 300:
        return status
    if 300 <= status < 400:
        raise WebhookFailed(f"redirection non suivie (statut {status})", retryable=False)
    retryable = status >= 500 or status in _RETRYABLE_STATUSES
    raise WebhookFailed(f"refusé par le destinataire (statut {status})", retryable)


class _PinnedConnection(http.client.HTTPConnection):
    """A connection to the checked address, speaking to (and verifying TLS for) the host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target
        self.default_port = 443 if target.https else 80  # the Host header names no usual port

    def connect(self) -> None:
        sock = socket.create_connection((self.target.address, self.target.port), self.timeout)
        if self.target.https:
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self.target.host)
        self.sock = sock


def _check_literal(host: str) -> None:
    """Refuse an address written as a non-public IP (names are checked once resolved)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            raise WebhookRefused("L'adresse du webhook ne peut pas viser ce serveur.") from None
        return
    _check_public(host)


def _check_public(address: str) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if not ip.is_global or ip.is_multicast:
        raise WebhookRefused(
            "L'adresse du webhook mène à un réseau privé ou réservé : seules les adresses "
            "publiques sont acceptées."
        )
