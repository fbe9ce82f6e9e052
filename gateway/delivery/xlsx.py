"""XLSX (XlsxWriter, constant memory): sheets "Données", "Note explicative" and "Fiches".

Rows are streamed to disk as they are written, one row in memory at a time: a 181,000-cell
extract took 111 s and held its whole workbook in memory with openpyxl's normal mode, and
openpyxl's write-only mode still spent about 20 s of CPU in its XML writer
(`bench.xlsx_bench`). Every text is written as a string and every number as a number, so a
text starting with "=" never becomes a formula. The file is the same bytes for the same
delivery: its zip entries and its properties carry the extract's creation time, never the
time of rendering.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import xlsxwriter

from gateway.delivery.model import Delivery
from gateway.delivery.note import build_note
from gateway.delivery.stable_zip import redated, utc_naive
from gateway.delivery.table import LABEL_SUFFIX, code_columns, header, rows
from policies.catalogue import FICHE_FIELDS, FICHE_HEADINGS

DATA_SHEET, NOTE_SHEET, FICHES_SHEET = "Données", "Note explicative", "Fiches"
_WRAP = {"text_wrap": True, "valign": "top"}
#: Cell formats by name, as XlsxWriter takes them.
_FORMATS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "bold": {"bold": True},
        "text": {"num_format": "@"},  # codes: "01004" stays text when edited
        "whole": {"num_format": "#,##0"},
        "decimal": {"num_format": "#,##0.00##"},
        "wrap": _WRAP,
        "heading1": {**_WRAP, "bold": True, "font_size": 14},
        "heading2": {**_WRAP, "bold": True, "font_size": 12},
        "heading": {**_WRAP, "bold": True},
        "banner": {**_WRAP, "bold": True, "font_color": "#C00000"},
    }
)
_OPTIONS: Mapping[str, bool] = MappingProxyType(
    {
        "constant_memory": True,
        # Never guess: `write_string` and `write_number` say what each cell is.
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
)


@dataclass(frozen=True)
class XlsxRenderer:
    media_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension: str = "xlsx"

    def render(self, delivery: Delivery) -> bytes:
        """Render the workbook; a secret cell has an empty value and the status "s"."""
        created = utc_naive(delivery.header.created_at)
        buffer = io.BytesIO()
        with xlsxwriter.Workbook(buffer, dict(_OPTIONS)) as workbook:
            workbook.set_properties(
                {
                    "title": f"Extrait {delivery.header.extract_id}",
                    "author": "Cnaf, passerelle de diffusion",
                    "created": created,  # also the "modified" date
                }
            )
            formats = {name: workbook.add_format(dict(spec)) for name, spec in _FORMATS.items()}
            _data_sheet(workbook.add_worksheet(DATA_SHEET), delivery, formats)
            _note_sheet(workbook.add_worksheet(NOTE_SHEET), delivery, formats)
            _fiches_sheet(workbook.add_worksheet(FICHES_SHEET), delivery, formats)
        return redated(buffer.getvalue(), created)


def _data_sheet(sheet: Any, delivery: Delivery, formats: Mapping[str, Any]) -> None:
    """One row per cell. The value column holds numbers only (empty for a cell without value,
    whose symbol is in the "statut" column); code columns are text cells in text format."""
    columns = header(delivery)
    for at, name in enumerate(columns):
        wide = name == "libelle_territoire" or name.endswith(LABEL_SUFFIX)
        sheet.set_column(at, at, 40 if wide else max(12, len(name) + 2))
    sheet.freeze_panes(1, 0)
    for at, name in enumerate(columns):
        sheet.write_string(0, at, name, formats["bold"])
    value_at = columns.index("valeur")
    codes = {columns.index(name) for name in code_columns(delivery)}
    text_format = [formats["text"] if at in codes else None for at in range(len(columns))]
    whole, decimal = formats["whole"], formats["decimal"]
    write_string, write_number = sheet.write_string, sheet.write_number
    for number, row in enumerate(rows(delivery), start=1):
        for at, value in enumerate(row):
            if value is None or value == "":
                continue  # no cell: a cell without value, an empty symbol or reason
            if at == value_at:
                write_number(number, at, value, whole if float(value).is_integer() else decimal)
            elif isinstance(value, str):
                write_string(number, at, value, text_format[at])
            else:
                write_number(number, at, value)


def _note_sheet(sheet: Any, delivery: Delivery, formats: Mapping[str, Any]) -> None:
    note = build_note(delivery)
    sheet.set_column(0, 0, 120)
    for number, (level, text) in enumerate(note.outline()):
        if level:
            name = f"heading{level}" if level in (1, 2) else "heading"
        else:
            name = "banner" if text == note.banner else "wrap"
        sheet.write_string(number, 0, text, formats[name])


def _fiches_sheet(sheet: Any, delivery: Delivery, formats: Mapping[str, Any]) -> None:
    headings = ("Code", "Libellé", *(FICHE_HEADINGS[name] for name in FICHE_FIELDS))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(headings) - 1, 45)
    sheet.freeze_panes(1, 2)
    for at, text in enumerate(headings):
        sheet.write_string(0, at, text, formats["bold"])
    for number, ind in enumerate(delivery.indicators, start=1):
        texts = (ind.code, ind.label, *(getattr(ind.fiche, name) for name in FICHE_FIELDS))
        for at, text in enumerate(texts):
            sheet.write_string(number, at, text, formats["wrap"])
