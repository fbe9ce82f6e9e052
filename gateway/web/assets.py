"""The portal's shared parts: templates, static assets, navigation and template helpers.

The front-end libraries are installed by the project's own `package.json` (npm, exact
versions) and copied into `static/vendor/` by `make assets`; the gateway serves them itself,
never from a CDN. Without them the pages still work: JavaScript only enhances.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Blueprint, request, url_for

from gateway.links import api_url
from gateway.web.twin import KEY_PLACEHOLDER
from tariffs.money import format_number

PORTAL_NAME = "Passerelle de diffusion des données des Caf"
STATIC_DIR = Path(__file__).parent / "static"
#: Files `make assets` copies from node_modules (see the Makefile); a page loads those present.
VENDOR_SCRIPTS = ("htmx.min.js", "echarts.common.min.js")

blp = Blueprint(
    "portail",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


@dataclass(frozen=True)
class NavItem:
    """A link of the header's navigation; `area` is the blueprint that makes it current."""

    endpoint: str
    label: str
    area: str


NAVIGATION = (
    NavItem("accueil.home", "Accueil", "accueil"),
    NavItem("catalogue.index", "Catalogue des indicateurs", "catalogue"),
    NavItem("socle_commun.socle", "Socle commun", "socle_commun"),
)
#: The API's documentation page (served by flask-smorest, outside the portal's blueprints).
API_DOCS_PATH = api_url("/docs")


def vendor_scripts() -> tuple[str, ...]:
    """Return the vendored scripts present on disk (absent before `make assets`)."""
    return tuple(name for name in VENDOR_SCRIPTS if (STATIC_DIR / "vendor" / name).is_file())


def french_number(value: float | int | None, places: int = 0) -> str:
    """Format a number the French way ("1 234,56"), with `places` decimals."""
    if value is None:
        return ""
    return format_number(Decimal(repr(value)), places)


def chosen_values(value: object) -> list[str]:
    """Return the chosen values of a field as text: one value, or each of a list."""
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    return [str(v) for v in value] if isinstance(value, list | tuple | set | frozenset) else []


def reason_items(reasons: Iterable[Any]) -> list[dict[str, str]]:
    """Return a refusal's reasons as {message, solution, regle}, whatever their form."""
    items = []
    for reason in reasons:
        if hasattr(reason, "problem_member"):  # policies.refusals.Refusal
            items.append(dict(reason.problem_member()))
        elif isinstance(reason, Mapping):
            items.append({str(k): str(v) for k, v in reason.items()})
        else:
            items.append({"message": str(reason)})
    return items


@blp.app_context_processor
def portal_context() -> dict[str, Any]:
    """Give every template the portal's name, navigation and available scripts."""
    return {
        "portal_name": PORTAL_NAME,
        "navigation": [
            {
                "url": url_for(item.endpoint),
                "label": item.label,
                "current": request.blueprint == item.area,
            }
            for item in NAVIGATION
        ],
        "api_docs_url": API_DOCS_PATH,
        "key_placeholder": KEY_PLACEHOLDER,
        "vendor_scripts": vendor_scripts(),
    }


blp.add_app_template_filter(french_number, "nombre")
blp.add_app_template_global(chosen_values, "chosen_values")
blp.add_app_template_filter(reason_items, "motifs")
