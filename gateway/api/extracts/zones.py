"""POST/GET /api/v1/zones: a requester's custom zones (sets of communes)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from gateway import get_settings
from gateway.api.auth import current_actor, gate
from gateway.api.extracts.schemas import (
    CustomZoneCreateSchema,
    CustomZoneListSchema,
    CustomZoneSchema,
)
from gateway.db import get_database, request_session
from gateway.services import extracts

blp = Blueprint("zones", __name__, url_prefix="/zones", description="Zones personnalisées")


def _requester_id() -> int:
    requester_id = current_actor().requester_id
    assert requester_id is not None  # the gates of these routes refuse anonymous callers
    return requester_id


@blp.route("")
class Zones(MethodView):
    @blp.arguments(CustomZoneCreateSchema)
    @blp.response(201, CustomZoneSchema)
    @gate("zone_create")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Créer une zone personnalisée (ensemble de communes).

        Refusée (422, `secret.differenciation`) si elle ne diffère d'une autre de vos zones,
        ou d'un territoire qui vous a déjà été diffusé, que par des communes comptant moins
        d'habitants que la taille minimale d'une zone : elle ne pourrait pas être utilisée.
        """
        from flask import current_app

        pipeline = extracts.pipeline()
        minimum = get_settings(current_app).zone_min_population
        with get_database().transaction() as session:
            zone = extracts.create_zone(
                session,
                _requester_id(),
                body["name"],
                body["communes"],
                pipeline.geography,
                minimum,
            )
            return extracts.describe_zone(session, zone, pipeline.geography)

    @blp.response(200, CustomZoneListSchema)
    @gate("zone_read")
    def get(self) -> dict[str, Any]:
        """Lister ses zones personnalisées."""
        session, geography = request_session(), extracts.pipeline().geography
        zones = extracts.list_zones(session, _requester_id())
        return {"items": [extracts.describe_zone(session, z, geography) for z in zones]}


@blp.route("/<int:zone_id>")
class ZoneDetail(MethodView):
    @blp.response(200, CustomZoneSchema)
    @gate("zone_read")
    def get(self, zone_id: int) -> dict[str, Any]:
        """Lire une zone personnalisée."""
        session = request_session()
        zone = extracts.get_zone(session, _requester_id(), zone_id)
        return extracts.describe_zone(session, zone, extracts.pipeline().geography)
