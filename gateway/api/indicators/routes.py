"""GET /api/v1/indicators and /api/v1/indicators/{code} (the fiche)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.blueprint import Blueprint
from gateway.api.caching import CATALOGUE_MAX_AGE, revalidated
from gateway.api.indicators.schemas import (
    IndicatorListSchema,
    IndicatorQuerySchema,
    IndicatorSchema,
)
from gateway.services.catalogue import views as catalogue
from gateway.state import request_session

blp = Blueprint(
    "indicateurs", __name__, url_prefix="/indicators", description="Catalogue des indicateurs"
)


@blp.route("")
class Indicators(MethodView):
    @revalidated(CATALOGUE_MAX_AGE)
    @blp.arguments(IndicatorQuerySchema, location="query")
    @blp.response(200, IndicatorListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les indicateurs (filtres : axe, palier de diffusion, source)."""
        items = catalogue.catalogue_in_force(request_session()).filter(**args)
        return {"items": [catalogue.describe(i) for i in items], "total": len(items)}


@blp.route("/<string:code>")
class IndicatorDetail(MethodView):
    @revalidated(CATALOGUE_MAX_AGE)
    @blp.response(200, IndicatorSchema)
    def get(self, code: str) -> dict[str, Any]:
        """Lire la fiche d'un indicateur."""
        current = catalogue.catalogue_in_force(request_session())
        return catalogue.describe(current.get(code), current)
