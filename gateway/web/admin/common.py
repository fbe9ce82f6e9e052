"""What every console page shares: the gate with its target Caf, the scope, one transaction.

The admin API's gate (`gateway.api.auth.gate`) authenticates a key; a console page's person
is signed in by cookie, acts as their administration requester, and passes the same policy
check (`policies.access.authorize`) with the same target Caf, a refusal audited alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import request

from gateway.services.audit.changes import acting_as
from gateway.services.audit.refusals import enforce
from gateway.services.territories.queries import caf_names
from gateway.state import app_state, request_session
from gateway.web.account.current import SignedInPerson, login_required, signed_in
from policies.access import Action, authorize
from policies.domain import RequesterType

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
#: Computes the Caf a page acts on from the view's path values (None: no Caf, or every Caf).
TargetCaf = Callable[..., str | None]


def admin() -> SignedInPerson:
    """Return the signed-in administrator (the page's gate let them in)."""
    return signed_in()


def caf_scope() -> str | None:
    """The Caf the console shows: the administrator's own; None (every Caf) when national."""
    profile = admin().profile
    return None if profile.type is RequesterType.ADMIN_NATIONAL else profile.caf_code


def is_national() -> bool:
    return admin().profile.type is RequesterType.ADMIN_NATIONAL


def actor_id() -> int:
    """Who the change log names: the administration requester the person acts as."""
    return admin().requester_id


def own_caf(**_values: Any) -> str | None:
    return caf_scope()


def national(**_values: Any) -> str | None:
    return None


def admin_gate(action: Action, *, caf: TargetCaf = own_caf) -> Callable[[F], F]:
    """Gate a console page: signed in, then `action` on the Caf `caf` computes (audited).

    An object of another Caf is refused by the Caf rule, as on the API; an unknown id
    resolves to no Caf, which only a national administrator may act on (then the 404).
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def gated(*args: Any, **kwargs: Any) -> Any:
            person = admin()
            target = caf(**kwargs)
            if not authorize(action, person.profile, target).allowed:
                cafs = {c for c in (target, person.profile.caf_code) if c}
                names = caf_names(request_session(), cafs)
                enforce(
                    authorize(action, person.profile, target, names),
                    caller=person.caller,
                    action=action,
                    request_line=f"{request.method} {request.path}",
                    target_caf=target,
                )
            with acting_as(person.id):
                return view(*args, **kwargs)

        gated.gate_action = action  # type: ignore[attr-defined]
        return login_required(gated)  # type: ignore[return-value]

    return decorator


def write(service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one service call as one transaction (its change-log record included)."""
    with app_state().database.transaction() as session:
        return service(session, *args, **kwargs)
