"""Render quotes and invoices to PDF (fpdf2 core fonts, Windows-1252: accents and "€")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from tariffs.components import QuoteLine
from tariffs.invoice import Invoice, Party
from tariffs.money import format_eur
from tariffs.quote import Quote
from tariffs.schedule import CATEGORY_LABELS, USE_LABELS

_FONT = "helvetica"
_GREY = (90, 90, 90)
# Characters outside Windows-1252 that French text commonly carries.
_SUBSTITUTES = str.maketrans({"\u202f": "\u00a0", "\u2212": "-", "\u2010": "-", "\u2011": "-"})


@dataclass(frozen=True)
class _Document:
    title: str
    reference: str
    issuer: Party
    recipient: Party
    facts: tuple[tuple[str, str], ...]
    subject: tuple[tuple[str, str], ...]  # what is bought: the request, line by line
    lines: tuple[QuoteLine, ...]
    totals: tuple[tuple[str, Decimal], ...]  # the last one is printed in bold
    notes: tuple[str, ...]
    legal_mentions: tuple[str, ...]
    made_on: date


def render_quote_pdf(
    quote: Quote,
    *,
    caf: Party,
    requester: Party,
    reference: str | None = None,
    legal_mentions: Sequence[str] = (),
    subject: Sequence[tuple[str, str]] = (),
    compress: bool = True,
) -> bytes:
    """Render a quote as PDF bytes (French labels, euros as "1 234,56 €")."""
    notes = [f"Devis valable jusqu'au {_day(quote.valid_until)} inclus."]
    if quote.zero_reason:
        notes.insert(0, f"Devis à 0 € : {quote.zero_reason}")
    document = _Document(
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
    return _render(document, compress=compress)


def render_invoice_pdf(invoice: Invoice, *, compress: bool = True) -> bytes:
    """Render an invoice as PDF bytes."""
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
    document = _Document(
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
    return _render(document, compress=compress)


def _quote_facts(quote: Quote) -> tuple[tuple[str, str], ...]:
    schedule = quote.schedule_version
    if quote.schedule_caf_code == "*":
        schedule += " (barème par défaut)"
    return (
        ("Date du devis", _day(quote.made_on)),
        ("Validité", f"jusqu'au {_day(quote.valid_until)}"),
        ("Barème", schedule),
        ("Catégorie de demandeur", CATEGORY_LABELS[quote.category]),
        ("Usage", USE_LABELS[quote.use]),
        ("Convention", quote.convention_ref or "-"),
    )


def _render(doc: _Document, *, compress: bool) -> bytes:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "cp1252"  # core fonts then print "€", "œ", "«»"
    pdf.set_compression(compress)
    pdf.set_creation_date(
        datetime(doc.made_on.year, doc.made_on.month, doc.made_on.day, tzinfo=UTC)
    )
    pdf.set_title(_text(f"{doc.title} - {doc.reference}"))
    pdf.set_author(_text(doc.issuer.name))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _header(pdf, doc)
    _facts(pdf, doc.facts)
    if doc.subject:
        pdf.set_font(_FONT, "B", 10)
        pdf.cell(0, 6, "Objet : la demande", new_x="LMARGIN", new_y="NEXT")
        _facts(pdf, doc.subject)
    _lines_table(pdf, doc.lines)
    _totals(pdf, doc.totals)
    _paragraphs(pdf, doc.notes, size=9)
    _paragraphs(pdf, doc.legal_mentions, size=7, colour=_GREY)
    return bytes(pdf.output())


def _header(pdf: FPDF, doc: _Document) -> None:
    top = pdf.get_y()
    _party(pdf, doc.issuer, x=pdf.l_margin, width=90)
    pdf.set_xy(110, top)
    pdf.set_font(_FONT, "B", 18)
    pdf.cell(90, 9, _text(doc.title.upper()), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(_FONT, "", 10)
    pdf.cell(90, 6, _text(doc.reference), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 30) + 4)
    pdf.set_x(110)
    pdf.set_font(_FONT, "I", 9)
    pdf.cell(90, 5, "Destinataire", new_x="LEFT", new_y="NEXT")
    _party(pdf, doc.recipient, x=110, width=90)
    pdf.ln(6)


def _party(pdf: FPDF, party: Party, *, x: float, width: float) -> None:
    pdf.set_x(x)
    pdf.set_font(_FONT, "B", 11)
    pdf.multi_cell(width, 5, _text(party.name), align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(_FONT, "", 9)
    extra = [*party.address]
    if party.identifier:
        extra.append(f"Identifiant : {party.identifier}")
    if party.email:
        extra.append(party.email)
    for row in extra:
        pdf.set_x(x)
        pdf.multi_cell(width, 4.5, _text(row), align="L", new_x="LEFT", new_y="NEXT")


def _facts(pdf: FPDF, facts: Sequence[tuple[str, str]]) -> None:
    for name, value in facts:
        pdf.set_font(_FONT, "B", 9)
        pdf.cell(50, 5, _text(f"{name} :"))
        pdf.set_font(_FONT, "", 9)
        pdf.multi_cell(0, 5, _text(value), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _lines_table(pdf: FPDF, lines: Sequence[QuoteLine]) -> None:
    pdf.set_font(_FONT, "", 8)
    headings = FontFace(emphasis="BOLD", fill_color=(225, 230, 240))
    with pdf.table(
        col_widths=(50, 105, 25), text_align="LEFT", headings_style=headings, line_height=4
    ) as table:
        heading = table.row()
        for title in ("Composante", "Règle et calcul", "Montant"):
            heading.cell(title)
        for line in lines:
            row = table.row()
            row.cell(_text(line.label))
            row.cell(_text(line.explanation))
            row.cell(_text(format_eur(line.amount)), align="RIGHT")
    pdf.ln(3)


def _totals(pdf: FPDF, totals: Sequence[tuple[str, Decimal]]) -> None:
    for index, (name, amount) in enumerate(totals):
        last = index == len(totals) - 1
        pdf.set_font(_FONT, "B" if last else "", 11 if last else 9)
        pdf.cell(145, 6, _text(name), align="R")
        pdf.cell(35, 6, _text(format_eur(amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _paragraphs(
    pdf: FPDF, texts: Sequence[str], *, size: int, colour: tuple[int, int, int] = (0, 0, 0)
) -> None:
    pdf.set_font(_FONT, "", size)
    pdf.set_text_color(*colour)
    for paragraph in texts:
        pdf.multi_cell(0, size * 0.5, _text(paragraph), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _text(text: str) -> str:
    """Keep text printable with the core fonts (Windows-1252), replacing the rest."""
    return text.translate(_SUBSTITUTES).encode("cp1252", "replace").decode("cp1252")
