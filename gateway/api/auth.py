"""Authentication (Bearer API keys) and the one gate per action every route goes through."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_smorest import Blueprint
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gateway.db import get_database
from gateway.db.models import Requester
from gateway.services.api_keys import authenticate
from gateway.services.requesters import profile_of
from policies.access import ANONYMOUS, RequesterProfile, authorize
from policies.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


class Unauthenticated(DomainError):
    code = "non_authentifie"
    title = "Authentification requise"
    http_status = 401

    def __init__(self) -> None:
        # The same body for unknown, expired and revoked keys: no hint which.
        super().__init__("Clé d'API absente, inconnue, expirée ou révoquée.")
        self.headers = {"WWW-Authenticate": 'Bearer realm="passerelle-caf"'}


class TooManyFailures(DomainError):
    code = "trop_de_requetes"
    title = "Trop de requêtes"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Trop d'échecs d'authentification depuis cette adresse ; réessayez dans "
            f"{retry_after} s."
        )
        self.headers = {"Retry-After": str(retry_after)}


@dataclass(frozen=True)
class Actor:
    """Who is calling: the requester's profile, its row id and the prefix of the key used."""

    profile: RequesterProfile
    requester_id: int | None
    key_prefix: str | None

    @property
    def is_anonymous(self) -> bool:
        return self.requester_id is None


class RateLimited(DomainError):
    code = "trop_de_requetes"
    title = "Trop de requêtes"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Limite de requêtes de cette clé atteinte ; réessayez dans {retry_after} s."
        )
        self.headers = {"Retry-After": str(retry_after)}


class Limiter:
    """A moving-window limit per key (memory storage by default, Redis when configured)."""

    def __init__(self, storage_uri: str, limit: str, namespace: str) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.limit = parse(limit)
        self.namespace = namespace

    def retry_after(self, key: str) -> int | None:
        """Return the seconds to wait when the key is over its limit, else None."""
        if self.limiter.test(self.limit, self.namespace, key):
            return None
        reset = self.limiter.get_window_stats(self.limit, self.namespace, key).reset_time
        return max(1, int(reset - time.time()) + 1)

    def hit(self, key: str) -> bool:
        return self.limiter.hit(self.limit, self.namespace, key)


def _limiter(name: str) -> Limiter:
    limiter: Limiter = current_app.extensions[name]
    return limiter


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def _authenticate(optional: bool) -> Actor:
    header = request.headers.get("Authorization", "")
    if not header and optional:
        return Actor(ANONYMOUS, None, None)
    source = request.remote_addr or "inconnue"
    failures = _limiter("gateway.auth_failures")
    wait = failures.retry_after(source)
    if wait is not None:
        raise TooManyFailures(wait)
    scheme, _, token = header.partition(" ")
    with get_database().transaction() as session:
        key = authenticate(session, token.strip()) if scheme.lower() == "bearer" else None
        if key is None:
            failures.hit(source)
            raise Unauthenticated()
        if not _limiter("gateway.key_rate").hit(key.prefix):
            raise RateLimited(_limiter("gateway.key_rate").retry_after(key.prefix) or 1)
        key.last_used_at = datetime.now(UTC)
        requester = session.get(Requester, key.requester_id)
        assert requester is not None  # authenticate() checked it
        return Actor(profile_of(requester), requester.id, key.prefix)


_SECURITY_DOC = {
    "security": [{"cleApi": []}],
    # By name, not as "$ref" dicts: flask-smorest registers these components lazily, on use.
    "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "429": "TOO_MANY_REQUESTS"},
}


def gate(
    action: str, *, public: bool = False, caf: Callable[..., str | None] | None = None
) -> Callable[[F], F]:
    """Authenticate the caller, then run the one policy check named `action`.

    `public` lets anonymous callers through as grand public; `caf` computes the Caf
    the action targets from the view's arguments (None: no Caf-specific target).
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def gated(*args: Any, **kwargs: Any) -> Any:
            g.actor = _authenticate(optional=public)
            target = caf(*args, **kwargs) if caf else None
            authorize(action, g.actor.profile, target).raise_if_refused()
            return view(*args, **kwargs)

        documented: F = Blueprint.doc(**_SECURITY_DOC)(gated)
        # Outer decorators copy __dict__ (functools.wraps): the route test finds it there.
        documented.gate_action = action  # type: ignore[attr-defined]
        return documented

    return decorator


def init_auth(app: Any, storage_uri: str, failures_per_minute: int, key_rate: str) -> None:
    """Attach the two limiters: failed authentications per address, requests per key."""
    failures = Limiter(storage_uri, f"{failures_per_minute}/minute", "echecs-auth")
    app.extensions["gateway.auth_failures"] = failures
    app.extensions["gateway.key_rate"] = Limiter(storage_uri, key_rate, "cle")
