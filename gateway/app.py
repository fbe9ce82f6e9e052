"""The one assembly point: `create_app` builds an app and its state, registers every part."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from gateway.api import init_api
from gateway.api.auth import init_auth
from gateway.api.problems import register_error_handlers
from gateway.config import load_settings
from gateway.logs import configure_logging, init_request_ids
from gateway.state import build_state, init_state
from gateway.web import register as register_web
from gateway.web.account.security import init_accounts


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults, then the environment, then `config` (tests)."""
    settings = load_settings(config)
    configure_logging(settings.log_level)
    app = Flask("gateway", instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        TESTING=settings.env == "test",
    )
    init_state(app, build_state(settings))
    app.url_map.converters["int"] = IdConverter
    init_request_ids(app)
    register_error_handlers(app)
    init_auth(app, settings)
    init_api(app)
    register_web(app)  # after the API: its error pages wrap the API's handlers
    init_accounts(app, settings)  # after the API: its blueprints are exempt from CSRF
    return app


class IdConverter(IntegerConverter):
    """Path ids fit the databases' 32-bit integer keys; larger ones simply match no route."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)
