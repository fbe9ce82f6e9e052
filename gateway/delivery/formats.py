"""Renderers of a delivery: JSON, CSV (international and French), XLSX, JSON-stat, SDMX-CSV
and PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

import orjson

from gateway.delivery.cells import DeliveredCell
from gateway.delivery.metadata import extract_metadata
from gateway.delivery.model import Delivery
from gateway.delivery.note import build_note
from gateway.delivery.table import header, number_text, public_value, rows, safe_text


class Renderer(Protocol):
    """Turn a delivery into the bytes of one file format."""

    @property
    def media_type(self) -> str: ...

    @property
    def extension(self) -> str: ...

    def render(self, delivery: Delivery) -> bytes: ...


def json_cell(cell: DeliveredCell) -> dict[str, Any]:
    """Return a cell as the JSON file and the IMAJE screens show it (public value and symbol)."""
    return {
        "indicateur": cell.indicator,
        "periode": cell.period,
        "niveau": cell.territory_level,
        "code_territoire": cell.territory_code,
        "libelle_territoire": cell.territory_label,
        "categories": dict(cell.categories),
        "valeur": public_value(cell),
        "statut": cell.symbol,
        "motif": cell.public_reason,
        "unite": cell.unit_label,
        **({"a_cheval": list(cell.straddles)} if cell.straddles else {}),
    }


def json_document(delivery: Delivery) -> dict[str, Any]:
    """Return the JSON file's document: {extrait, cellules, note}."""
    return {
        "extrait": extract_metadata(delivery),
        "cellules": [json_cell(cell) for cell in delivery.cells],
        "note": build_note(delivery).to_dict(),
    }


@dataclass(frozen=True)
class JsonRenderer:
    media_type: str = "application/json"
    extension: str = "json"

    def render(self, delivery: Delivery) -> bytes:
        """Render {extrait, cellules, note} as UTF-8 JSON (no NaN: a cell refuses one)."""
        return orjson.dumps(json_document(delivery), option=orjson.OPT_NON_STR_KEYS)


@dataclass(frozen=True)
class CsvRenderer:
    """CSV: "," and "." in UTF-8, or the French variant: ";" and "," in UTF-8 with a BOM."""

    delimiter: str = ","
    decimal_mark: str = "."
    encoding: str = "utf-8"
    media_type: str = "text/csv; charset=utf-8; header=present"
    extension: str = "csv"

    def render(self, delivery: Delivery) -> bytes:
        """Render one row per cell; a secret cell has an empty value and the status "s".

        Text fields (codes, labels, symbols) are quoted and numbers are not: a reader that
        types quoted fields as text (LibreOffice's "champ entre guillemets comme texte",
        csv.QUOTE_NONNUMERIC readers) keeps "01" and "01004" as codes, never as numbers.
        """
        buffer = io.StringIO(newline="")
        writer = csv.writer(
            buffer,
            delimiter=self.delimiter,
            lineterminator="\r\n",
            quoting=csv.QUOTE_NONNUMERIC,
        )
        columns = header(delivery)
        writer.writerow(columns)
        value_at = columns.index("valeur")
        for row in rows(delivery):
            cells = [safe_text(v) if isinstance(v, str) else v for v in row]
            value = cells[value_at]
            # The value is written as a bare number: the decimal mark of csv-fr is ",".
            cells[value_at] = (
                None if value is None else _Bare(number_text(float(value), self.decimal_mark))
            )
            writer.writerow(cells)
        return buffer.getvalue().encode(self.encoding)


class _Bare(float):
    """A number already written as text (its decimal mark chosen): left unquoted by csv."""

    def __new__(cls, text: str) -> _Bare:
        number = super().__new__(cls, text.replace(",", "."))
        number.text = text
        return number

    text: str

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _registry() -> Mapping[str, Renderer]:
    from gateway.delivery.jsonstat import JsonStatRenderer
    from gateway.delivery.pdf import PdfRenderer
    from gateway.delivery.sdmx import SdmxCsvRenderer
    from gateway.delivery.xlsx import XlsxRenderer

    return MappingProxyType(
        {
            "json": JsonRenderer(),
            "csv": CsvRenderer(),
            "csv-fr": CsvRenderer(delimiter=";", decimal_mark=",", encoding="utf-8-sig"),
            "xlsx": XlsxRenderer(),
            "jsonstat": JsonStatRenderer(),
            "sdmx-csv": SdmxCsvRenderer(),
            "pdf": PdfRenderer(),
        }
    )


FORMATS: Mapping[str, Renderer] = _registry()


def filename(delivery: Delivery, format_name: str) -> str:
    """Return the download name: "extrait-X.csv", "extrait-X-jsonstat.json"..."""
    renderer = FORMATS[format_name]
    stem = f"extrait-{delivery.header.extract_id}"
    if format_name != renderer.extension:
        stem += f"-{format_name}"
    if delivery.header.synthetic:
        stem += "-donnees-synthetiques"
    return f"{stem}.{renderer.extension}"


def render(delivery: Delivery, format_name: str) -> bytes:
    """Render `delivery` in the format registered as `format_name` (KeyError if unknown)."""
    return FORMATS[format_name].render(delivery)
