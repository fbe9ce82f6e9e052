"""What every API request goes through before its view parses anything.

First the route's gate: who calls, and may its role ever perform the action (an anonymous
caller gets 401 and a requester on an administrators' route 403, whatever the body holds).
A URL longer than any the API needs gets 414 (gunicorn leaves that check to the app).
Then, for routes that read a JSON body, the body itself: JSON media type (else 415) and
well-formed, reasonably nested JSON (else 400). Only then do the schemas validate fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from webargs.core import is_json
from werkzeug.exceptions import RequestURITooLarge, UnsupportedMediaType

from gateway.api.auth import Gate, admit, meter_open_route
from gateway.api.blueprint import gate_of, view_of_request
from gateway.links import API_PREFIX
from policies.errors import DomainError

#: Longer than any URL the API needs (a France-wide list of codes goes in a POST body).
MAX_URL_LENGTH = 8192
#: Deeper than any request the API describes, shallow enough for any parser's stack.
MAX_JSON_DEPTH = 32


class MalformedJson(DomainError):
    code = "json_invalide"
    title = "Requête invalide"
    http_status = 400


def reads_json_body(view: Callable[..., Any]) -> bool:
    """Tell whether the view declares a JSON body (flask-smorest's `arguments` documentation)."""
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(parameter.get("in") == "json" for parameter in parameters)


def check_json_body() -> None:
    """Refuse a body that is not JSON (415), malformed or too deeply nested (400)."""
    body = request.get_data(cache=True)
    if not body.strip():
        return  # no body: the schema names the missing fields
    if not is_json(request.mimetype):
        raise UnsupportedMediaType()
    try:
        document = json.loads(body.decode("utf-8"))  # as the parser reads it, not UTF-16
    except UnicodeDecodeError as error:
        raise MalformedJson("Le corps de la requête n'est pas encodé en UTF-8.") from error
    except json.JSONDecodeError as error:
        raise MalformedJson(
            f"Le corps de la requête n'est pas du JSON valide (ligne {error.lineno}, "
            f"colonne {error.colno})."
        ) from error
    except RecursionError as error:
        raise _too_deep() from error
    if _depth(document) > MAX_JSON_DEPTH:
        raise _too_deep()


def _too_deep() -> MalformedJson:
    return MalformedJson(
        f"Le JSON envoyé est imbriqué trop profondément (au plus {MAX_JSON_DEPTH} niveaux)."
    )


def _depth(document: Any) -> int:
    """Return the nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return deepest


def before_parsing() -> None:
    """Run the route's gate, then check its JSON body: before any schema sees the request."""
    if len(request.full_path) > MAX_URL_LENGTH:
        raise RequestURITooLarge()
    view = view_of_request()
    if view is None:
        return
    spec = gate_of(view)
    if isinstance(spec, Gate):
        admit(spec)
    elif request.path.startswith(API_PREFIX):
        meter_open_route()  # no gate, yet counted as one would count it
    if request.method in ("POST", "PUT", "PATCH") and reads_json_body(view):
        check_json_body()


def init_intake(app: Flask) -> None:
    app.before_request(before_parsing)
