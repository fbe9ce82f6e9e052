"""The HTTP API: flask-smorest with problem-details errors, blueprints registered from one tuple."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from gateway.api.problems import ProblemSchema, http_problem

API_PREFIX = "/api/v1"


class GatewayApi(Api):
    """flask-smorest's Api, documenting and emitting the gateway's one error body."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def handle_http_exception(self, error: HTTPException):  # type: ignore[no-untyped-def,override]
        return http_problem(error)


def api_settings() -> dict[str, object]:
    """OpenAPI settings: the document at /api/v1/openapi.json and a docs page at /api/v1/docs."""
    return {
        "API_TITLE": "Passerelle de diffusion des données des Caf",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": (
                    "Indicateurs agrégés des Caf diffusés sous la doctrine de diffusion et le "
                    "secret statistique. Toutes les erreurs suivent la RFC 9457 "
                    "(application/problem+json)."
                )
            },
            "components": {
                "securitySchemes": {
                    "cleApi": {"type": "http", "scheme": "bearer", "description": "Clé d'API"}
                }
            },
        },
    }


def init_api(app: Flask) -> GatewayApi:
    """Create the API and register every blueprint of the gateway."""
    from gateway.api.blueprints import BLUEPRINTS

    app.config.update(api_settings())
    api = GatewayApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
    return api
