"""PDF (fpdf2 core fonts, Windows-1252): the note explicative, and the data when they are few."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

from gateway.delivery.cells import DeliveredCell
from gateway.delivery.model import Delivery
from gateway.delivery.note import Note, build_note
from gateway.delivery.pdf_base import (
    BLACK,
    FONT,
    GREY,
    HEADINGS,
    open_document,
    pdf_text,
    write_block,
)
from gateway.delivery.table import public_value
from gateway.links import download_url, socle_url
from tariffs.money import format_number

#: Above this many cells the PDF says where the data are instead of printing them.
MAX_TABLE_CELLS = 500
_RED = (192, 0, 0)
_HEADING_SIZES = {1: 16, 2: 13, 3: 11, 4: 10}


class _NotePdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(*GREY)
        text = pdf_text(f"{self.footer_text} — page {self.page_no()}/{{nb}}")
        self.cell(0, 5, text, align="C")
        self.set_text_color(*BLACK)


@dataclass(frozen=True)
class PdfRenderer:
    compress: bool = True
    media_type: str = "application/pdf"
    extension: str = "pdf"

    def render(self, delivery: Delivery) -> bytes:
        """Render the note explicative, then the data table (or where to find the data)."""
        pdf = _NotePdf(f"Extrait {delivery.header.extract_id}")
        open_document(
            pdf,
            title=f"Note explicative - extrait {delivery.header.extract_id}",
            author="Cnaf, passerelle de diffusion",
            created=delivery.header.created_at,
            compress=self.compress,
            margin=18,
        )
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
            pdf.set_font(FONT, "", 9)
            write_block(pdf, text, 4.5)
            pdf.ln(1)


def _heading(pdf: FPDF, level: int, text: str) -> None:
    size = _HEADING_SIZES.get(level, 9)
    pdf.ln(3 if level > 1 else 0)
    pdf.set_font(FONT, "B" if level < 4 else "BI", size)
    write_block(pdf, text, size * 0.5)
    pdf.ln(1)


def _banner(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*_RED)
    pdf.set_draw_color(*_RED)
    write_block(pdf, text, 8, align="C", border=1)
    pdf.set_text_color(*BLACK)
    pdf.set_draw_color(*BLACK)
    pdf.ln(2)


def _data(pdf: FPDF, delivery: Delivery) -> None:
    _heading(pdf, 2, "Données")
    pdf.set_font(FONT, "", 9)
    if len(delivery.cells) > MAX_TABLE_CELLS:
        for paragraph in data_elsewhere(delivery):
            write_block(pdf, paragraph, 4.5, align="J")
            pdf.ln(1)
        return
    pdf.set_font(FONT, "", 7)
    titles = ("Indicateur", "Période", "Territoire", "Catégories", "Valeur", "Statut")
    with pdf.table(
        col_widths=(30, 14, 52, 52, 26, 16),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "CENTER"),
        headings_style=HEADINGS,
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
    header = delivery.header
    if header.requester_type == "grand_public" and header.convention_reference is None:
        codes = ", ".join(indicator.code for indicator in delivery.indicators)
        paragraphs.append(
            f"Publication du socle commun {header.extract_id} : relancer la même demande en "
            f"choisissant le format, GET {socle_url('{indicateur}')}?format=csv (ou csv-fr, "
            f"xlsx, json, jsonstat), pour chaque indicateur ({codes})."
        )
    else:
        files = [
            download_url(header.extract_id, name)
            for name in ("csv", "csv-fr", "xlsx", "json", "jsonstat")
        ]
        paragraphs.append(
            f"Identifiant de l’extrait : {delivery.header.extract_id}. Téléchargement : "
            f"GET {', '.join(files[:-1])} ou {files[-1]}."
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
        cell.symbol,
    )
