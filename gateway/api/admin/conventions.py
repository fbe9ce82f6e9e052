"""/api/v1/admin/conventions: drafts, lifecycle, renewal, signed document (history kept)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView
from sqlalchemy.orm import Session

from gateway.api.admin.common import (
    actor_id,
    body_caf,
    caf_scope,
    convention_caf,
    own_caf,
    read,
    write,
)
from gateway.api.admin.convention_schemas import (
    ClauseListSchema,
    ConventionCreateSchema,
    ConventionPageSchema,
    ConventionQuerySchema,
    ConventionSchema,
    ConventionUpdateSchema,
    DocumentUploadSchema,
    ReasonSchema,
    RenewSchema,
)
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint, stacked
from gateway.services.conventions import documents, drafts, lifecycle, queries
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.views import describe, describe_page
from gateway.state import app_state
from policies.access import Action

blp = Blueprint(
    "admin-conventions",
    __name__,
    url_prefix="/admin/conventions",
    description="Administration : conventions de mise à disposition",
)


def _shown(record: Any) -> dict[str, Any]:
    return read(describe, record)


def _written(service: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Run a write and describe its result in one transaction (an unshowable answer undoes it)."""

    def run(session: Session, *a: Any, **k: Any) -> dict[str, Any]:
        shown = describe(session, service(session, *a, **k))
        ConventionSchema().dump(shown)
        return shown

    return write(run, *args, **kwargs)


@blp.route("")
class Conventions(MethodView):
    @gate(Action.CONVENTION_READ, caf=own_caf)
    @blp.arguments(ConventionQuerySchema, location="query")
    @blp.response(200, ConventionPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les conventions (toutes versions) de sa Caf."""
        page = read(queries.list_conventions, caf_code=caf_scope(), **args)
        return read(describe_page, page)

    @gate(Action.CONVENTION_CREATE, caf=body_caf)
    @blp.arguments(ConventionCreateSchema)
    @blp.response(201, ConventionSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Créer une convention (brouillon, version 1)."""
        return _written(drafts.create_convention, actor_id(), body)


@blp.route("/clauses")
class Clauses(MethodView):
    @gate(Action.CONVENTION_READ, caf=own_caf)
    @blp.response(200, ClauseListSchema)
    def get(self) -> dict[str, Any]:
        """Lister les clauses obligatoires de toute convention."""
        items = read(mandatory_clauses)
        return {
            "items": [
                {"code": c.code, "label": c.label_fr, "description": c.description_fr}
                for c in items
            ]
        }


@blp.route("/<int:convention_id>")
class ConventionDetail(MethodView):
    @gate(Action.CONVENTION_READ, caf=convention_caf)
    @blp.response(200, ConventionSchema)
    def get(self, convention_id: int) -> dict[str, Any]:
        """Décrire une convention (statut à ce jour, pièces manquantes, historique)."""
        return _shown(read(queries.get_record, convention_id))

    @gate(Action.CONVENTION_UPDATE, caf=convention_caf)
    @blp.arguments(ConventionUpdateSchema)
    @blp.response(200, ConventionSchema)
    @blp.alt_response(409, description="Seul un brouillon se modifie")
    def patch(self, body: dict[str, Any], convention_id: int) -> dict[str, Any]:
        """Modifier les termes d'un brouillon."""
        return _written(drafts.update_convention, actor_id(), convention_id, body)


@blp.route("/<int:convention_id>/activate")
class Activate(MethodView):
    @gate(Action.CONVENTION_ACTIVATE, caf=convention_caf)
    @blp.response(200, ConventionSchema)
    @blp.alt_response(409, description="Pièces manquantes (clauses, signataires, dates...)")
    def post(self, convention_id: int) -> dict[str, Any]:
        """Activer un brouillon complet, ou reprendre une convention suspendue."""
        record = read(queries.get_record, convention_id)
        service = (
            lifecycle.resume_convention
            if record.status == "suspendue"
            else lifecycle.activate_convention
        )
        return _written(service, actor_id(), convention_id)


#: What ends a live convention's course for a while or for good: an optional reason.
_reasoned_step = stacked(
    blp.arguments(ReasonSchema, required=False, description="Facultatif : le motif"),
    blp.response(200, ConventionSchema),
    blp.alt_response(409, description="Transition impossible"),
)


@blp.route("/<int:convention_id>/suspend")
class Suspend(MethodView):
    @gate(Action.CONVENTION_SUSPEND, caf=convention_caf)
    @_reasoned_step
    def post(self, body: dict[str, Any], convention_id: int) -> dict[str, Any]:
        """Suspendre une convention active."""
        return _written(lifecycle.suspend_convention, actor_id(), convention_id, body["reason"])


@blp.route("/<int:convention_id>/terminate")
class Terminate(MethodView):
    @gate(Action.CONVENTION_TERMINATE, caf=convention_caf)
    @_reasoned_step
    def post(self, body: dict[str, Any], convention_id: int) -> dict[str, Any]:
        """Résilier une convention, définitivement."""
        return _written(lifecycle.terminate_convention, actor_id(), convention_id, body["reason"])


@blp.route("/<int:convention_id>/renew")
class Renew(MethodView):
    @gate(Action.CONVENTION_RENEW, caf=convention_caf)
    @blp.arguments(RenewSchema)
    @blp.response(201, ConventionSchema)
    @blp.alt_response(409, description="Convention non renouvelable")
    def post(self, body: dict[str, Any], convention_id: int) -> dict[str, Any]:
        """Renouveler : nouvelle version en brouillon, mêmes termes, à signer à nouveau."""
        return _written(lifecycle.renew_convention, actor_id(), convention_id, **body)


@blp.route("/<int:convention_id>/document")
class Document(MethodView):
    @gate(Action.CONVENTION_DOCUMENT, caf=convention_caf)
    @blp.arguments(DocumentUploadSchema, location="files")
    @blp.response(200, ConventionSchema)
    @blp.alt_response(409, description="La convention n'est plus un brouillon")
    @blp.alt_response(413, description="Document trop volumineux")
    @blp.alt_response(415, description="Ce n'est pas un PDF")
    def put(self, files: dict[str, Any], convention_id: int) -> dict[str, Any]:
        """Déposer le document signé (PDF) ; son SHA-256 est enregistré sur la convention."""
        upload = files["document"]
        limit = int(
            app_state().settings.extra.get("document_max_bytes", documents.DEFAULT_MAX_BYTES)
        )
        content = upload.stream.read(limit + 1)
        return _written(
            documents.upload_document,
            actor_id(),
            convention_id,
            filename=upload.filename or "",
            content_type=upload.mimetype or "",
            content=content,
            max_bytes=limit,
        )

    @gate(Action.CONVENTION_READ, caf=convention_caf)
    @blp.response(200, content_type="application/pdf", description="Le PDF signé")
    def get(self, convention_id: int) -> Response:
        """Télécharger le document signé."""
        document = read(documents.get_document, convention_id)
        return Response(
            document.content,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="convention-{convention_id}.pdf"',
                "X-Content-SHA256": document.sha256,
            },
        )
