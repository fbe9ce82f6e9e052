"""PDF (fpdf2 core fonts, Windows-1252): the note explicative, and the data when they are few."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from gateway.delivery.model import DeliveredCell, Delivery
from gateway.delivery.note import Note, build_note
from gateway.delivery.table import public_value
from tariffs.money import format_number

#: Above this many cells the PDF says where the data are instead of printing them.
MAX_TABLE_CELLS = 500
_FONT = "helvetica"
_RED = (192, 0, 0)
_GREY = (90, 90, 90)
_HEADING_SIZES = {1: 16, 2: 13, 3: 11, 4: 10}
# Characters outside Windows-1252 that French text commonly carries.
_SUBSTITUTES = str.maketrans({"\u202f": "\u00a0", "\u2212": "-", "\u2010": "-", "\u2011": "-"})


def pdf_text(text: str) -> str:
    """Keep text printable with the core fonts (Windows-1252), replacing the rest."""
    return text.translate(_SUBSTITUTES).encode("cp1252", "replace").decode("cp1252")


class _NotePdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 7)
        self.set_text_color(*_GREY)
        text = pdf_text(f"{self.footer_text} — page {self.page_no()}/{{nb}}")
        self.cell(0, 5, text, align="C")
        self.set_text_color(0, 0, 0)


@dataclass(frozen=True)
class PdfRenderer:
    compress: bool = True
    media_type: str = "application/pdf"
    extension: str = "pdf"

    def render(self, delivery: Delivery) -> bytes:
        """Render the note explicative, then the data table (or where to find the data)."""
        pdf = _NotePdf(f"Extrait {delivery.extract_id}")
        pdf.core_fonts_encoding = "cp1252"  # core fonts then print "€", "œ", "«»", "’"
        pdf.set_compression(self.compress)
        created = delivery.created_at
        pdf.set_creation_date(created if created.tzinfo else created.replace(tzinfo=UTC))
        pdf.set_title(pdf_text(f"Note explicative - extrait {delivery.extract_id}"))
        pdf.set_author("Cnaf, passerelle de diffusion")
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_page()
        _note(pdf, build_note(delivery))
        _data(pdf, delivery)
        return bytes(pdf.output())


def _note(pdf: FPDF, note: Note) -> None:
    for level, text in note.outline():
        if level:
            _heading(pdf, level, text)
        elif text == note.banner:
            _banner(pdf, text)
        else:
            pdf.set_font(_FONT, "", 9)
            pdf.multi_cell(0, 4.5, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)


def _heading(pdf: FPDF, level: int, text: str) -> None:
    size = _HEADING_SIZES.get(level, 9)
    pdf.ln(3 if level > 1 else 0)
    pdf.set_font(_FONT, "B" if level < 4 else "BI", size)
    pdf.multi_cell(0, size * 0.5, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _banner(pdf: FPDF, text: str) -> None:
    pdf.set_font(_FONT, "B", 11)
    pdf.set_text_color(*_RED)
    pdf.set_draw_color(*_RED)
    pdf.multi_cell(0, 8, pdf_text(text), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.ln(2)


def _data(pdf: FPDF, delivery: Delivery) -> None:
    _heading(pdf, 2, "Données")
    pdf.set_font(_FONT, "", 9)
    if len(delivery.cells) > MAX_TABLE_CELLS:
        for paragraph in data_elsewhere(delivery):
            pdf.multi_cell(0, 4.5, pdf_text(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        return
    pdf.set_font(_FONT, "", 7)
    headings = FontFace(emphasis="BOLD", fill_color=(225, 230, 240))
    titles = ("Indicateur", "Période", "Territoire", "Catégories", "Valeur", "Statut")
    with pdf.table(
        col_widths=(30, 14, 52, 52, 26, 16),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "CENTER"),
        headings_style=headings,
        line_height=3.5,
    ) as table:
        row = table.row()
        for title in titles:
            row.cell(pdf_text(title))
        for cell in delivery.cells:
            row = table.row()
            for text in _row_texts(delivery, cell):
                row.cell(pdf_text(text))


def data_elsewhere(delivery: Delivery) -> tuple[str, ...]:
    """Say that this PDF holds the note only, and where the data of a large extract are."""
    count = f"{len(delivery.cells):,}".replace(",", "\u202f")
    paragraphs = [
        f"Ce document PDF contient la note explicative seule : l’extrait compte {count} "
        f"cellules, au-delà des {MAX_TABLE_CELLS} qu’un PDF présente. Les données ne figurent "
        "pas dans ce PDF ; elles sont disponibles dans les autres formats (CSV, CSV au format "
        "français, XLSX, JSON, JSON-stat), chacun accompagné de cette même note."
    ]
    if delivery.requester_type == "grand_public" and delivery.convention_reference is None:
        codes = ", ".join(indicator.code for indicator in delivery.indicators)
        paragraphs.append(
            f"Publication du socle commun {delivery.extract_id} : relancer la même demande en "
            f"choisissant le format, GET /api/v1/socle/{{indicateur}}?format=csv (ou csv-fr, "
            f"xlsx, json, jsonstat), pour chaque indicateur ({codes})."
        )
    else:
        path = f"/api/v1/extracts/{delivery.extract_id}/download?format="
        paragraphs.append(
            f"Identifiant de l’extrait : {delivery.extract_id}. Téléchargement : GET {path}csv, "
            f"{path}csv-fr, {path}xlsx, {path}json ou {path}jsonstat."
        )
    return tuple(paragraphs)


def _row_texts(delivery: Delivery, cell: DeliveredCell) -> tuple[str, ...]:
    value = public_value(cell)
    shown = "" if value is None else format_number(Decimal(repr(value)))
    labels = []
    for code, category in cell.categories.items():
        names = {c.code: c.label for c in delivery.breakdowns[code].categories}
        labels.append(names.get(category, "Ensemble"))
    territory = f"{cell.territory_label} ({cell.territory_level} {cell.territory_code})"
    return (
        cell.indicator,
        str(cell.period),
        territory,
        ", ".join(labels) or "-",
        shown,
        cell.status.symbol,
    )
