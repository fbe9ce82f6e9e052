"""Quotes and invoices as PDF: a printed document of `tariffs.printed`, laid out on A4."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from fpdf import FPDF

from gateway.delivery.pdf_base import (
    FONT,
    GREY,
    HEADINGS,
    open_document,
    paragraphs,
    pdf_text,
    write_block,
)
from tariffs.components import QuoteLine
from tariffs.invoice import Party
from tariffs.money import format_eur
from tariffs.printed import PrintedDocument


def render_document_pdf(doc: PrintedDocument, *, compress: bool = True) -> bytes:
    """Lay a printed document out: parties, facts, subject, lines, totals, notes, mentions."""
    pdf = FPDF(format="A4")
    made = datetime(doc.made_on.year, doc.made_on.month, doc.made_on.day, tzinfo=UTC)
    open_document(
        pdf,
        title=f"{doc.title} - {doc.reference}",
        author=doc.issuer.name,
        created=made,
        compress=compress,
        margin=15,
    )
    _header(pdf, doc)
    _facts(pdf, doc.facts)
    if doc.subject:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, "Objet : la demande", new_x="LMARGIN", new_y="NEXT")
        _facts(pdf, doc.subject)
    _lines_table(pdf, doc.lines)
    _totals(pdf, doc.totals)
    paragraphs(pdf, doc.notes, size=9)
    paragraphs(pdf, doc.legal_mentions, size=7, colour=GREY)
    return bytes(pdf.output())


def _header(pdf: FPDF, doc: PrintedDocument) -> None:
    top = pdf.get_y()
    _party(pdf, doc.issuer, x=pdf.l_margin, width=90)
    pdf.set_xy(110, top)
    pdf.set_font(FONT, "B", 18)
    pdf.cell(90, 9, pdf_text(doc.title.upper()), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(90, 6, pdf_text(doc.reference), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 30) + 4)
    pdf.set_x(110)
    pdf.set_font(FONT, "I", 9)
    pdf.cell(90, 5, "Destinataire", new_x="LEFT", new_y="NEXT")
    _party(pdf, doc.recipient, x=110, width=90)
    pdf.ln(6)


def _party(pdf: FPDF, party: Party, *, x: float, width: float) -> None:
    pdf.set_x(x)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(width, 5, pdf_text(party.name), align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    extra = [*party.address]
    if party.identifier:
        extra.append(f"Identifiant : {party.identifier}")
    if party.email:
        extra.append(party.email)
    for row in extra:
        pdf.set_x(x)
        pdf.multi_cell(width, 4.5, pdf_text(row), align="L", new_x="LEFT", new_y="NEXT")


def _facts(pdf: FPDF, facts: Sequence[tuple[str, str]]) -> None:
    for name, value in facts:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(50, 5, pdf_text(f"{name} :"))
        pdf.set_font(FONT, "", 9)
        write_block(pdf, value, 5)
    pdf.ln(4)


def _lines_table(pdf: FPDF, lines: Sequence[QuoteLine]) -> None:
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=(50, 105, 25), text_align="LEFT", headings_style=HEADINGS, line_height=4
    ) as table:
        heading = table.row()
        for title in ("Composante", "Règle et calcul", "Montant"):
            heading.cell(title)
        for line in lines:
            row = table.row()
            row.cell(pdf_text(line.label))
            row.cell(pdf_text(line.explanation))
            row.cell(pdf_text(format_eur(line.amount)), align="RIGHT")
    pdf.ln(3)


def _totals(pdf: FPDF, totals: Sequence[tuple[str, Decimal]]) -> None:
    for index, (name, amount) in enumerate(totals):
        last = index == len(totals) - 1
        pdf.set_font(FONT, "B" if last else "", 11 if last else 9)
        pdf.cell(145, 6, pdf_text(name), align="R")
        pdf.cell(35, 6, pdf_text(format_eur(amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
