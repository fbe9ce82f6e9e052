"""GET /api/v1/socle/{indicator}: a slice of the socle commun publication of the current vintage."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, request
from flask.views import MethodView

from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.api.extracts.routes import FILE_RESPONSES, file_response
from gateway.api.extracts.schemas import DeliveredSchema, SocleQuerySchema
from gateway.services.extracts import service as extracts
from policies.access import PUBLIC, Action

blp = Blueprint("socle", __name__, url_prefix="/socle", description="Socle commun (libre)")


@blp.route("/<string:indicator>")
class Socle(MethodView):
    @gate(Action.SOCLE_READ, public=True)
    @blp.arguments(SocleQuerySchema, location="query")
    @blp.response(200, DeliveredSchema)
    @blp.doc(responses=FILE_RESPONSES)
    def get(self, args: dict[str, Any], indicator: str) -> Response:
        """Lire un indicateur du socle commun, protégé, avec sa note explicative."""
        delivery = extracts.socle_slice(PUBLIC, extracts.socle_body(indicator, args))
        content, media_type, name = extracts.rendered(delivery, args["format"])
        response = file_response(content, media_type, name)
        # One publication per data vintage, the same for everyone: cacheable by anyone.
        response.headers["X-Extrait"] = delivery.header.extract_id
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.set_etag(hashlib.sha256(content).hexdigest()[:32])
        response.make_conditional(request)  # 304 when the client holds this publication
        return response
