"""GET /api/v1/health: is the gateway able to serve (database reachable, store readable)?"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import text

from gateway.api.blueprint import Blueprint
from gateway.api.schemas import Schema
from gateway.state import app_state
from policies.errors import DomainError

blp = Blueprint("sante", __name__, url_prefix="/health", description="État du service")


class ServiceUnavailable(DomainError):
    code = "service_indisponible"
    title = "Service indisponible"
    http_status = 503


class HealthSchema(Schema):
    status = ma.fields.String(metadata={"example": "ok"})
    database = ma.fields.String(metadata={"example": "ok"})


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="Base de données injoignable")
    def get(self) -> dict[str, str]:
        """Vérifier que le service et sa base de données répondent."""
        try:
            with app_state().database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            raise ServiceUnavailable("La base de données ne répond pas.") from error
        return {"status": "ok", "database": "ok"}
