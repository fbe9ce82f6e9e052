"""The XLSX file: the same bytes for the same delivery, texts that stay texts."""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook

from gateway.delivery import FORMATS, Delivery

FORMULA_LIKE = ('=HYPERLINK("http://x";"clic")', "=1+1", "#N/A", "@SOMME(A1)")


def _next_second() -> None:
    """Wait for the clock's next second: a file stamped with the time of rendering changes."""
    now = int(time.time())
    while int(time.time()) == now:
        time.sleep(0.02)


def test_two_renderings_of_a_delivery_are_the_same_bytes(delivery: Delivery) -> None:
    first = FORMATS["xlsx"].render(delivery)
    _next_second()
    assert FORMATS["xlsx"].render(delivery) == first


def test_the_file_is_dated_by_the_extract_creation(delivery: Delivery) -> None:
    paris = timezone(timedelta(hours=1))
    created = datetime(2026, 3, 14, 10, 30, 5, tzinfo=paris)  # 09:30:05 UTC
    data = FORMATS["xlsx"].render(
        replace(delivery, header=replace(delivery.header, created_at=created))
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # in UTC, to the even second below (a zip entry's date counts seconds by two)
        assert {entry.date_time for entry in archive.infolist()} == {(2026, 3, 14, 9, 30, 4)}
    properties = load_workbook(io.BytesIO(data), read_only=True).properties
    assert properties.created == properties.modified == datetime(2026, 3, 14, 9, 30, 5)
    assert properties.creator == "Cnaf, passerelle de diffusion"
    assert properties.title == "Extrait EXT-2026-000123"


def test_a_formula_like_text_stays_a_string(delivery: Delivery) -> None:
    cells = tuple(
        replace(cell, territory_label=FORMULA_LIKE[number % len(FORMULA_LIKE)])
        for number, cell in enumerate(delivery.cells)
    )
    data = FORMATS["xlsx"].render(replace(delivery, cells=cells))
    sheet = load_workbook(io.BytesIO(data))["Données"]
    label = [c.value for c in sheet[1]].index("libelle_territoire") + 1
    shown = [sheet.cell(row, label) for row in range(2, len(cells) + 2)]
    assert [cell.value for cell in shown] == [cell.territory_label for cell in cells]
    assert {cell.data_type for cell in shown} == {"s"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any(b"<f>" in archive.read(name) for name in archive.namelist())
