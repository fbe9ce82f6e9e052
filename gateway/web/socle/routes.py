"""GET /socle: the socle commun by indicator and territory, through the API's own service call.

The page reads its form, then calls exactly what `GET /api/v1/socle/{indicator}` calls
(`extracts.socle_slice(PUBLIC, extracts.socle_body(...))`): the same publication, the same
refusals, the same cells. Its data twin links that API call in every format.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy.orm import Session

from gateway.api.auth import gate
from gateway.delivery import FORMATS
from gateway.links import socle_url
from gateway.pipeline.socle import published_levels
from gateway.services.access.matrix import matrix_in_force
from gateway.services.catalogue import views as catalogue
from gateway.services.extracts import service as extracts
from gateway.services.territories import queries as reference
from gateway.state import request_session
from gateway.web.labels import LEVEL_LABELS
from gateway.web.socle.form import FRANCE_PARENT, Choices, SocleQuery, form_field, read_query
from gateway.web.socle.table import socle_table
from gateway.web.twin import data_twin
from policies.access import PUBLIC, Action
from policies.catalogue import Catalogue
from policies.domain import GeoLevel, Tier
from policies.errors import DomainError, InvalidInput, NotFound

blp = Blueprint("socle_commun", __name__, url_prefix="/socle")

#: The formats the page links, in the order a reader looks for them.
FORMAT_ORDER = ("csv", "csv-fr", "xlsx", "pdf", "json", "jsonstat", "sdmx-csv")
SEARCH_LIMIT = 10


@blp.get("")
@gate(Action.SOCLE_READ, public=True)
def socle() -> tuple[str, int]:
    """Show the form; with an indicator, the table, chart, downloads and API call."""
    session = request_session()
    current = catalogue.catalogue_in_force(session)
    choices = socle_choices(session, current)
    context: dict[str, Any] = {
        "choices": choices,
        "query": SocleQuery(indicator=choices.indicators[0][0] if choices.indicators else ""),
        "matches": territory_matches(session, choices, request.args.get("q", "")),
        "search": request.args.get("q", ""),
    }
    if "indicator" not in request.args:
        return render_template("socle/index.html", **context), 200
    query = context["query"] = read_query(request.args, choices)
    if query.errors:
        return render_template("socle/index.html", **context), 422
    breakdowns: tuple[str, ...] = ()
    if query.detail and query.indicator in current:
        breakdowns = current.get(query.indicator).breakdowns
    body = extracts.socle_body(query.indicator, {**query.api_args(breakdowns), "format": "json"})
    try:
        delivery = extracts.socle_slice(PUBLIC, body)
    except InvalidInput as error:
        context["query"] = _with_errors(query, error)
        return render_template("socle/index.html", **context), error.http_status
    except DomainError as error:
        context["refusal"] = error
        return render_template("socle/index.html", **context), error.http_status
    formats = [name for name in FORMAT_ORDER if name in FORMATS]
    context |= {
        "table": socle_table(delivery, query.periods),
        "place": _place(query, choices),
        "twin": data_twin(socle_url(query.indicator), query.api_params(breakdowns), formats),
    }
    return render_template("socle/index.html", **context), 200


def socle_choices(session: Session, current: Catalogue) -> Choices:
    """Return what the form offers: the socle's indicators, its levels, the parents."""
    regions = reference.list_territories(
        session, reference.TerritoryFilter(level=GeoLevel.REGION.value), 1, 100
    ).items
    departements = reference.list_territories(
        session, reference.TerritoryFilter(level=GeoLevel.DEPARTEMENT.value), 1, 200
    ).items
    return Choices(
        indicators=tuple(
            (ind.code, f"{ind.label} ({ind.code})")
            for ind in current.filter(tier=Tier.SOCLE_COMMUN)
        ),
        levels=tuple(
            (level.value, LEVEL_LABELS[level])
            for level in published_levels(matrix_in_force(session))
        ),
        parents=(
            ("France", ((FRANCE_PARENT, "France entière"),)),
            ("Régions", tuple((f"region:{t.code}", f"{t.name} ({t.code})") for t in regions)),
            (
                "Départements",
                tuple((f"departement:{t.code}", f"{t.name} ({t.code})") for t in departements),
            ),
        ),
    )


def territory_matches(session: Session, choices: Choices, text: str) -> list[Any]:
    """Find the territories of the published levels whose name or code matches `text`."""
    text = text.strip()[:100]
    if not text:
        return []
    found: dict[tuple[str, str], Any] = {}
    for level, _ in choices.levels:
        try:  # a code typed as such comes first
            territory = reference.get_territory(session, level, text.upper()).territory
            found[(level, territory.code)] = territory
        except NotFound:
            pass
        named = reference.TerritoryFilter(level=level, q=text)
        for territory in reference.list_territories(session, named, 1, SEARCH_LIMIT).items:
            found.setdefault((level, territory.code), territory)
    return list(found.values())[:SEARCH_LIMIT]


def _with_errors(query: SocleQuery, error: InvalidInput) -> SocleQuery:
    """Put the pipeline's field errors beside the form's fields (the rest at the top)."""
    errors = dict(query.errors)
    for api_field, messages in (error.errors or {}).items():
        errors[form_field(api_field, query)] = " ".join(messages)
    if not errors:
        errors[""] = error.detail
    return SocleQuery(**{**query.__dict__, "errors": errors})


def _place(query: SocleQuery, choices: Choices) -> str:
    level = dict(choices.levels).get(query.level, query.level)
    if query.codes:
        return f"{level} : {', '.join(query.codes)}"
    return f"{level} de : {choices.parent_label(query.parent)}"
