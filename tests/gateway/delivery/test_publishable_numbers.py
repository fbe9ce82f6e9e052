"""Numbers ready to publish: rounded per unit, "sans objet" ratios, codes as text, labels."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gateway.delivery import FORMATS, DeliveredCell, Delivery, DeliveryHeader, build_note
from gateway.delivery.model import publishable
from gateway.pipeline.deliver import (
    RATIO_WARNING,
    _ratio,
    build_delivery,
    cells_from_json,
    cells_to_json,
)
from gateway.pipeline.protection import ProtectedCell
from gateway.pipeline.request import TerritoryCell
from policies.catalogue import Catalogue
from policies.domain import GeoLevel, Kind
from policies.secrecy import Reason, Status
from tests.gateway.delivery.conftest import EMPTY, PRIMARY, SAFE, SECONDARY, WITHOUT_OBJECT
from tests.gateway.delivery.readers import read_csv

NOISY_EUROS = 1839112309.8800042
CONTEXT = DeliveryHeader(
    extract_id="EXT-42",
    created_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
    requester_name="Conseil départemental de l'Ain",
    requester_type="conseil_departemental",
    caf_code="01",
    caf_name="Caf de l'Ain",
    convention_reference="CONV-01-2026-001",
    use="usage_final",
    synthetic=False,
    price_total=Decimal("0"),
)


def _cell(
    indicator: str,
    value: float | None,
    kind: tuple[Status, Reason] = SAFE,
    *,
    level: str = "departement",
    code: str = "01",
    label: str = "Ain",
    categories: dict[str, str] | None = None,
) -> DeliveredCell:
    return DeliveredCell(indicator, 2024, level, code, label, categories or {}, value, *kind, "u")


def _delivery(catalogue: Catalogue, indicators: list[str], cells: list[DeliveredCell]) -> Delivery:
    return build_delivery(CONTEXT, indicators, catalogue, tuple(cells))


# --- rounding per unit, at the delivery boundary --------------------------------------------


def test_amounts_are_rounded_to_the_cent_and_counts_to_units(catalogue: Catalogue) -> None:
    delivery = _delivery(
        catalogue,
        ["RSA_MONTANT", "ALLOC"],
        [_cell("RSA_MONTANT", NOISY_EUROS), _cell("ALLOC", 41002.00000000001)],
    )
    assert [c.value for c in delivery.cells] == [1839112309.88, 41002]
    assert isinstance(delivery.cells[1].value, int)

    text = FORMATS["json"].render(delivery).decode()
    cells = json.loads(text)["cellules"]
    assert [c["valeur"] for c in cells] == [1839112309.88, 41002]
    assert "8800042" not in text and "41002.0" not in text
    csv_text = FORMATS["csv"].render(delivery).decode()
    assert ",1839112309.88," in csv_text and ",41002," in csv_text
    assert ";1839112309,88;" in FORMATS["csv-fr"].render(delivery).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(FORMATS["xlsx"].render(delivery)))["Données"]
    values = [row[0].value for row in sheet.iter_rows(min_row=2, min_col=6, max_col=6)]
    assert values == [1839112309.88, 41002]


@pytest.mark.parametrize(
    ("kind", "value", "published"),
    [
        (Kind.AMOUNT, 0.1 + 0.2, 0.3),
        (Kind.AMOUNT, 1500.5, 1500.5),
        (Kind.COUNT, 7.0, 7),
        (Kind.COUNT, 6.999999999, 7),
        (Kind.RATIO, 12.345678, 12.3457),
    ],
)
def test_publishable_value_per_kind(kind: Kind, value: float, published: float) -> None:
    cell = publishable(_cell("ALLOC", value), kind)
    assert cell.value == published and type(cell.value) is type(published)


def test_a_secret_cell_stays_without_value(catalogue: Catalogue) -> None:
    secret = _cell("RSA_MONTANT", None, PRIMARY)
    assert _delivery(catalogue, ["RSA_MONTANT"], [secret]).cells[0].value is None


# --- a ratio with a zero denominator is "sans objet", never 0 --------------------------------


def _protected(value: float) -> ProtectedCell:
    territory = TerritoryCell(GeoLevel.DEPARTEMENT, "01", "Ain", frozenset({"01001"}))
    return ProtectedCell(territory, "Total", value, Status.SAFE, Reason.NONE)


def test_a_zero_denominator_gives_sans_objet_not_zero() -> None:
    status, value, reason = _ratio(_protected(3.0), _protected(0.0), 100.0)
    assert (status, value) == (Status.EMPTY, None)
    assert reason == "ratio_denominateur_nul"
    assert _ratio(_protected(3.0), _protected(4.0), 100.0)[:2] == (Status.SAFE, 75.0)


def test_sans_objet_is_withheld_and_labelled_in_every_format(catalogue: Catalogue) -> None:
    ratio = catalogue.ratios()[0].code
    cell = _cell(ratio, None, WITHOUT_OBJECT)
    delivery = _delivery(catalogue, [ratio], [cell])

    [shown] = json.loads(FORMATS["json"].render(delivery))["cellules"]
    assert (shown["valeur"], shown["statut"], shown["motif"]) == (None, "so", "SANS_OBJET")
    frame = read_csv(FORMATS["csv"].render(delivery))
    assert frame["valeur"].isna().all() and list(frame["statut"]) == ["so"]
    sheet = load_workbook(io.BytesIO(FORMATS["xlsx"].render(delivery)))["Données"]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("valeur")] is None and row[header.index("statut")] == "so"
    note = json.dumps(build_note(delivery).to_dict(), ensure_ascii=False)
    assert "« so » : sans objet" in note
    assert "est publié à 0" not in RATIO_WARNING and "« so » (sans objet)" in RATIO_WARNING
    assert delivery.secret_count == 0  # not a secret: nothing is masked


def test_a_stored_ratio_published_at_zero_is_read_back_as_sans_objet() -> None:
    old = cells_to_json([_cell("TAUX_COUV_EAJE", 0.0, EMPTY)])
    old[0]["motif"] = "ratio_denominateur_nul"
    [cell] = cells_from_json(old)
    assert (cell.status, cell.reason, cell.value) == (*WITHOUT_OBJECT, None)


# --- codes stay text in spreadsheets; categories carry their labels --------------------------


def test_codes_keep_their_leading_zero_in_csv_and_xlsx(catalogue: Catalogue) -> None:
    cells = [
        _cell("ALLOC", 1200.0),
        _cell("ALLOC", 300.0, level="commune", code="01004", label="Ambérieu-en-Bugey"),
    ]
    delivery = _delivery(catalogue, ["ALLOC"], cells)

    raw = FORMATS["csv"].render(delivery).decode()
    assert '"departement","01","Ain"' in raw and '"01004"' in raw
    rows = list(csv.reader(io.StringIO(raw), quoting=csv.QUOTE_NONNUMERIC))
    assert [row[3] for row in rows[1:]] == ["01", "01004"]  # quoted: read as text
    assert [row[5] for row in rows[1:]] == [1200.0, 300.0]  # bare: read as numbers
    assert '"01"' in FORMATS["csv-fr"].render(delivery).decode("utf-8-sig")

    sheet = load_workbook(io.BytesIO(FORMATS["xlsx"].render(delivery)))["Données"]
    code = [c.value for c in sheet[1]].index("code_territoire") + 1
    for row in (2, 3):
        cell = sheet.cell(row, code)
        assert cell.data_type == "s" and cell.number_format == "@"
    assert [sheet.cell(r, code).value for r in (2, 3)] == ["01", "01004"]


def test_category_labels_sit_beside_their_codes(catalogue: Catalogue) -> None:
    ages = ["0_2", "3_5", "_T"]
    cells = [
        _cell("ENF_MOINS_6", 10.0 + i, categories={"age_jeune_enfant": age})
        for i, age in enumerate(ages)
    ] + [_cell("ALLOC", 50.0)]
    delivery = _delivery(catalogue, ["ENF_MOINS_6", "ALLOC"], cells)

    frame = read_csv(FORMATS["csv"].render(delivery))
    pairs = list(zip(frame["age_jeune_enfant"], frame["age_jeune_enfant_libelle"], strict=True))
    assert pairs == [
        ("0_2", "0-2 ans"),
        ("3_5", "3-5 ans"),
        ("_T", "Ensemble"),
        ("_Z", "Non ventilé"),
    ]
    sheet = load_workbook(io.BytesIO(FORMATS["xlsx"].render(delivery)))["Données"]
    header = [c.value for c in sheet[1]]
    at = header.index("age_jeune_enfant_libelle")
    assert header[at - 1] == "age_jeune_enfant"
    assert [sheet.cell(r, at + 1).value for r in range(2, 6)] == [p[1] for p in pairs]


def test_xlsx_value_column_holds_numbers_only(catalogue: Catalogue) -> None:
    cells = [
        _cell("ALLOC", None, SECONDARY),
        _cell("ALLOC", 12.0, level="commune", code="01004", label="Ambérieu-en-Bugey"),
    ]
    sheet = load_workbook(
        io.BytesIO(FORMATS["xlsx"].render(_delivery(catalogue, ["ALLOC"], cells)))
    )["Données"]
    header = [c.value for c in sheet[1]]
    value, status = header.index("valeur") + 1, header.index("statut") + 1
    assert [sheet.cell(r, value).value for r in (2, 3)] == [None, 12]
    assert [sheet.cell(r, status).value for r in (2, 3)] == ["s", None]
    assert sheet.cell(3, value).data_type == "n"
