"""/api/v1/admin/audit, /admin/changes and /admin/policy-matrix: what was decided, and by what."""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context
from flask.views import MethodView

from gateway.api.admin.audit_schemas import (
    AuditFilterSchema,
    AuditPageSchema,
    AuditQuerySchema,
    ChangePageSchema,
    ChangeQuerySchema,
    PolicyMatrixSchema,
)
from gateway.api.admin.common import actor_id, caf_scope, national, own_caf, query_caf, read, write
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.services.access import matrix as policy_matrix
from gateway.services.access import queries as matrix_queries
from gateway.services.audit import changes as admin_changes
from gateway.services.audit import export as audit_export
from gateway.services.audit import queries as audit_log
from policies.access import Action

blp = Blueprint(
    "admin-audit",
    __name__,
    url_prefix="/admin",
    description="Administration : journal d'audit, modifications, matrice d'accès",
)


def _filters(args: dict[str, Any]) -> audit_log.AuditFilter:
    action = Action(args["action"]) if "action" in args else None
    return audit_log.AuditFilter(
        **{**args, "caf_code": args.get("caf_code") or caf_scope(), "action": action}
    )


@blp.route("/audit")
class Audit(MethodView):
    @gate(Action.AUDIT_READ, caf=query_caf)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Consulter le journal des décisions et livraisons (filtres ; paginé)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return read(audit_log.query_entries, _filters(args), page, per_page).as_dict()


@blp.route("/audit.csv")
class AuditCsv(MethodView):
    @gate(Action.AUDIT_READ, caf=query_caf)
    @blp.arguments(AuditFilterSchema, location="query")
    @blp.response(200, content_type="text/csv", description="Le journal filtré, en CSV UTF-8")
    def get(self, args: dict[str, Any]) -> Response:
        """Exporter le journal filtré en CSV."""
        lines = read(audit_export.csv_lines, _filters(args))
        return Response(
            stream_with_context(lines),
            mimetype="text/csv",
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="journal-audit.csv"'},
        )


@blp.route("/changes")
class Changes(MethodView):
    @gate(Action.ADMIN_CHANGE_READ, caf=own_caf)
    @blp.arguments(ChangeQuerySchema, location="query")
    @blp.response(200, ChangePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les modifications des administrateurs (qui, quand, avant, après)."""
        return read(admin_changes.list_changes, caf_code=caf_scope(), **args).as_dict()


@blp.route("/policy-matrix")
class PolicyMatrix(MethodView):
    # policy_read is allowed as audit_read: every administrator reviewing decisions needs
    # the rules they applied; changing them is national (policy_update).
    @gate(Action.POLICY_READ, caf=own_caf)
    @blp.response(200, PolicyMatrixSchema)
    def get(self) -> dict[str, Any]:
        """Lire la matrice d'accès en vigueur (type de demandeur x palier)."""
        version, document = read(matrix_queries.current_document)
        return {**document, "version": version}

    @gate(Action.POLICY_UPDATE, caf=national)
    @blp.arguments(PolicyMatrixSchema)
    @blp.response(200, PolicyMatrixSchema)
    @blp.alt_response(409, description="La matrice a changé depuis sa lecture (version)")
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Remplacer la matrice (nouvelle version, validée en entier ; l'ancienne est gardée)."""
        document = {k: v for k, v in body.items() if k != "version"}
        version, stored = write(
            policy_matrix.replace_matrix, actor_id(), document, body.get("version")
        )
        return {**stored, "version": version}
