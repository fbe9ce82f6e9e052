"""POST /api/v1/extracts and the follow-up of an extract (status, downloads)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request, url_for
from flask.views import MethodView

from gateway.api.auth import current_caller, gate
from gateway.api.blueprint import Blueprint
from gateway.api.extracts.schemas import (
    DeliveredSchema,
    DownloadQuerySchema,
    ExtractPreviewSchema,
    ExtractRequestSchema,
    ExtractStatusSchema,
    RequestSchema,
)
from gateway.api.files import send_delivered
from gateway.links import download_url
from gateway.services.extracts import service as extracts
from gateway.services.extracts.files import download_file
from gateway.services.extracts.preview import preview
from gateway.state import request_session
from policies.access import Action

blp = Blueprint("extraits", __name__, url_prefix="/extracts", description="Extraits de données")

FILE_RESPONSES = {
    "200": {
        "description": "Extrait livré, avec sa note explicative, au format demandé",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.sdmx.data+csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


def file_response(
    content: bytes, media_type: str, name: str, extract_id: str | None = None
) -> Response:
    """Return a delivery file; JSON inline, other formats as attachments, the note linked."""
    response = Response(content, status=200, mimetype=media_type.split(";", maxsplit=1)[0])
    response.headers["Content-Type"] = media_type
    if not media_type.startswith("application/json"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response if extract_id is None else _described(response, extract_id)


def _described(response: Response, extract_id: str) -> Response:
    """Name the extract, and link its note: CSV files carry no note of their own."""
    note = download_url(extract_id, "pdf")
    response.headers["Link"] = f'<{note}>; rel="describedby"; type="application/pdf"'
    response.headers["X-Extrait"] = extract_id
    return response


@blp.route("")
class Extracts(MethodView):
    @gate(Action.EXTRACT_CREATE)
    @blp.arguments(ExtractRequestSchema)
    @blp.response(200, DeliveredSchema)
    @blp.alt_response(202, schema=ExtractStatusSchema, description="Extrait volumineux en cours")
    @blp.alt_response(402, description="Devis à accepter (le problème porte le devis)")
    @blp.alt_response(503, description="Livraison concurrente sur les mêmes données : réessayer")
    @blp.doc(responses=FILE_RESPONSES)
    def post(self, body: dict[str, Any]) -> Response:
        """Demander un extrait : décision, tarif, secret statistique, livraison et note."""
        outcome = extracts.submit(
            current_caller(),
            body,
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        if outcome.delivery is None:
            status_url = url_for("extraits.ExtractStatus", extract_id=outcome.extract_id)
            caller = current_caller()
            extract = extracts.owned_extract(request_session(), outcome.extract_id, caller)
            response = jsonify(extracts.status_of(extract))
            response.status_code = 202
            response.headers["Location"] = status_url
            return response
        content, media, name = extracts.rendered(outcome.delivery, body.get("format", "json"))
        return file_response(content, media, name, outcome.extract_id)


@blp.route("/preview")
class ExtractPreview(MethodView):
    @gate(Action.EXTRACT_PREVIEW_READ)
    @blp.arguments(RequestSchema)
    @blp.response(200, ExtractPreviewSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Prévisualiser une demande : cellules, décision et prix, sans rien livrer ni enregistrer.

        Les mêmes étapes que POST /extracts jusqu'à la livraison (décision, taille, quota,
        différenciation, tarif) : un refus est décrit par les motifs du problème que
        l'extrait recevrait ; le prix, ligne par ligne, est celui du devis. Une demande
        invalide reçoit le même 422.
        """
        today = datetime.now(UTC).date()
        return preview(request_session(), current_caller(), body, today).to_json()


@blp.route("/<string:extract_id>")
class ExtractStatus(MethodView):
    @gate(Action.EXTRACT_READ)
    @blp.response(200, ExtractStatusSchema)
    def get(self, extract_id: str) -> dict[str, Any]:
        """Suivre un extrait (progression d'un traitement en arrière-plan)."""
        extract = extracts.owned_extract(request_session(), extract_id, current_caller())
        return extracts.status_of(extract)


@blp.route("/<string:extract_id>/download")
class ExtractDownload(MethodView):
    @gate(Action.EXTRACT_READ)
    @blp.arguments(DownloadQuerySchema, location="query")
    @blp.response(200, DeliveredSchema)
    @blp.doc(responses=FILE_RESPONSES)
    def get(self, args: dict[str, Any], extract_id: str) -> Response:
        """Télécharger un extrait livré, dans n'importe quel format.

        Un extrait volumineux (traité en arrière-plan) est mis en forme une fois et conservé :
        ses téléchargements lisent le fichier. `ETag` (empreinte SHA-256 du fichier) et
        `If-None-Match` évitent de le télécharger de nouveau ; `Range` reprend un
        téléchargement interrompu.
        """
        session = request_session()
        extract = extracts.owned_extract(session, extract_id, current_caller())
        file = download_file(session, extract, args["format"])
        inline = file.media_type.startswith("application/json")
        response = send_delivered(
            file, disposition=None if inline else "attachment", cache_control="private, no-cache"
        )
        return _described(response, extract_id)
