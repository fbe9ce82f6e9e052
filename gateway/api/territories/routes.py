"""GET /api/v1/territories and /api/v1/territories/{level}/{code}."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.blueprint import Blueprint
from gateway.api.caching import TERRITORIES_MAX_AGE, revalidated
from gateway.api.territories.schemas import (
    TerritoryDetailSchema,
    TerritoryPageSchema,
    TerritoryQuerySchema,
)
from gateway.services.territories import queries as reference
from gateway.state import request_session

blp = Blueprint(
    "territoires", __name__, url_prefix="/territories", description="Géographie de référence"
)


@blp.route("")
class Territories(MethodView):
    @revalidated(TERRITORIES_MAX_AGE)
    @blp.arguments(TerritoryQuerySchema, location="query")
    @blp.response(200, TerritoryPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les territoires (filtres : niveau, parent, nom ; paginé)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        result = reference.list_territories(
            request_session(), reference.TerritoryFilter(**args), page, per_page
        )
        return result.as_dict()


@blp.route("/<string:level>/<string:code>")
class TerritoryDetail(MethodView):
    @revalidated(TERRITORIES_MAX_AGE)
    @blp.response(200, TerritoryDetailSchema)
    def get(self, level: str, code: str) -> dict[str, Any]:
        """Décrire un territoire avec ses parents et ses enfants directs."""
        detail = reference.get_territory(request_session(), level, code)
        territory = detail.territory
        return {
            "level": territory.level,
            "code": territory.code,
            "name": territory.name,
            "population": territory.population,
            "parents": detail.parents,
            "children": detail.children,
        }
