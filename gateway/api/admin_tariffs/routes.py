"""Schedule administration (versions, preview) and revenue reports, for administrators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response
from flask.views import MethodView

from gateway.api.admin_tariffs.schemas import (
    NewVersionSchema,
    PreviewResultSchema,
    PreviewSchema,
    RevenueQuerySchema,
    RevenueSchema,
    VersionListSchema,
)
from gateway.api.auth import current_caller, gate
from gateway.api.blueprint import Blueprint
from gateway.api.tariffs.schemas import ScheduleVersionSchema
from gateway.services.pricing import queries as pricing_queries
from gateway.services.pricing import reports as pricing_reports
from gateway.services.pricing import schedules as pricing_schedules
from gateway.state import app_state, request_session
from policies.access import Action

blp = Blueprint(
    "admin-tarifs", __name__, url_prefix="/admin", description="Administration des tarifs"
)


def _path_caf(*_args: Any, caf: str, **_kwargs: Any) -> str:
    return caf


@blp.route("/tariffs/<string:caf>/versions")
class ScheduleVersions(MethodView):
    @gate(Action.TARIFF_READ, caf=_path_caf)
    @blp.response(200, VersionListSchema)
    def get(self, caf: str) -> dict[str, Any]:
        """Lister les versions du barème propre d'une Caf."""
        session = request_session()
        pricing_queries.require_caf(session, caf)
        records = pricing_queries.version_records(session, caf)
        return {"caf": caf, "versions": [pricing_schedules.version_summary(r) for r in records]}

    @gate(Action.TARIFF_UPDATE, caf=_path_caf)
    @blp.arguments(NewVersionSchema)
    @blp.response(201, ScheduleVersionSchema)
    def post(self, body: dict[str, Any], caf: str) -> dict[str, Any]:
        """Publier une nouvelle version du barème (elle clôt la version qu'elle remplace)."""
        with app_state().database.transaction() as session:
            record = pricing_schedules.publish_version(
                session, caf, body["bareme"], today=date.today(), by=current_caller().requester_id
            )
            return pricing_schedules.version_summary(record)


@blp.route("/tariffs/<string:caf>/preview")
class SchedulePreview(MethodView):
    @gate(Action.TARIFF_PREVIEW, caf=_path_caf)
    @blp.arguments(PreviewSchema)
    @blp.response(200, PreviewResultSchema)
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
    @gate(Action.REVENUE_READ, caf=_query_caf)
    @blp.arguments(RevenueQuerySchema, location="query")
    @blp.response(200, RevenueSchema)
    @blp.doc(responses={"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
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
