"""GET /api/v1/tariffs/{caf}: the published tariff, open to all before any request."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView

from gateway.api.blueprint import Blueprint
from gateway.api.tariffs.schemas import PublishedTariffSchema
from gateway.services.pricing import schedules as pricing_schedules
from gateway.state import request_session

blp = Blueprint("tarifs", __name__, url_prefix="/tariffs", description="Tarifs publiés")


@blp.route("/<string:caf>")
class PublishedTariff(MethodView):
    @blp.response(200, PublishedTariffSchema)
    def get(self, caf: str) -> dict[str, Any]:
        """Lire le barème en vigueur d'une Caf et ses versions (sans authentification)."""
        return pricing_schedules.published(request_session(), caf, date.today())
