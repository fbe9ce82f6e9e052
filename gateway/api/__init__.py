"""The HTTP API: flask-smorest with problem-details errors, blueprints registered from one tuple."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_swagger_ui
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from gateway.api.blueprints import BLUEPRINTS
from gateway.api.intake import init_intake
from gateway.api.problems import PROBLEM_MIME, ProblemSchema, http_problem
from gateway.links import API_PREFIX

#: Swagger UI's scripts and styles, installed from PyPI with the project (no CDN: the docs
#: page must work on a network without internet access).
SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_UI_ASSETS = API_PREFIX + "/docs/assets"


class ProblemResponses(MarshmallowPlugin):
    """The marshmallow plugin, documenting every error response as a problem document."""

    def operation_helper(self, path: Any = None, operations: Any = None, **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if _is_error(status) and isinstance(response, dict) and "$ref" not in response:
                    response["content"] = {PROBLEM_MIME: {"schema": ProblemSchema}}
        super().operation_helper(path=path, operations=operations, **kwargs)


def _is_error(status: object) -> bool:
    return str(status) == "default" or str(status)[:1] in ("4", "5")


class GatewayApi(Api):  # type: ignore[misc]  # flask-smorest ships no type information
    """flask-smorest's Api, documenting and emitting the gateway's one error body."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_problem(error)

    def _register_responses(self) -> None:
        """Register flask-smorest's shared error responses as problem documents."""
        original = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIME
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = original


def api_settings() -> dict[str, object]:
    """OpenAPI settings: the document at /api/v1/openapi.json and a docs page at /api/v1/docs."""
    return {
        "API_TITLE": "Passerelle de diffusion des données des Caf",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": SWAGGER_UI_ASSETS + "/",
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
    app.config.update(api_settings())
    api = GatewayApi(app, spec_kwargs={"marshmallow_plugin": ProblemResponses()})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
    app.register_blueprint(
        Blueprint(
            "documentation",
            __name__,
            static_folder=SWAGGER_UI_DIST,
            static_url_path=SWAGGER_UI_ASSETS,
        )
    )
    init_intake(app)
    return api
