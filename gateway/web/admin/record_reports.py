"""The record's reports: what was released to a requester, the revenue, the quotas' use.

Twins: the requester's records (`/admin/requesters/<id>/...`, REQUESTER_RECORDS_READ), the
revenue report (`/admin/revenue`, REVENUE_READ) and the conventions with their quotas
(`/admin/conventions`, CONVENTION_READ).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import Response, abort

from gateway.api.schemas import PageQuerySchema, QuerySchema
from gateway.services.audit.queries import monthly_usage
from gateway.services.conventions.drafts import today
from gateway.services.conventions.queries import list_conventions
from gateway.services.conventions.views import describe
from gateway.services.ledger.summary import released_summary
from gateway.services.pricing import reports as pricing_reports
from gateway.services.requesters.queries import get_requester
from gateway.services.territories.queries import caf_names
from gateway.state import app_state, request_session
from gateway.web.account.forms import page
from gateway.web.admin.common import admin_gate, caf_scope
from gateway.web.admin.record_common import (
    query_caf,
    read_query,
    requester_choices,
    requester_of_query,
    type_label,
)
from gateway.web.espace.common import Filters, api_call
from gateway.web.files import attachment
from policies.access import Action
from policies.access.values import LEVEL_LABELS
from policies.conventions import ConventionStatus
from policies.errors import NotFound

#: The revenue report's groups: the page's table and its CSV.
REVENUE_GROUPS = ("caf", "requester_type", "month")
#: How many active conventions the quota page lists at once.
QUOTA_PAGE = 50


class ReleasedQuerySchema(PageQuerySchema):
    requester_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=999_999_999, error="Choisissez un demandeur."),
        error_messages={"invalid": "Choisissez un demandeur de la liste."},
    )


@admin_gate(Action.REQUESTER_RECORDS_READ, caf=requester_of_query)
def released() -> Response:
    """Show what was released to a requester of the Caf: by indicator, period and territory."""
    filters = read_query(ReleasedQuerySchema, ("requester_id", "page"))
    rid = filters.values.get("requester_id")
    requester, found = None, None
    if rid is not None:
        try:
            requester = get_requester(request_session(), rid)
        except NotFound:
            abort(404)
        found = released_summary(
            request_session(),
            app_state().geography,
            rid,
            filters.values["page"],
            filters.values["per_page"],
        )
    return page(
        "admin/record/released.html",
        422 if filters.errors else 200,
        private=True,
        console_section="administration.record",
        filters=filters,
        requester=requester,
        found=found,
        requesters=requester_choices(caf_scope()),
        levels=LEVEL_LABELS,
        type_label=type_label,
        api=api_call(f"/api/v1/admin/requesters/{rid}/extracts") if rid else None,
    )


class RevenueQuerySchema(QuerySchema):
    """The API's revenue query, as the console asks it (the Caf: `caf_code`)."""

    caf_code = ma.fields.String(validate=ma.validate.Length(2, 5, error="Code de Caf inconnu."))
    start = ma.fields.Date()
    end = ma.fields.Date()


def _revenue_filters() -> Filters:
    shown = read_query(RevenueQuerySchema, ("caf_code", "start", "end"))
    if (
        "start" in shown.values
        and "end" in shown.values
        and shown.values["end"] < shown.values["start"]
    ):
        shown.errors["end"] = "La date de fin précède la date de début."
    return shown


def _revenue_rows(filters: Filters) -> list[pricing_reports.RevenueRow]:
    values = {} if filters.errors else filters.values
    rows = pricing_reports.revenue(
        request_session(),
        group_by=REVENUE_GROUPS,
        caf_code=values.get("caf_code") or caf_scope(),
        start=values.get("start"),
        end=values.get("end"),
    )
    return sorted(rows, key=lambda r: (r.keys["month"], r.keys["requester_type"], r.keys["caf"]))


def chart(rows: Sequence[pricing_reports.RevenueRow]) -> dict[str, Any]:
    """The bar chart's data (portail.js): total TTC by month, one series per requester type."""
    months = sorted({r.keys["month"] for r in rows})
    types = sorted({r.keys["requester_type"] for r in rows})
    totals: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        key = (row.keys["month"], row.keys["requester_type"])
        totals[key] = totals.get(key, Decimal("0")) + row.total
    return {
        "titre": "Recettes facturées",
        "unite": "€ TTC",
        "territoires": months,
        "series": [
            {
                "nom": type_label(kind),
                "valeurs": [float(totals.get((m, kind), 0)) for m in months],
                "symboles": ["" for _ in months],
            }
            for kind in types
        ],
    }


@admin_gate(Action.REVENUE_READ, caf=query_caf)
def revenue() -> Response:
    """Show the revenue by month and requester type (table and chart), and by requester."""
    filters = _revenue_filters()
    rows = _revenue_rows(filters)
    values = {} if filters.errors else filters.values
    caf = values.get("caf_code") or caf_scope()
    by_requester = pricing_reports.revenue_by_requester(
        request_session(), caf_code=caf, start=values.get("start"), end=values.get("end")
    )
    params = [("group_by", ",".join(REVENUE_GROUPS))]
    params += [(k if k != "caf_code" else "caf", v) for k, v in filters.params() if k != "per_page"]
    if caf and not any(k == "caf" for k, _ in params):
        params.append(("caf", caf))
    return page(
        "admin/record/revenue.html",
        422 if filters.errors else 200,
        private=True,
        console_section="administration.record",
        filters=filters,
        rows=rows,
        by_requester=by_requester,
        chart=chart(rows),
        total=sum((r.total for r in rows), Decimal("0.00")),
        invoices=sum(r.invoices for r in rows),
        caf_name=caf_names(request_session(), [caf]).get(caf, "") if caf else "",
        type_label=type_label,
        national=caf_scope() is None,
        csv_params=[(k, v) for k, v in filters.params() if k != "per_page"],
        api=api_call("/api/v1/admin/revenue", params),
    )


@admin_gate(Action.REVENUE_READ, caf=query_caf)
def revenue_csv() -> Response:
    """Send the revenue table as the API's `format=csv` does (an attachment, no-store)."""
    filters = _revenue_filters()
    if filters.errors:
        return revenue()
    text = pricing_reports.revenue_csv(_revenue_rows(filters), REVENUE_GROUPS)
    return attachment(text.encode(), "text/csv; charset=utf-8", "recettes.csv")


class QuotaQuerySchema(PageQuerySchema):
    caf_code = ma.fields.String(validate=ma.validate.Length(2, 5, error="Code de Caf inconnu."))


@admin_gate(Action.CONVENTION_READ, caf=query_caf)
def quotas() -> Response:
    """Show each active convention's monthly quotas and this month's use."""
    filters = read_query(QuotaQuerySchema, ("caf_code", "page"))
    session, day = request_session(), today()
    found = list_conventions(
        session,
        caf_code=filters.values.get("caf_code") or caf_scope(),
        status=ConventionStatus.ACTIVE.value,
        page=filters.values["page"],
        per_page=QUOTA_PAGE,
    )
    lines = []
    for record in found.items:
        data = describe(session, record, day)
        if data["status"] != ConventionStatus.ACTIVE.value:
            continue  # stored active, past its end date: expired, no quota to use
        extracts, cells = monthly_usage(session, record.requester_id, data["label"], day)
        lines.append(
            {
                "convention": data,
                "requester": get_requester(session, record.requester_id).name,
                "extracts": _use(extracts, record.extracts_per_month),
                "cells": _use(cells, record.cells_per_month),
            }
        )
    return page(
        "admin/record/quotas.html",
        422 if filters.errors else 200,
        private=True,
        console_section="administration.record",
        filters=filters,
        found=found,
        lines=lines,
        month=day,
        national=caf_scope() is None,
    )


def _use(used: int, quota: int | None) -> dict[str, Any]:
    """How much of a monthly quota is used: the count, the quota, the share (0-100, capped)."""
    share = None if not quota else min(100, round(100 * used / quota))
    return {"used": used, "quota": quota, "share": share, "over": bool(quota and used >= quota)}


View = Callable[..., Any]
ROUTES: tuple[tuple[str, str, View, tuple[str, ...]], ...] = (
    ("/registre/diffusions", "released", released, ("GET",)),
    ("/registre/recettes", "revenue", revenue, ("GET",)),
    ("/registre/recettes.csv", "revenue_csv", revenue_csv, ("GET",)),
    ("/registre/quotas", "quotas", quotas, ("GET",)),
)
