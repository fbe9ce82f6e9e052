"""XLSX (openpyxl): sheets "Données", "Note explicative" and "Fiches"."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gateway.delivery.model import Delivery
from gateway.delivery.note import build_note
from gateway.delivery.table import LABEL_SUFFIX, code_columns, header, rows
from policies.catalogue import FICHE_FIELDS, FICHE_HEADINGS

DATA_SHEET, NOTE_SHEET, FICHES_SHEET = "Données", "Note explicative", "Fiches"
_BOLD = Font(bold=True)
_HEADING_FONTS = {1: Font(bold=True, size=14), 2: Font(bold=True, size=12), 3: Font(bold=True)}
_BANNER_FONT = Font(bold=True, color="C00000")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class XlsxRenderer:
    media_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension: str = "xlsx"

    def render(self, delivery: Delivery) -> bytes:
        """Render the workbook; a secret cell has an empty value and the status "s"."""
        workbook = Workbook()
        workbook.properties.creator = "Cnaf, passerelle de diffusion"
        workbook.properties.title = f"Extrait {delivery.header.extract_id}"
        workbook.properties.created = delivery.header.created_at.replace(tzinfo=None)
        data = workbook.active
        assert data is not None
        data.title = DATA_SHEET
        _data_sheet(data, delivery)
        _note_sheet(workbook.create_sheet(NOTE_SHEET), delivery)
        _fiches_sheet(workbook.create_sheet(FICHES_SHEET), delivery)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _data_sheet(sheet: Worksheet, delivery: Delivery) -> None:
    """One row per cell. The value column holds numbers only (empty for a cell without value,
    whose symbol is in the "statut" column); code columns are text cells in text format."""
    columns = header(delivery)
    value_column = columns.index("valeur") + 1
    codes = [columns.index(name) + 1 for name in code_columns(delivery)]
    _write_row(sheet, 1, columns, font=_BOLD)
    for number, row in enumerate(rows(delivery), start=2):
        _write_row(sheet, number, row)
        for column in codes:
            sheet.cell(number, column).number_format = "@"
        value = sheet.cell(number, value_column)
        if isinstance(value.value, int | float):
            whole = float(value.value).is_integer()
            value.number_format = "#,##0" if whole else "#,##0.00##"
            value.value = int(value.value) if whole else value.value
    sheet.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        wide = name == "libelle_territoire" or name.endswith(LABEL_SUFFIX)
        width = 40 if wide else max(12, len(name) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _note_sheet(sheet: Worksheet, delivery: Delivery) -> None:
    note = build_note(delivery)
    sheet.column_dimensions["A"].width = 120
    for number, (level, text) in enumerate(note.outline(), start=1):
        cell = _write_row(sheet, number, (text,))[0]
        cell.alignment = _WRAP
        if level:
            cell.font = _HEADING_FONTS.get(level, _BOLD)
        elif text == note.banner:
            cell.font = _BANNER_FONT


def _fiches_sheet(sheet: Worksheet, delivery: Delivery) -> None:
    headings = ("Code", "Libellé", *(FICHE_HEADINGS[name] for name in FICHE_FIELDS))
    _write_row(sheet, 1, headings, font=_BOLD)
    for number, ind in enumerate(delivery.indicators, start=2):
        texts = (ind.code, ind.label, *(getattr(ind.fiche, name) for name in FICHE_FIELDS))
        for cell in _write_row(sheet, number, texts):
            cell.alignment = _WRAP
    sheet.freeze_panes = "C2"
    for index in range(1, len(headings) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if index == 1 else 45


def _write_row(
    sheet: Worksheet, number: int, values: Any, *, font: Font | None = None
) -> list[Any]:
    """Write values as data: a text starting with "=" stays text, never becomes a formula."""
    written = []
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(number, column)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        written.append(cell)
    return written
