"""What every PDF of the gateway shares: fpdf2 core fonts in Windows-1252, metadata, text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT = "helvetica"
GREY = (90, 90, 90)
BLACK = (0, 0, 0)
#: The heading row of every table.
HEADINGS = FontFace(emphasis="BOLD", fill_color=(225, 230, 240))
# Characters outside Windows-1252 that French text commonly carries.
_SUBSTITUTES = str.maketrans({"\u202f": "\u00a0", "\u2212": "-", "\u2010": "-", "\u2011": "-"})


def pdf_text(text: str) -> str:
    """Keep text printable with the core fonts (Windows-1252), replacing the rest."""
    return text.translate(_SUBSTITUTES).encode("cp1252", "replace").decode("cp1252")


def open_document(
    pdf: FPDF, *, title: str, author: str, created: datetime, compress: bool, margin: float
) -> None:
    """Set a new document up (fonts, compression, metadata, page breaks) and open its page."""
    pdf.core_fonts_encoding = "cp1252"  # core fonts then print "€", "œ", "«»", "’"
    pdf.set_compression(compress)
    pdf.set_creation_date(created if created.tzinfo else created.replace(tzinfo=UTC))
    pdf.set_title(pdf_text(title))
    pdf.set_author(pdf_text(author))
    pdf.set_auto_page_break(auto=True, margin=margin)
    pdf.add_page()


def write_block(
    pdf: FPDF, text: str, height: float, *, align: str = "L", border: Literal[0, 1] = 0
) -> None:
    """Write a paragraph across the page, then go to the left margin of the next line."""
    pdf.multi_cell(
        0, height, pdf_text(text), border=border, align=align, new_x="LMARGIN", new_y="NEXT"
    )


def paragraphs(
    pdf: FPDF, texts: Sequence[str], *, size: int, colour: tuple[int, int, int] = BLACK
) -> None:
    """Write paragraphs in one size and colour, a little apart, then a gap after them."""
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*colour)
    for paragraph in texts:
        write_block(pdf, paragraph, size * 0.5)
        pdf.ln(1)
    pdf.set_text_color(*BLACK)
    pdf.ln(2)
