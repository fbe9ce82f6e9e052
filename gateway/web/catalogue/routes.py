"""GET /catalogue (indicators by axis, family, sub-family) and /catalogue/<code> (the fiche)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from gateway.links import api_url
from gateway.services.catalogue import views as catalogue
from gateway.state import request_session
from gateway.web import labels
from gateway.web.catalogue.views import parse_filters, secrecy_lines, tree
from gateway.web.twin import data_twin
from policies.catalogue import FICHE_HEADINGS

blp = Blueprint("catalogue", __name__, url_prefix="/catalogue")


@blp.get("")
def index() -> tuple[str, int]:
    """List the indicators the API lists, with the same filters (axis, tier, source)."""
    query, filters, errors = parse_filters(request.args)
    current = catalogue.catalogue_in_force(request_session())
    indicators = () if errors else current.filter(query.axis, query.tier, query.source)
    twin = data_twin(api_url("/indicators"), query.params())
    return render_template(
        "catalogue/index.html",
        filters=filters,
        errors=errors,
        groups=tree(indicators),
        count=len(indicators),
        twin=twin,
        labels=labels,
    ), (422 if errors else 200)


@blp.get("/<string:code>")
def fiche(code: str) -> str:
    """Show one indicator's fiche: definition, source, tier, secrecy, interpretation."""
    current = catalogue.catalogue_in_force(request_session())
    indicator = current.get(code)  # NotFound: the 404 page says which code
    return render_template(
        "catalogue/fiche.html",
        indicator=indicator,
        breakdowns=[current.breakdown(b) for b in indicator.breakdowns],
        fiche_headings=FICHE_HEADINGS,
        secrecy=secrecy_lines(indicator),
        twin=data_twin(api_url(f"/indicators/{indicator.code}")),
        labels=labels,
    )
