"""Authentication (Bearer API keys) and the one gate per action every route goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy import select

from gateway.api.ratelimit import Limiter, limiter
from gateway.db import get_database, request_session
from gateway.db.models import Caf, Requester
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


def _limiter(name: str) -> Limiter:
    found: Limiter = current_app.extensions[name]
    return found


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def _authenticate(optional: bool) -> Actor:
    """Identify the caller from its Bearer key; anonymous only where `optional`.

    Failed attempts are counted per source address; past the limit, a key that does not
    authenticate gets 429 instead of 401. A valid key always passes: behind a proxy every
    requester shares one address, and someone else's failures must not lock them out.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        if optional:
            return Actor(ANONYMOUS, None, None)
        raise Unauthenticated()  # no key is no attempt: nothing to count
    scheme, _, token = header.partition(" ")
    with get_database().transaction() as session:
        key = authenticate(session, token.strip()) if scheme.lower() == "bearer" else None
        if key is None:
            _count_failure(request.remote_addr or "inconnue")
        if not _limiter("gateway.key_rate").hit(key.prefix):
            raise RateLimited(_limiter("gateway.key_rate").retry_after(key.prefix) or 1)
        key.last_used_at = datetime.now(UTC)
        requester = session.get(Requester, key.requester_id)
        assert requester is not None  # authenticate() checked it
        return Actor(profile_of(requester), requester.id, key.prefix)


def _count_failure(source: str) -> NoReturn:
    """Refuse a failed authentication: 401 up to the limit per address, then 429."""
    failures = _limiter("gateway.auth_failures")
    if not failures.hit(source):
        raise TooManyFailures(failures.retry_after(source) or 1)
    raise Unauthenticated()


_SECURITY_DOC = {
    "security": [{"cleApi": []}],
    # By name, not as "$ref" dicts: flask-smorest registers these components lazily, on use.
    "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "429": "TOO_MANY_REQUESTS"},
}


_PUBLIC_DOC = {
    # A key is optional: anonymous callers are the grand public.
    "security": [],
    "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "429": "TOO_MANY_REQUESTS"},
}


_ACTOR_KEY = "passerelle.actor"


@dataclass(frozen=True)
class Gate:
    """A route's gate: the action checked, whether anonymous callers pass, the target's Caf."""

    action: str
    public: bool
    caf: Callable[..., str | None] | None


def admit(spec: Gate) -> Actor:
    """Authenticate the caller (once per request) and check its role may do the action.

    Runs before the request's arguments are parsed, so the target Caf is not known yet:
    the caller's own Caf stands in for it, which refuses nothing but the role.
    """
    # Kept on the request, not on `g`: an app context may outlive one request (tests).
    actor: Actor | None = request.environ.get(_ACTOR_KEY)
    if actor is None:
        actor = request.environ[_ACTOR_KEY] = _authenticate(optional=spec.public)
    g.actor = actor
    provisional = actor.profile.caf_code if spec.caf else None
    authorize(spec.action, actor.profile, provisional).raise_if_refused()
    return actor


def caf_names(codes: set[str]) -> dict[str, str]:
    """Return the names of these Cafs, as stored ("13" -> "Caf des Bouches-du-Rhône")."""
    rows = request_session().execute(select(Caf.code, Caf.name).where(Caf.code.in_(codes)))
    return {str(code): str(name) for code, name in rows}


def gate(
    action: str, *, public: bool = False, caf: Callable[..., str | None] | None = None
) -> Callable[[F], F]:
    """Authenticate the caller, then run the one policy check named `action`.

    `public` lets anonymous callers through as grand public; `caf` computes the Caf
    the action targets from the view's parsed arguments (None: no Caf-specific target).
    Written last, just above the view: the caller and its role are checked before any
    parsing (`gateway.api.intake`), the target once the arguments are parsed.
    """
    spec = Gate(action, public, caf)

    def decorator(view: F) -> F:
        @wraps(view)
        def gated(*args: Any, **kwargs: Any) -> Any:
            actor = admit(spec)
            target = caf(*args, **kwargs) if caf else None
            decision = authorize(action, actor.profile, target)
            if not decision.allowed:  # said again with the Cafs' names
                cafs = {c for c in (target, actor.profile.caf_code) if c}
                authorize(action, actor.profile, target, caf_names(cafs)).raise_if_refused()
            return view(*args, **kwargs)

        documented: F = Blueprint.doc(**(_PUBLIC_DOC if public else _SECURITY_DOC))(gated)
        # Outer decorators copy __dict__ (functools.wraps): the intake and the tests find them.
        documented.gate_action = action  # type: ignore[attr-defined]
        documented.gate = spec  # type: ignore[attr-defined]
        return documented

    return decorator


def init_auth(app: Any, storage_uri: str, failures_per_minute: int, key_rate: str) -> None:
    """Attach the two limiters: failed authentications per address, requests per key."""
    failures = limiter(storage_uri, f"{failures_per_minute}/minute", "echecs-auth")
    app.extensions["gateway.auth_failures"] = failures
    app.extensions["gateway.key_rate"] = limiter(storage_uri, key_rate, "cle")
