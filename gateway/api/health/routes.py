"""GET /api/v1/health: can the gateway serve? Database readable and writable, store, job queue."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from gateway.api.blueprint import Blueprint
from gateway.api.schemas import Schema
from gateway.state import app_state
from policies.errors import DomainError

blp = Blueprint("sante", __name__, url_prefix="/health", description="État du service")

_NAMES = {
    "database": "base de données",
    "store": "entrepôt de cellules",
    "store_sync": "version de l'entrepôt",
    "queue": "file des travaux",
    "rate_limits": "compteurs des limites de débit",
}


class ServiceUnavailable(DomainError):
    code = "service_indisponible"
    title = "Service indisponible"
    http_status = 503

    def __init__(
        self, detail: str, components: dict[str, str], details: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        # The versions (served, expected...) beside the states: what a 503 is about.
        self.extra = {"components": components, **(details or {})}
        self.headers = {"Retry-After": "5", "Cache-Control": "no-store"}


class HealthSchema(Schema):
    status = ma.fields.String(metadata={"example": "ok"})
    database = ma.fields.String(metadata={"example": "ok"})
    store = ma.fields.String(metadata={"example": "ok"})
    store_version = ma.fields.String(metadata={"example": "20240131T120000Z"})
    expected_store_version = ma.fields.String(
        metadata={
            "description": "Version de l'entrepôt attendue (la dernière publiée), si publiée",
            "example": "20240131T120000Z",
        }
    )
    store_sync = ma.fields.String(
        metadata={"description": "Version servie comparée à la version attendue", "example": "ok"}
    )
    queue = ma.fields.String(metadata={"example": "embedded"})
    travailleurs = ma.fields.String(
        metadata={"description": "Travailleurs vivants de la file (PostgreSQL)", "example": "2"}
    )
    rate_limits = ma.fields.String(
        metadata={"description": "Compteurs des limites de débit (fichier ou Redis)"}
    )


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="Un composant est en défaut : il est nommé")
    def get(self) -> Any:
        """Vérifier que la base (lecture et écriture), l'entrepôt et la file répondent."""
        components = app_state().health()
        states = {c.name: c.state for c in components}
        details = {name: value for c in components for name, value in c.details}
        failing = [c for c in components if not c.ok]
        if failing:
            named = "; ".join(f"{_NAMES.get(c.name, c.name)} : {c.state}" for c in failing)
            raise ServiceUnavailable(f"Composant en défaut — {named}.", states, details)
        body: dict[str, str] = {"status": "ok", **states, **details}
        return body, 200, {"Cache-Control": "no-store"}
