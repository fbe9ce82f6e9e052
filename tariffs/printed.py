"""Quotes and invoices as printed documents: the French words and values a page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tariffs.components import QuoteLine
from tariffs.invoice import Invoice, Party
from tariffs.quote import Quote
from tariffs.schedule import CATEGORY_LABELS, DEFAULT_CAF_CODE, USE_LABELS


@dataclass(frozen=True)
class PrintedDocument:
    """What a quote or an invoice prints, in reading order (the layout is the gateway's)."""

    title: str
    reference: str
    issuer: Party
    recipient: Party
    facts: tuple[tuple[str, str], ...]
    subject: tuple[tuple[str, str], ...]  # what is bought: the request, line by line
    lines: tuple[QuoteLine, ...]
    totals: tuple[tuple[str, Decimal], ...]  # the last one is the amount to pay
    notes: tuple[str, ...]
    legal_mentions: tuple[str, ...]
    made_on: date


def quote_document(
    quote: Quote,
    *,
    caf: Party,
    requester: Party,
    reference: str | None = None,
    legal_mentions: Sequence[str] = (),
    subject: Sequence[tuple[str, str]] = (),
) -> PrintedDocument:
    """Return what a quote prints: its facts, lines, totals and validity."""
    notes = [f"Devis valable jusqu'au {_day(quote.valid_until)} inclus."]
    if quote.zero_reason:
        notes.insert(0, f"Devis à 0 € : {quote.zero_reason}")
    return PrintedDocument(
        title="Devis",
        reference=reference or f"Devis du {_day(quote.made_on)}",
        issuer=caf,
        recipient=requester,
        facts=_quote_facts(quote),
        subject=tuple(subject),
        lines=quote.lines + quote.adjustments,
        totals=(
            ("Sous-total des composantes", quote.subtotal),
            ("Net hors taxes", quote.net),
            (quote.vat.label, quote.vat.amount),
            ("Total TTC", quote.total),
        ),
        notes=tuple(notes),
        legal_mentions=tuple(legal_mentions),
        made_on=quote.made_on,
    )


def invoice_document(invoice: Invoice) -> PrintedDocument:
    """Return what an invoice prints: its number, dates, references, lines and terms."""
    facts = [
        ("Date d'émission", _day(invoice.issued_on)),
        ("Date d'échéance", _day(invoice.due_on)),
        ("Barème", invoice.schedule_version),
    ]
    if invoice.quote_ref:
        facts.append(("Devis accepté", invoice.quote_ref))
    if invoice.extract_ref:
        facts.append(("Extrait livré", invoice.extract_ref))
    if invoice.convention_ref:
        facts.append(("Convention", invoice.convention_ref))
    return PrintedDocument(
        title="Facture",
        reference=f"Facture n° {invoice.number}",
        issuer=invoice.caf,
        recipient=invoice.requester,
        facts=tuple(facts),
        subject=invoice.subject,
        lines=invoice.lines,
        totals=(
            ("Net hors taxes", invoice.net),
            (invoice.vat.label, invoice.vat.amount),
            ("Total TTC", invoice.total),
        ),
        notes=invoice.terms,
        legal_mentions=invoice.legal_mentions,
        made_on=invoice.issued_on,
    )


def _quote_facts(quote: Quote) -> tuple[tuple[str, str], ...]:
    schedule = quote.schedule_version
    if quote.schedule_caf_code == DEFAULT_CAF_CODE:
        schedule += " (barème par défaut)"
    return (
        ("Date du devis", _day(quote.made_on)),
        ("Validité", f"jusqu'au {_day(quote.valid_until)}"),
        ("Barème", schedule),
        ("Catégorie de demandeur", CATEGORY_LABELS[quote.category]),
        ("Usage", USE_LABELS[quote.use]),
        ("Convention", quote.convention_ref or "-"),
    )


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")
