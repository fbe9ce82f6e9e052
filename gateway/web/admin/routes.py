"""/administration: the console's pages, each section's routes from its own module.

A section module lists its routes as `ROUTES`: (rule, endpoint, view, methods). Endpoints
other areas link to: `administration.home` (the worklist).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from gateway.web.admin import (
    convention_pages,
    organisation_pages,
    record_pages,
    rule_pages,
    tariff_pages,
    worklist_pages,
)

blp = Blueprint("administration", __name__, url_prefix="/administration")

SECTIONS = (
    worklist_pages,
    organisation_pages,
    convention_pages,
    tariff_pages,
    rule_pages,
    record_pages,
)
for section in SECTIONS:
    for rule, endpoint, view, methods in section.ROUTES:
        blp.add_url_rule(rule, endpoint, view, methods=list(methods))

#: The console's navigation: (endpoint, label), shown once its section has pages.
NAVIGATION = (
    ("administration.home", "À traiter"),
    ("administration.organisations", "Organisations"),
    ("administration.conventions", "Conventions"),
    ("administration.tariffs", "Tarifs"),
    ("administration.rules", "Règles"),
    ("administration.record", "Registre"),
)


@blp.context_processor
def _console() -> dict[str, Any]:
    def has_page(endpoint: str) -> bool:
        return endpoint in current_app.view_functions

    return {
        "console_sections": [(e, label) for e, label in NAVIGATION if has_page(e)],
        "has_page": has_page,
    }
