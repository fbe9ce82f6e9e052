"""Revenue reports from issued invoices, and previews of a candidate schedule on past requests."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.db.models import InvoiceRecord, QuoteRecord, Requester
from gateway.services.pricing.queries import require_caf
from gateway.services.pricing.schedules import candidate_schedule
from gateway.services.pricing.stored import pricing_request_from_mapping
from policies.errors import InvalidInput
from tariffs import price

#: Dimensions a revenue report may be grouped by, in the order columns are printed.
GROUPS = ("caf", "requester_type", "use", "month")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RevenueRow:
    keys: Mapping[str, str]
    invoices: int
    net: Decimal
    vat: Decimal
    total: Decimal


def revenue(
    session: Session,
    *,
    group_by: Sequence[str],
    caf_code: str | None,
    start: date | None = None,
    end: date | None = None,
) -> list[RevenueRow]:
    """Sum invoices (count, net, VAT, total) per group; `caf_code` None means every Caf."""
    groups = [g for g in GROUPS if g in group_by]
    query = select(InvoiceRecord)
    if caf_code is not None:
        query = query.where(InvoiceRecord.caf_code == caf_code)
    if start is not None:
        query = query.where(InvoiceRecord.issued_on >= start)
    if end is not None:
        query = query.where(InvoiceRecord.issued_on <= end)
    totals: dict[tuple[str, ...], list[Any]] = {}
    for invoice in session.scalars(query):
        key = tuple(_dimension(invoice, g) for g in groups)
        row = totals.setdefault(key, [0, ZERO, ZERO, ZERO])
        row[0] += 1
        row[1] += invoice.net
        row[2] += invoice.vat
        row[3] += invoice.total
    return [
        RevenueRow(dict(zip(groups, key, strict=True)), *values)
        for key, values in sorted(totals.items())
    ]


@dataclass(frozen=True)
class RequesterRevenue:
    requester_id: int
    name: str
    requester_type: str
    invoices: int
    total: Decimal


def revenue_by_requester(
    session: Session,
    *,
    caf_code: str | None,
    start: date | None = None,
    end: date | None = None,
) -> list[RequesterRevenue]:
    """Sum invoices per requester (count, total), largest total first; one grouped query."""
    query = (
        select(
            InvoiceRecord.requester_id,
            Requester.name,
            InvoiceRecord.requester_type,
            func.count(InvoiceRecord.id),
            func.sum(InvoiceRecord.total),
        )
        .join(Requester, Requester.id == InvoiceRecord.requester_id)
        .group_by(InvoiceRecord.requester_id, Requester.name, InvoiceRecord.requester_type)
    )
    if caf_code is not None:
        query = query.where(InvoiceRecord.caf_code == caf_code)
    if start is not None:
        query = query.where(InvoiceRecord.issued_on >= start)
    if end is not None:
        query = query.where(InvoiceRecord.issued_on <= end)
    rows = [
        RequesterRevenue(rid, name, rtype, int(count), Decimal(total or ZERO).quantize(ZERO))
        for rid, name, rtype, count, total in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (-r.total, r.name, r.requester_id))


def _dimension(invoice: InvoiceRecord, group: str) -> str:
    if group == "month":
        return invoice.issued_on.strftime("%Y-%m")
    if group == "caf":
        return invoice.caf_code
    return str(getattr(invoice, group))


def revenue_csv(rows: Sequence[RevenueRow], group_by: Sequence[str]) -> str:
    """Write a revenue report as CSV (semicolons, decimal commas: French spreadsheets)."""
    groups = [g for g in GROUPS if g in group_by]
    labels = {"caf": "caf", "requester_type": "type_demandeur", "use": "usage", "month": "mois"}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([labels[g] for g in groups] + ["factures", "net_ht", "tva", "total_ttc"])
    for row in rows:
        amounts = [_comma(row.net), _comma(row.vat), _comma(row.total)]
        writer.writerow([row.keys[g] for g in groups] + [row.invoices, *amounts])
    return out.getvalue()


def _comma(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def preview(
    session: Session, caf_code: str, document: Mapping[str, Any], *, last: int
) -> dict[str, Any]:
    """Reprice the Caf's last `last` quotes under a candidate schedule: old and new totals."""
    require_caf(session, caf_code)
    candidate = candidate_schedule(caf_code, document)
    records = session.scalars(
        select(QuoteRecord)
        .where(QuoteRecord.caf_code == caf_code)
        .order_by(QuoteRecord.id.desc())
        .limit(last)
    )
    rows = []
    for record in records:
        request = pricing_request_from_mapping(record.pricing_request)
        try:
            new = price(request, candidate, candidate.effective_from, caf_code=caf_code)
        except InvalidInput as error:  # e.g. a category the candidate cannot price
            rows.append(_row(record, None, error.detail))
            continue
        rows.append(_row(record, new.total, new.zero_reason))
    old_sum = sum((r["ancien_total_ttc"] for r in rows), ZERO)
    new_sum = sum((r["nouveau_total_ttc"] or ZERO for r in rows), ZERO)
    return {
        "caf": caf_code,
        "version": candidate.version,
        "devis": rows,
        "ancien_total_ttc": old_sum,
        "nouveau_total_ttc": new_sum,
        "ecart_ttc": new_sum - old_sum,
    }


def _row(record: QuoteRecord, new_total: Decimal | None, note: str | None) -> dict[str, Any]:
    old = Decimal(record.total)
    return {
        "devis_id": record.id,
        "date_devis": record.made_on,
        "bareme_version": record.document["bareme_version"],
        "type_demandeur": record.document["type_demandeur"],
        "usage": record.document["usage"],
        "ancien_total_ttc": old,
        "nouveau_total_ttc": new_total,
        "ecart_ttc": None if new_total is None else new_total - old,
        "remarque": note,
    }
