"""What every admin view shares: who acts, which Caf a path targets, one write transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from gateway.api.auth import current_caller
from gateway.services.conventions.queries import caf_of_convention
from gateway.services.requesters.queries import caf_of_requester
from gateway.state import app_state, request_session
from policies.domain import RequesterType

T = TypeVar("T")


def actor_id() -> int | None:
    return current_caller().requester_id


def caf_scope() -> str | None:
    """The Caf a listing is restricted to: the caller's own; None (all) for national admins."""
    profile = current_caller().profile
    return None if profile.type is RequesterType.ADMIN_NATIONAL else profile.caf_code


def write(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one service call as one transaction (its admin-change record included)."""
    with app_state().database.transaction() as session:
        return service(session, *args, **kwargs)


def read(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return service(request_session(), *args, **kwargs)


# Target Caf resolvers for `gate(..., caf=...)`: an unknown id resolves to None, which only
# national administrators may act on (they then get the 404); nobody else learns it exists.


def own_caf(*_args: Any, **_kwargs: Any) -> str | None:
    return caf_scope()


def body_caf(_view: Any, body: dict[str, Any], *_args: Any, **_kwargs: Any) -> str | None:
    """The Caf a body names; a Caf administrator's own when it names none (filled in).

    Without it, a Caf administrator creating a requester of its own territory was refused
    as acting "on every Caf at once".
    """
    national = body.get("type") == RequesterType.ADMIN_NATIONAL.value  # of no Caf: of all
    if not body.get("caf_code") and not national and caf_scope() is not None:
        body["caf_code"] = caf_scope()
    caf: str | None = body.get("caf_code")
    return caf


def query_caf(_view: Any, args: dict[str, Any], *_rest: Any, **_kwargs: Any) -> str | None:
    caf: str | None = args.get("caf_code")
    return caf or caf_scope()


def requester_caf(*_args: Any, requester_id: int, **_kwargs: Any) -> str | None:
    return caf_of_requester(request_session(), requester_id)


def convention_caf(*_args: Any, convention_id: int, **_kwargs: Any) -> str | None:
    return caf_of_convention(request_session(), convention_id)


def national(*_args: Any, **_kwargs: Any) -> str | None:
    return None
