"""Authentication (Bearer API keys) and the one gate per action every route goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast

from flask import current_app, g, request

from gateway.api.blueprint import GATE_ATTRIBUTE, PARSES_ARGUMENTS, Blueprint
from gateway.api.ratelimit import Limiter, limiter
from gateway.api.throttle import init_throttle, note_quota
from gateway.config import Settings
from gateway.db.health import Component
from gateway.db.models import Requester
from gateway.services.audit.refusals import enforce
from gateway.services.requesters.api_keys import authenticate, note_use
from gateway.services.requesters.queries import profile_of
from gateway.services.territories.queries import caf_names
from gateway.state import app_state, request_session
from policies.access import PUBLIC, Action, Caller, authorize
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


class _RetryLater(DomainError):
    """429: too many requests; the message says why, `Retry-After` when to come back."""

    code = "trop_de_requetes"
    title = "Trop de requêtes"
    http_status = 429
    REASON = ""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"{self.REASON} ; réessayez dans {retry_after} s.")
        self.headers = {"Retry-After": str(retry_after)}


class TooManyFailures(_RetryLater):
    REASON = "Trop d'échecs d'authentification depuis cette adresse"


class RateLimited(_RetryLater):
    REASON = "Limite de requêtes de cette clé atteinte"


class AnonymousRateLimited(_RetryLater):
    REASON = (
        "Limite des requêtes sans clé d'API atteinte pour cette adresse (une clé d'API "
        "donne sa propre limite)"
    )


#: Routes no limit counts: the health check (polled by load balancers) and the docs' assets.
UNMETERED_ENDPOINTS = frozenset(
    {"sante.Health", "api-docs.openapi_swagger_ui", "documentation.static"}
)


def _limiter(name: str) -> Limiter:
    found: Limiter = current_app.extensions[name]
    return found


def current_caller() -> Caller:
    """Return who asks, as the gate of the route authenticated it."""
    caller: Caller = g.caller
    return caller


def own_requester_id() -> int:
    """Return the caller's requester id, on a route whose gate lets no anonymous caller in."""
    requester_id = current_caller().requester_id
    assert requester_id is not None  # the gate authenticated a key: the caller has an account
    return requester_id


def _authenticate(optional: bool) -> Caller:
    """Identify the caller from its Bearer key; anonymous only where `optional`.

    Failed attempts are counted per source address; past the limit, a key that does not
    authenticate gets 429 instead of 401. A valid key always passes: behind a proxy every
    requester shares one address, and someone else's failures must not lock them out.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        if optional:
            _count_anonymous(request.remote_addr or "inconnue")
            return PUBLIC
        raise Unauthenticated()  # no key is no attempt: nothing to count
    scheme, _, token = header.partition(" ")
    with app_state().database.transaction() as session:
        key = authenticate(session, token.strip()) if scheme.lower() == "bearer" else None
        if key is None:
            _count_failure(request.remote_addr or "inconnue")
        quota = _limiter("gateway.key_rate").take(key.prefix)
        note_quota("cle", quota)
        if not quota.allowed:
            raise RateLimited(quota.reset)
        note_use(key, datetime.now(UTC))  # once per 5 minutes: reads stay reads
        requester = session.get(Requester, key.requester_id)
        assert requester is not None  # authenticate() checked it
        return Caller(requester.id, profile_of(requester), key.prefix, requester.name)


def _count_anonymous(source: str) -> None:
    """Count an anonymous call per source address; past the limit, 429."""
    quota = _limiter("gateway.anonymous_rate").take(source)
    note_quota("anonyme", quota)
    if not quota.allowed:
        raise AnonymousRateLimited(quota.reset)


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


_CALLER_KEY = "passerelle.caller"


@dataclass(frozen=True)
class Gate:
    """A route's gate: the action checked, whether anonymous callers pass, the target's Caf."""

    action: Action
    public: bool
    caf: Callable[..., str | None] | None

    def after_parsing(self, *args: Any, **kwargs: Any) -> None:
        """Check the Caf the action targets, computed from the view's parsed arguments."""
        target = self.caf(*args, **kwargs) if self.caf else None
        _enforce(self, current_caller(), target)


def admit(spec: Gate) -> Caller:
    """Authenticate the caller (once per request) and check its role may do the action.

    Runs before the request's arguments are parsed, so the target Caf is not known yet:
    the caller's own Caf stands in for it, which refuses nothing but the role.
    """
    # Kept on the request, not on `g`: an app context may outlive one request (tests).
    caller: Caller | None = request.environ.get(_CALLER_KEY)
    if caller is None:
        caller = request.environ[_CALLER_KEY] = _authenticate(optional=spec.public)
    g.caller = caller
    _enforce(spec, caller, caller.profile.caf_code if spec.caf else None)
    return caller


def meter_open_route() -> None:
    """Count a call to an ungated route (catalogue, territories) as its gate would.

    A key, when sent, is checked and counted against its own limit; without one, the call
    counts against its address's anonymous limit. The health check and the docs are free.
    """
    if request.endpoint in UNMETERED_ENDPOINTS or _CALLER_KEY in request.environ:
        return
    request.environ[_CALLER_KEY] = _authenticate(optional=True)


def _enforce(spec: Gate, caller: Caller, target: str | None) -> None:
    """Run the action's policy check; a refusal is said with the Cafs' names, and audited."""
    if authorize(spec.action, caller.profile, target).allowed:
        return
    cafs = {c for c in (target, caller.profile.caf_code) if c}
    enforce(
        authorize(spec.action, caller.profile, target, caf_names(request_session(), cafs)),
        caller=caller,
        action=spec.action,
        request_line=f"{request.method} {request.path}",
        target_caf=target,
    )


def gate(
    action: Action, *, public: bool = False, caf: Callable[..., str | None] | None = None
) -> Callable[[F], F]:
    """Guard a route with the one policy check named `action`: its outermost decorator.

    `public` lets anonymous callers through as grand public; `caf` computes the Caf the
    action targets from the view's arguments (None: no Caf-specific target). The caller and
    its role are checked before anything of the route runs (and before any body is read:
    `gateway.api.intake`); the target once the arguments are parsed, by the hook that
    `gateway.api.blueprint.Blueprint.arguments` puts below them, or at once when the route
    parses none. Every refusal is appended to the audit chain with the rules that refused.
    """
    spec = Gate(Action(action), public, caf)

    def decorator(view: F) -> F:
        parses = bool(getattr(view, PARSES_ARGUMENTS, False))
        if "arguments" in getattr(view, "_apidoc", {}) and not parses:
            raise TypeError(  # their target would never be checked
                f"{view.__qualname__}: arguments parsed by a plain flask-smorest Blueprint; "
                "declare them with gateway.api.blueprint.Blueprint"
            )
        documented = Blueprint.doc(**(_PUBLIC_DOC if public else _SECURITY_DOC))(view)

        @wraps(documented)
        def gated(*args: Any, **kwargs: Any) -> Any:
            admit(spec)
            if not parses:  # nothing to parse: the target is known now
                spec.after_parsing(*args, **kwargs)
            return documented(*args, **kwargs)

        setattr(gated, GATE_ATTRIBUTE, spec)  # the intake, the blueprint and the tests read it
        return cast(F, gated)

    return decorator


def init_auth(app: Any, settings: Settings) -> None:
    """Attach the limiters (failed authentications and anonymous calls per address, requests
    per key), the proxies trusted for the client's address and the `RateLimit` headers."""
    storage_uri = settings.ratelimit_storage_uri
    failures = limiter(storage_uri, f"{settings.auth_failures_per_minute}/minute", "echecs-auth")
    app.extensions["gateway.auth_failures"] = failures
    app.extensions["gateway.key_rate"] = limiter(storage_uri, settings.rate_limit, "cle")
    anonymous = limiter(storage_uri, settings.anonymous_rate_limit, "anonyme")
    app.extensions["gateway.anonymous_rate"] = anonymous
    init_throttle(app, settings.trusted_proxies)
    # The counters are shared (a file, Redis): unreachable, every counted call would fail.
    app_state(app).health_checks.append(lambda: _counters_health(anonymous))


def _counters_health(counters: Limiter) -> Component:
    ok = counters.reachable()
    return Component("rate_limits", ok, "ok" if ok else "injoignable")
