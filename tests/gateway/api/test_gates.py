"""One gate per action: every route of the API is gated exactly once, or explicitly public.

Every action is used, every read of the API and every page shown by a GET is gated by a read
action, and the gate is the outermost decorator of every route.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask
from flask.views import MethodView

from gateway.api import API_PREFIX
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint, misplaced_gates
from gateway.config import REPO_ROOT
from policies.access import ACTIONS, Action

# Read-only reference endpoints, open to all without a key (the doctrine's public material).
OPEN_ENDPOINTS = {
    "sante.Health",
    "territoires.Territories",
    "territoires.TerritoryDetail",
    "indicateurs.Indicators",
    "indicateurs.IndicatorDetail",
    "catalogue_dcat.OpenDataCatalogue",  # the open-data catalogue: the same, for portals
    "tarifs.PublishedTariff",
    "api-docs.openapi_json",
    "api-docs.openapi_swagger_ui",
    "documentation.static",  # Swagger UI's scripts and styles
    "static",
    # The portal's public pages over the same reference material (gateway/web), its assets.
    "portail.static",
    "accueil.home",
    "catalogue.index",
    "catalogue.fiche",
    # People's accounts (gateway/web/account): what one does before signing in, and signing out.
    "compte.sign_in",
    "compte.sign_in_submit",
    "compte.sign_out",
    "compte.forgotten",
    "compte.forgotten_submit",
    "compte.forgotten_sent",
    "compte.reset",
    "compte.reset_submit",
    "compte.invitation",
    "compte.invitation_submit",
    "compte.access_request",
    "compte.access_request_submit",
    "compte.access_request_sent",
}


def _action(function: object) -> str | None:
    spec = getattr(function, "gate", None)
    return str(spec.action) if spec is not None else getattr(function, "gate_action", None)


def _gates(app: Flask, endpoint: str) -> list[str | None]:
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return [_action(view)]
    return [_action(getattr(view_class, method.lower())) for method in view_class.methods]


def _api_methods(app: Flask) -> Iterator[tuple[str, str, Any]]:
    """Yield (rule, method, function) of every method of the API's MethodViews."""
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        if rule.rule.startswith(API_PREFIX) and view_class is not None:
            for method in sorted(view_class.methods or ()):
                yield rule.rule, method, getattr(view_class, method.lower())


def _page_gates(app: Flask) -> Iterator[tuple[str, str, str]]:
    """Yield (rule, method, action) of every gated page of the portal (gateway/web)."""
    for rule in app.url_map.iter_rules():
        action = getattr(app.view_functions[rule.endpoint], "gate_action", None)
        if not rule.rule.startswith(API_PREFIX) and action is not None:
            for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"}):
                yield rule.rule, method, str(action)


def test_every_route_has_one_known_gate(sqlite_app: Flask) -> None:
    ungated = []
    for rule in sqlite_app.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        for action in _gates(sqlite_app, rule.endpoint):
            if action not in ACTIONS:
                ungated.append((rule.rule, action))
    assert ungated == []


def test_every_read_of_the_api_is_gated_by_a_read_action(sqlite_app: Flask) -> None:
    """A GET never borrows a write action's gate: it has one of its own, `..._read`."""
    borrowed = [
        (rule, action)
        for rule, method, function in _api_methods(sqlite_app)
        if method == "GET" and (action := _action(function)) and not action.endswith("_read")
    ]
    assert borrowed == []


def test_every_page_shown_by_a_get_is_gated_by_a_read_action(sqlite_app: Flask) -> None:
    """A portal page follows the API's rule: showing is reading, with an action of its own."""
    gated = list(_page_gates(sqlite_app))
    borrowed = [
        (rule, action)
        for rule, method, action in gated
        if method == "GET" and not action.endswith("_read")
    ]
    assert gated and borrowed == []


def _used_in_source() -> set[str]:
    """Return the actions the gateway's code names: `Action.X`, or the action's name."""
    names = {action.name: action.value for action in Action}
    used: set[str] = set()
    for path in (REPO_ROOT / "gateway").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in names:
                if isinstance(node.value, ast.Name) and node.value.id == "Action":
                    used.add(names[node.attr])
            elif isinstance(node, ast.Constant) and node.value in ACTIONS:
                used.add(str(node.value))
    return used


def test_every_action_is_used_by_a_route_or_a_service(sqlite_app: Flask) -> None:
    """No action is declared for nothing: a route gates on it, or a service records it."""
    gated = {action for _, _, function in _api_methods(sqlite_app) if (action := _action(function))}
    gated |= {action for _, _, action in _page_gates(sqlite_app)}
    assert sorted(set(ACTIONS) - gated - _used_in_source()) == []


def test_the_gate_is_the_outermost_decorator_of_every_route(sqlite_app: Flask) -> None:
    """Nothing of a route runs before its gate: no decorator wraps it."""
    misplaced, gated = [], 0
    for rule, method, function in _api_methods(sqlite_app):
        if getattr(function, "gate", None) is not None:
            gated += 1
            wrapped = getattr(function, "__wrapped__", None)
            if getattr(wrapped, "gate", None) is not None:
                misplaced.append(f"{method} {rule}")
    assert gated > 40 and misplaced == []


class _Body(ma.Schema):
    name = ma.fields.String()


def test_a_route_whose_gate_is_wrapped_is_refused_when_registered() -> None:
    blp = Blueprint("essai", __name__)

    class Wrapped(MethodView):
        @blp.arguments(_Body)
        @gate(Action.ME_READ)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return body

    assert misplaced_gates(Wrapped) == ["POST"]
    with pytest.raises(TypeError, match="outermost"):
        blp.route("/essai")(Wrapped)


def test_a_gate_over_arguments_parsed_without_the_gateway_blueprint_is_refused() -> None:
    import flask_smorest

    plain = flask_smorest.Blueprint("brut", __name__)
    with pytest.raises(TypeError, match=r"gateway\.api\.blueprint\.Blueprint"):

        class Unchecked(MethodView):
            @gate(Action.ME_READ)
            @plain.arguments(_Body)
            def post(self, body: dict[str, Any]) -> dict[str, Any]:
                return body


def test_a_gate_names_a_known_action() -> None:
    with pytest.raises(ValueError):
        gate("extract_delete")  # type: ignore[arg-type]


def test_the_change_log_records_only_actions_of_the_vocabulary() -> None:
    """A change names one of the gateway's actions: an unknown name is refused before writing."""
    from gateway.services.audit.changes import record_change

    with pytest.raises(ValueError, match="convention_delete"):
        record_change(
            None,  # type: ignore[arg-type]  # refused before the session is used
            actor_id=None,
            action="convention_delete",  # type: ignore[arg-type]
            entity="convention",
            entity_id=1,
            caf_code=None,
            before=None,
            after=None,
        )
