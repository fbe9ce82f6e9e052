"""Quotes and invoices as PDF documents, rendered on demand from their stored mappings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import InvoiceRecord
from gateway.db.models.pricing import QuoteRecord
from gateway.services.invoices import (
    caf_party,
    quote_schedule,
    request_subject,
    requester_party,
)
from gateway.services.pricing import quote_reference, quote_value
from policies.access import RequesterProfile, may_see
from policies.errors import NotFound
from tariffs import invoice_from_mapping, render_invoice_pdf, render_quote_pdf


def quote_pdf(session: Session, record: QuoteRecord) -> bytes:
    """Render a stored quote: the Caf, the requester, what is asked, the lines and mentions."""
    schedule = quote_schedule(session, record)
    return render_quote_pdf(
        quote_value(record),
        caf=caf_party(session, record.caf_code, schedule.billing),
        requester=requester_party(session, record.requester_id),
        reference=quote_reference(record),
        legal_mentions=schedule.legal_mentions,
        subject=request_subject(record.description),
    )


def visible_invoice(session: Session, number: str, viewer: RequesterProfile) -> InvoiceRecord:
    """Return an invoice its requester, or an administrator of its Caf, may see."""
    invoice = session.scalar(select(InvoiceRecord).where(InvoiceRecord.number == number))
    if invoice is None or not may_see(viewer, invoice.requester_id, invoice.caf_code):
        raise NotFound(f"Facture introuvable : {number}.")
    return invoice


def invoice_pdf(invoice: InvoiceRecord) -> bytes:
    """Render a stored invoice."""
    return render_invoice_pdf(invoice_from_mapping(invoice.document))
