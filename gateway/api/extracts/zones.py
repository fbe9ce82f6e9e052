"""POST/GET /api/v1/zones: a requester's custom zones (sets of communes)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.auth import gate, own_requester_id
from gateway.api.blueprint import Blueprint
from gateway.api.extracts.schemas import (
    CustomZoneCreateSchema,
    CustomZoneListSchema,
    CustomZoneSchema,
)
from gateway.services.extracts import zones
from gateway.state import app_state, request_session
from policies.access import Action

blp = Blueprint("zones", __name__, url_prefix="/zones", description="Zones personnalisées")


@blp.route("")
class Zones(MethodView):
    @gate(Action.ZONE_CREATE)
    @blp.arguments(CustomZoneCreateSchema)
    @blp.response(201, CustomZoneSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Créer une zone personnalisée (ensemble de communes).

        Refusée (422, `secret.differenciation`) si elle ne diffère d'une autre de vos zones,
        ou d'un territoire qui vous a déjà été diffusé, que par des communes comptant moins
        d'habitants que la taille minimale d'une zone : elle ne pourrait pas être utilisée.
        """

        state = app_state()
        with state.database.transaction() as session:
            zone = zones.create_zone(
                session,
                own_requester_id(),
                body["name"],
                body["communes"],
                state.geography,
                state.settings.zone_min_population,
            )
            return zones.describe_zone(session, zone, state.geography)

    @gate(Action.ZONE_READ)
    @blp.response(200, CustomZoneListSchema)
    def get(self) -> dict[str, Any]:
        """Lister ses zones personnalisées."""
        session, geography = request_session(), app_state().geography
        found = zones.list_zones(session, own_requester_id())
        return {"items": [zones.describe_zone(session, z, geography) for z in found]}


@blp.route("/<int:zone_id>")
class ZoneDetail(MethodView):
    @gate(Action.ZONE_READ)
    @blp.response(200, CustomZoneSchema)
    def get(self, zone_id: int) -> dict[str, Any]:
        """Lire une zone personnalisée."""
        session = request_session()
        zone = zones.get_zone(session, own_requester_id(), zone_id)
        return zones.describe_zone(session, zone, app_state().geography)
