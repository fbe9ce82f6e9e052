"""Quotes and invoices as PDF documents, rendered on demand from their stored mappings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import InvoiceRecord
from gateway.db.models.pricing import QuoteRecord
from gateway.delivery.pricing_pdf import render_document_pdf
from gateway.services.pricing.queries import (
    caf_party,
    quote_reference,
    quote_schedule,
    quote_value,
    requester_party,
)
from gateway.services.pricing.subject import request_subject
from policies.access import RequesterProfile, may_see
from policies.errors import NotFound
from tariffs import invoice_document, invoice_from_mapping, quote_document


def quote_pdf(session: Session, record: QuoteRecord) -> bytes:
    """Render a stored quote: the Caf, the requester, what is asked, the lines and mentions."""
    schedule = quote_schedule(session, record)
    printed = quote_document(
        quote_value(record),
        caf=caf_party(session, record.caf_code, schedule.billing),
        requester=requester_party(session, record.requester_id),
        reference=quote_reference(record),
        legal_mentions=schedule.legal_mentions,
        subject=request_subject(record.description),
    )
    return render_document_pdf(printed)


def visible_invoice(session: Session, number: str, viewer: RequesterProfile) -> InvoiceRecord:
    """Return an invoice its requester, or an administrator of its Caf, may see."""
    invoice = session.scalar(select(InvoiceRecord).where(InvoiceRecord.number == number))
    if invoice is None or not may_see(viewer, invoice.requester_id, invoice.caf_code):
        raise NotFound(f"Facture introuvable : {number}.")
    return invoice


def invoice_pdf(invoice: InvoiceRecord) -> bytes:
    """Render a stored invoice."""
    return render_document_pdf(invoice_document(invoice_from_mapping(invoice.document)))
