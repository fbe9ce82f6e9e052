"""Schedule administration (versions, preview) and revenue reports, for administrators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.api.admin_tariffs.schemas import (
    NewVersionSchema,
    PreviewResultSchema,
    PreviewSchema,
    RevenueQuerySchema,
    RevenueSchema,
    VersionListSchema,
)
from gateway.api.auth import current_actor, gate
from gateway.api.tariffs.schemas import ScheduleVersionSchema
from gateway.db import get_database, request_session
from gateway.services import pricing_reports, pricing_schedules

blp = Blueprint(
    "admin-tarifs", __name__, url_prefix="/admin", description="Administration des tarifs"
)


def _path_caf(*_args: Any, caf: str, **_kwargs: Any) -> str:
    return caf


@blp.route("/tariffs/<string:caf>/versions")
class ScheduleVersions(MethodView):
    @blp.response(200, VersionListSchema)
    @gate("tariff_update", caf=_path_caf)
    def get(self, caf: str) -> dict[str, Any]:
        """Lister les versions du barème propre d'une Caf."""
        session = request_session()
        pricing_schedules.require_caf(session, caf)
        records = pricing_schedules.version_records(session, caf)
        return {"caf": caf, "versions": [pricing_schedules.version_summary(r) for r in records]}

    @blp.arguments(NewVersionSchema)
    @blp.response(201, ScheduleVersionSchema)
    @gate("tariff_update", caf=_path_caf)
    def post(self, body: dict[str, Any], caf: str) -> dict[str, Any]:
        """Publier une nouvelle version du barème (elle clôt la version qu'elle remplace)."""
        with get_database().transaction() as session:
            record = pricing_schedules.publish_version(
                session, caf, body["bareme"], today=date.today(), by=current_actor().requester_id
            )
            return pricing_schedules.version_summary(record)


@blp.route("/tariffs/<string:caf>/preview")
class SchedulePreview(MethodView):
    @blp.arguments(PreviewSchema)
    @blp.response(200, PreviewResultSchema)
    @gate("tariff_update", caf=_path_caf)
    def post(self, body: dict[str, Any], caf: str) -> dict[str, Any]:
        """Rechiffrer les derniers devis de la Caf avec un barème candidat (rien n'est stocké)."""
        return pricing_reports.preview(
            request_session(), caf, body["bareme"], last=body["derniers"]
        )


def _query_caf(_self: Any, args: dict[str, Any]) -> str | None:
    caf: str | None = args.get("caf")
    return caf


@blp.route("/revenue")
class Revenue(MethodView):
    @blp.arguments(RevenueQuerySchema, location="query")
    @blp.response(200, RevenueSchema)
    @blp.doc(responses={"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
    @gate("audit_read", caf=_query_caf)
    def get(self, args: dict[str, Any]) -> dict[str, Any] | Response:
        """Chiffre d'affaires facturé par Caf, type de demandeur, usage et mois (JSON ou CSV)."""
        rows = pricing_reports.revenue(
            request_session(),
            group_by=args["group_by"],
            caf_code=args.get("caf"),
            start=args.get("start"),
            end=args.get("end"),
        )
        if args["format"] == "csv":
            text = pricing_reports.revenue_csv(rows, args["group_by"])
            response = Response(text, mimetype="text/csv")
            response.headers["Content-Disposition"] = 'attachment; filename="recettes.csv"'
            return response
        return {
            "regroupements": args["group_by"],
            "lignes": [
                {
                    **r.keys,
                    "factures": r.invoices,
                    "net_ht": r.net,
                    "tva": r.vat,
                    "total_ttc": r.total,
                }
                for r in rows
            ],
            "factures": sum(r.invoices for r in rows),
            "total_ttc": sum((r.total for r in rows), Decimal("0.00")),
        }
