"""A requester's extracts, quotes and invoices, page by page, newest first.

The same listings serve the requester (`/me/...`) and the administrators of its Caf
(`/admin/requesters/{id}/...`); who may read them is decided by the routes' gates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from gateway.db.models import Extract, InvoiceRecord, Order, QuoteRecord
from gateway.db.models.pricing import QuoteStatus
from gateway.links import invoice_url, quote_url
from gateway.services.audit.queries import utc
from gateway.services.extracts.service import status_of
from gateway.services.paging import Page, paginate
from gateway.services.pricing.quotes import quote_status

QUOTE_STATUSES = tuple(s.value for s in QuoteStatus)
INVOICE_STATUSES = ("emise",)  # an invoice is issued once; payments are not tracked here


@dataclass(frozen=True)
class Filters:
    """What a listing keeps: from `since` to `until` (days, inclusive), in one status."""

    since: date | None = None
    until: date | None = None
    status: str | None = None


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _between(query: Select[Any], column: Any, filters: Filters, *, moments: bool) -> Select[Any]:
    """Keep the rows whose `column` falls within the filters' days."""
    if filters.since is not None:
        query = query.where(column >= (_moment(filters.since) if moments else filters.since))
    if filters.until is not None:
        end = filters.until + timedelta(days=1)
        query = query.where(column < (_moment(end) if moments else end))
    return query


def extracts_of(
    session: Session, requester_id: int, filters: Filters, page: int, per_page: int
) -> Page:
    """Return one page of a requester's extracts."""
    query = select(Extract).where(Extract.requester_id == requester_id)
    if filters.status is not None:
        query = query.where(Extract.status == filters.status)
    query = _between(query, Extract.created_at, filters, moments=True)
    found = paginate(session, query.order_by(Extract.created_at.desc(), Extract.id), page, per_page)
    return _with_items(found, [_extract_item(e) for e in found.items])


def _extract_item(extract: Extract) -> dict[str, Any]:
    return {
        **status_of(extract),
        "demande": extract.request,
        "cree_le": utc(extract.created_at),
        "livre_le": utc(extract.completed_at) if extract.completed_at else None,
    }


def quotes_of(
    session: Session,
    requester_id: int,
    filters: Filters,
    page: int,
    per_page: int,
    today: date,
) -> Page:
    """Return one page of a requester's quotes, each with its status as of `today`."""
    query = select(QuoteRecord).where(QuoteRecord.requester_id == requester_id)
    if filters.status is not None:
        query = query.where(_quote_status_is(filters.status, today))
    query = _between(query, QuoteRecord.made_on, filters, moments=False)
    ordered = query.order_by(QuoteRecord.made_on.desc(), QuoteRecord.id.desc())
    found = paginate(session, ordered, page, per_page)
    orders = {
        o.quote_id: o
        for o in session.scalars(
            select(Order).where(Order.quote_id.in_([q.id for q in found.items]))
        )
    }
    return _with_items(found, [_quote_item(q, orders.get(q.id), today) for q in found.items])


def _quote_status_is(status: str, today: date) -> Any:
    """The SQL condition of a quote's status as of today (`quote_status`, in SQL)."""
    proposed = QuoteRecord.status == QuoteStatus.PROPOSED.value
    if status == QuoteStatus.EXPIRED.value:
        return or_(QuoteRecord.status == status, and_(proposed, QuoteRecord.valid_until < today))
    if status == QuoteStatus.PROPOSED.value:
        return and_(proposed, QuoteRecord.valid_until >= today)
    return QuoteRecord.status == status


def _quote_item(record: QuoteRecord, order: Order | None, today: date) -> dict[str, Any]:
    status = quote_status(record, today).value
    base = quote_url(record.id)
    links = {"devis": base, "pdf": f"{base}.pdf"}
    if status == QuoteStatus.PROPOSED.value:
        links["accepter"] = f"{base}/accept"
    return {
        "id": record.id,
        "statut": status,
        "caf": record.caf_code,
        "total": str(record.total),
        "date_devis": record.made_on,
        "valable_jusqu_au": record.valid_until,
        "convention": record.convention_ref,
        "demande": record.description,
        "commande": None
        if order is None
        else {
            "id": order.id,
            "statut": order.status,
            "livree_le": utc(order.delivered_at) if order.delivered_at else None,
        },
        "liens": links,
    }


def invoices_of(
    session: Session, requester_id: int, filters: Filters, page: int, per_page: int
) -> Page:
    """Return one page of a requester's invoices, each with the extract it bills."""
    # Every invoice is issued ("emise"): the only status the filter accepts keeps them all.
    query = select(InvoiceRecord).where(InvoiceRecord.requester_id == requester_id)
    query = _between(query, InvoiceRecord.issued_on, filters, moments=False)
    ordered = query.order_by(InvoiceRecord.issued_on.desc(), InvoiceRecord.id.desc())
    found = paginate(session, ordered, page, per_page)
    numbers = [i.number for i in found.items]
    billed = dict(
        session.execute(
            select(Extract.invoice_number, Extract.id).where(Extract.invoice_number.in_(numbers))
        ).all()
    )
    return _with_items(found, [_invoice_item(i, billed.get(i.number)) for i in found.items])


def _invoice_item(invoice: InvoiceRecord, extract_id: str | None) -> dict[str, Any]:
    base = invoice_url(invoice.number)
    return {
        "numero": invoice.number,
        "statut": INVOICE_STATUSES[0],
        "caf": invoice.caf_code,
        "date_emission": invoice.issued_on,
        "net_ht": str(invoice.net),
        "tva": str(invoice.vat),
        "total_ttc": str(invoice.total),
        "commande": invoice.order_id,
        "extrait": extract_id,
        "liens": {"facture": base, "pdf": f"{base}.pdf"},
    }


def _with_items(found: Page, items: list[dict[str, Any]]) -> Page:
    return Page(items=items, page=found.page, per_page=found.per_page, total=found.total)


@dataclass(frozen=True)
class FollowUp:
    """What became of a quote: its order, the invoice of its delivery and the extract billed."""

    order: Order | None
    invoice: str | None
    extract_id: str | None


def quote_follow_up(session: Session, quote_id: int) -> FollowUp:
    """Return a quote's order, and once delivered, its invoice number and extract."""
    order = session.scalar(select(Order).where(Order.quote_id == quote_id))
    if order is None:
        return FollowUp(None, None, None)
    invoice = session.scalar(select(InvoiceRecord.number).where(InvoiceRecord.order_id == order.id))
    extract_id = None
    if invoice is not None:
        extract_id = session.scalar(select(Extract.id).where(Extract.invoice_number == invoice))
    return FollowUp(order, invoice, extract_id)
