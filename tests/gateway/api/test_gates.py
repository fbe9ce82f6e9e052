"""One gate per action: every route of the API is gated exactly once, or explicitly public."""

from __future__ import annotations

from flask import Flask

from policies.access import ACTIONS

# Read-only reference endpoints, open to all without a key (the doctrine's public material).
OPEN_ENDPOINTS = {
    "sante.Health",
    "territoires.Territories",
    "territoires.TerritoryDetail",
    "indicateurs.Indicators",
    "indicateurs.IndicatorDetail",
    "tarifs.PublishedTariff",
    "api-docs.openapi_json",
    "api-docs.openapi_swagger_ui",
    "documentation.static",  # Swagger UI's scripts and styles
    "static",
}


def _gates(app: Flask, endpoint: str) -> list[str]:
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return [getattr(view, "gate_action", None)]
    return [
        getattr(getattr(view_class, method.lower()), "gate_action", None)
        for method in view_class.methods
    ]


def test_every_route_has_one_known_gate(sqlite_app: Flask) -> None:
    ungated = []
    for rule in sqlite_app.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        for action in _gates(sqlite_app, rule.endpoint):
            if action not in ACTIONS:
                ungated.append((rule.rule, action))
    assert ungated == []
