"""GET /api/v1/catalogue.jsonld: the open-data catalogue (DCAT-AP, JSON-LD) for portals."""

from __future__ import annotations

import json

from flask import Response, request
from flask.views import MethodView

from gateway.api.blueprint import Blueprint
from gateway.api.caching import CATALOGUE_MAX_AGE, revalidated
from gateway.api.dcat.document import MEDIA_TYPE, catalog
from gateway.services.catalogue.coverage import coverage
from gateway.state import request_session

blp = Blueprint(
    "catalogue_dcat",
    __name__,
    url_prefix="/catalogue.jsonld",
    description="Catalogue des données ouvertes (DCAT-AP, JSON-LD)",
)

RESPONSES = {
    "200": {
        "description": "Un dcat:Catalog, un dcat:Dataset par indicateur",
        "content": {MEDIA_TYPE: {"schema": {"type": "object"}}},
    }
}


@blp.route("")
class OpenDataCatalogue(MethodView):
    @revalidated(CATALOGUE_MAX_AGE)
    @blp.doc(responses=RESPONSES)
    def get(self) -> Response:
        """Décrire les jeux de données en DCAT-AP (JSON-LD), pour les portails de données."""
        base = request.host_url.rstrip("/")
        document = catalog(coverage(request_session()), base)
        return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype=MEDIA_TYPE)
