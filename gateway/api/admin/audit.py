"""/api/v1/admin/audit, /admin/changes and /admin/policy-matrix: what was decided, and by what."""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

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
from gateway.services import admin_changes, audit_export, audit_log, policy_matrix

blp = Blueprint(
    "admin-audit",
    __name__,
    url_prefix="/admin",
    description="Administration : journal d'audit, modifications, matrice d'accès",
)


def _filters(args: dict[str, Any]) -> audit_log.AuditFilter:
    return audit_log.AuditFilter(**{**args, "caf_code": args.get("caf_code") or caf_scope()})


@blp.route("/audit")
class Audit(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    @gate("audit_read", caf=query_caf)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Consulter le journal des décisions et livraisons (filtres ; paginé)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return read(audit_log.query_entries, _filters(args), page, per_page).as_dict()


@blp.route("/audit.csv")
class AuditCsv(MethodView):
    @blp.arguments(AuditFilterSchema, location="query")
    @blp.response(200, content_type="text/csv", description="Le journal filtré, en CSV UTF-8")
    @gate("audit_read", caf=query_caf)
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
    @blp.arguments(ChangeQuerySchema, location="query")
    @blp.response(200, ChangePageSchema)
    @gate("audit_read", caf=own_caf)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les modifications des administrateurs (qui, quand, avant, après)."""
        return read(admin_changes.list_changes, caf_code=caf_scope(), **args).as_dict()


@blp.route("/policy-matrix")
class PolicyMatrix(MethodView):
    # Read under audit_read: every administrator reviewing decisions needs the rules they
    # applied; changing them is national (policy_update).
    @blp.response(200, PolicyMatrixSchema)
    @gate("audit_read", caf=own_caf)
    def get(self) -> dict[str, Any]:
        """Lire la matrice d'accès en vigueur (type de demandeur x palier)."""
        version, document = read(policy_matrix.current_document)
        return {**document, "version": version}

    @blp.arguments(PolicyMatrixSchema)
    @blp.response(200, PolicyMatrixSchema)
    @blp.alt_response(409, description="La matrice a changé depuis sa lecture (version)")
    @gate("policy_update", caf=national)
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Remplacer la matrice (nouvelle version, validée en entier ; l'ancienne est gardée)."""
        document = {k: v for k, v in body.items() if k != "version"}
        version, stored = write(
            policy_matrix.replace_matrix, actor_id(), document, body.get("version")
        )
        return {**stored, "version": version}
