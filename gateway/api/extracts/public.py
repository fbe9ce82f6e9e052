"""GET /api/v1/socle/{indicator}: a slice of the socle commun publication of the current vintage;
GET /api/v1/socle/bulk[/{publication}]: the whole publication as one file."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.api.caching import CURRENT_SOCLE_MAX_AGE, IMMUTABLE, body_tag, conditional
from gateway.api.extracts.routes import FILE_RESPONSES, file_response
from gateway.api.extracts.schemas import DeliveredSchema, SocleQuerySchema
from gateway.links import socle_bulk_url
from gateway.services.extracts import bulk
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
        # One publication per data vintage, the same for everyone: cacheable by anyone;
        # 304 when the client holds this publication.
        response.headers["X-Extrait"] = delivery.header.extract_id
        cache_control = f"public, max-age={CURRENT_SOCLE_MAX_AGE}"
        return conditional(response, body_tag(content), cache_control)


BULK_RESPONSES = {
    "200": {
        "description": "Tout le socle commun d'une publication : un fichier CSV et sa note "
        "explicative, dans une archive zip",
        "content": {bulk.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
    "304": {"description": "Non modifié : le client détient déjà cette publication"},
}


@blp.route("/bulk")
class SocleBulk(MethodView):
    @gate(Action.SOCLE_READ, public=True)
    @blp.doc(responses=BULK_RESPONSES)
    def get(self) -> Response:
        """Télécharger tout le socle commun du millésime courant en un fichier."""
        publication_id = bulk.current_publication()
        return _bulk_response(publication_id, f"public, max-age={CURRENT_SOCLE_MAX_AGE}")


@blp.route("/bulk/<string:publication_id>")
class SocleBulkPublication(MethodView):
    @gate(Action.SOCLE_READ, public=True)
    @blp.doc(responses={**BULK_RESPONSES, "404": "NOT_FOUND"})
    def get(self, publication_id: str) -> Response:
        """Télécharger tout le socle commun d'une publication (son contenu ne change jamais)."""
        return _bulk_response(publication_id, IMMUTABLE)


def _bulk_response(publication_id: str, cache_control: str) -> Response:
    """Serve a publication's archive from storage; its ETag is the publication's id."""
    found = bulk.bulk_file(publication_id)
    # Read whole: a few hundred kilobytes for France, and no file left open for the server.
    response = file_response(found.path.read_bytes(), bulk.MEDIA_TYPE, found.name)
    response.headers["Content-Location"] = socle_bulk_url(publication_id)
    response.headers["X-Extrait"] = publication_id
    return conditional(response, f"socle-{publication_id}", cache_control)
