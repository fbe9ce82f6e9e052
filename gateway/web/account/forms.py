"""What the account pages share: reading a form, its errors, the gate of a signed-in page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from flask import Response, make_response, render_template, request, url_for

from gateway.services.accounts.values import PersonRole
from gateway.services.audit.changes import acting_as
from gateway.services.audit.refusals import enforce
from gateway.web.account.current import current_person, login_required
from policies.access import Action, authorize
from policies.access.people import authorize_person, reserved
from policies.errors import InvalidInput

F = TypeVar("F", bound=Callable[..., Any])
Errors = dict[str, str]


def form_values(*names: str) -> dict[str, str]:
    """Return the named fields of the posted form, as text (missing ones empty)."""
    return {name: request.form.get(name, "") for name in names}


def missing(values: Mapping[str, str], messages: Mapping[str, str]) -> Errors:
    """Return an error for each empty field, in the form's order."""
    return {name: message for name, message in messages.items() if not values.get(name, "").strip()}


def errors_of(error: InvalidInput) -> Errors:
    """Return a service's field errors, one message per field, in the order it gave them."""
    errors = {field: " ".join(messages) for field, messages in error.errors.items()}
    return errors or {"": error.detail}


def page(template: str, status: int = 200, *, private: bool = False, **context: Any) -> Response:
    """Render a page; `private` ones (keys, links) are neither cached nor referred."""
    response = make_response(render_template(template, **context), status)
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def see_other(endpoint: str, **values: Any) -> Response:
    """Redirect after a successful POST (303: the browser follows with a GET)."""
    return see_other_path(url_for(endpoint, **values))


def see_other_path(path: str) -> Response:
    """Redirect to a path of this site (checked by `current.safe_next` when it came in)."""
    response = Response(status=303)
    response.headers["Location"] = path
    return response


def person_gate(action: Action) -> Callable[[F], F]:
    """Gate a signed-in page: sign-in first, then the action's gate for the person's
    organisation and, for organisation actions, the person's role; a refusal is appended to
    the audit chain, as an API gate's is."""

    def decorator(view: F) -> F:
        @wraps(view)
        def gated(*args: Any, **kwargs: Any) -> Any:
            person = current_person()
            assert person is not None  # login_required, outside
            line = f"{request.method} {request.path}"
            decisions = [authorize(action, person.profile, None)]
            if reserved(action):
                decisions.append(authorize_person(action, PersonRole(person.role)))
            for decision in decisions:
                enforce(decision, caller=person.caller, action=action, request_line=line)
            with acting_as(person.id):
                return view(*args, **kwargs)

        gated.gate_action = action  # type: ignore[attr-defined]
        return login_required(gated)  # type: ignore[return-value]

    return decorator
