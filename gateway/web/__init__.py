"""The web portal: server-rendered French pages over the same services as the API.

`register(app)` adds the portal to the application: the templates and assets (blueprint
`portail`), every page blueprint from one explicit tuple, and the HTML error pages (API paths
keep their problem documents). Page areas live in `gateway/web/<area>/`; templates in
`gateway/web/templates/`, shared by every area (`base.html`, `macros/`).
"""

from __future__ import annotations

from flask import Flask

from gateway.web.errors import register_error_pages


def register(app: Flask) -> None:
    """Register the portal's assets, its page blueprints and its error pages."""
    from gateway.web.blueprints import WEB_BLUEPRINTS

    for blueprint in WEB_BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_pages(app)
