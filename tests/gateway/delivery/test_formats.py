"""Every format parses back with its own library and carries the same cells and note."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pytest

from gateway.delivery import FORMATS, SYNTHETIC_BANNER, Delivery, filename
from gateway.delivery.pdf import MAX_TABLE_CELLS, PdfRenderer
from gateway.delivery.table import header
from policies.catalogue import FICHE_FIELDS, FICHE_HEADINGS
from tests.gateway.delivery.conftest import KINDS, WITHOUT_OBJECT
from tests.gateway.delivery.readers import (
    PDFTOTEXT,
    collapse,
    pdf_text,
    read_csv,
    read_jsonstat,
    read_xlsx,
)

EXPECTED_COLUMNS = [
    "indicateur",
    "periode",
    "niveau",
    "code_territoire",
    "libelle_territoire",
    "age_jeune_enfant",
    "age_jeune_enfant_libelle",
    "valeur",
    "statut",
    "motif",
    "unite",
]
needs_poppler = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler) absent")


def expected_values(delivery: Delivery) -> list[float | None]:
    return [None if c.secret else c.value for c in delivery.cells]


def fiche_texts(delivery: Delivery) -> list[str]:
    return [getattr(ind.fiche, name) for ind in delivery.indicators for name in FICHE_FIELDS]


def test_registry_media_types_and_extensions() -> None:
    assert {name: (r.media_type.split(";")[0], r.extension) for name, r in FORMATS.items()} == {
        "json": ("application/json", "json"),
        "csv": ("text/csv", "csv"),
        "csv-fr": ("text/csv", "csv"),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "jsonstat": ("application/json", "json"),
        "sdmx-csv": ("application/vnd.sdmx.data+csv", "csv"),
        "pdf": ("application/pdf", "pdf"),
    }


@pytest.mark.parametrize("french", [False, True])
def test_csv_parses_back_with_pandas(delivery: Delivery, french: bool) -> None:
    data = FORMATS["csv-fr" if french else "csv"].render(delivery)
    assert data.startswith(b"\xef\xbb\xbf") is french
    frame = read_csv(data, french)
    assert list(frame.columns) == EXPECTED_COLUMNS == list(header(delivery))
    assert len(frame) == len(delivery.cells)
    values = [None if pd.isna(v) else v for v in frame["valeur"]]
    assert values == expected_values(delivery)
    assert list(frame["statut"]) == [c.symbol for c in delivery.cells]
    secret = frame[frame["statut"] == "s"]
    assert len(secret) == 4 and set(secret["motif"]) == {"SECRET"}
    assert set(frame.loc[frame["indicateur"] == "ALLOC", "age_jeune_enfant"]) == {"_Z"}
    assert "Métropole d’Aix-Marseille-Provence" in set(frame["libelle_territoire"])


def test_french_csv_uses_decimal_comma(build: Callable[..., Delivery]) -> None:
    delivery = build()
    first = replace(delivery.cells[0], value=1234.5)
    delivery = replace(delivery, cells=(first, *delivery.cells[1:]))
    line = FORMATS["csv-fr"].render(delivery).decode("utf-8-sig").splitlines()[1]
    assert ";1234,5;" in line
    assert read_csv(FORMATS["csv-fr"].render(delivery), french=True)["valeur"][0] == 1234.5


def test_json_parses_back(delivery: Delivery) -> None:
    document = json.loads(FORMATS["json"].render(delivery).decode("utf-8"))
    assert document["extrait"]["identifiant"] == "EXT-2026-000123"
    assert document["extrait"]["prix_eur"] == "179.59"
    assert [c["valeur"] for c in document["cellules"]] == expected_values(delivery)
    assert {c["statut"] for c in document["cellules"] if c["valeur"] is None} == {"s"}
    note = json.dumps(document["note"], ensure_ascii=False)
    for text in [*FICHE_HEADINGS.values(), *fiche_texts(delivery)]:
        assert text in note


def test_xlsx_sheets(delivery: Delivery) -> None:
    sheets = read_xlsx(FORMATS["xlsx"].render(delivery))
    assert list(sheets) == ["Données", "Note explicative", "Fiches"]
    data = sheets["Données"]
    assert list(data[0]) == EXPECTED_COLUMNS
    value_at = EXPECTED_COLUMNS.index("valeur")
    shown = [row[value_at] for row in data[1:]]
    assert shown == expected_values(delivery)  # a secret cell: no value, its symbol beside
    assert [row[value_at + 1] or "" for row in data[1:]] == [c.symbol for c in delivery.cells]
    note = "\n".join(str(row[0]) for row in sheets["Note explicative"])
    for text in [*FICHE_HEADINGS.values(), *fiche_texts(delivery)]:
        assert text in note
    assert len(sheets["Fiches"]) == 1 + len(delivery.indicators)


def test_xlsx_header_is_bold_and_frozen(delivery: Delivery) -> None:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(FORMATS["xlsx"].render(delivery)))["Données"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


def test_jsonstat_parses_back_with_pyjstat(delivery: Delivery) -> None:
    raw, frame = read_jsonstat(FORMATS["jsonstat"].render(delivery))
    assert raw["version"] == "2.0" and raw["class"] == "dataset"
    assert raw["id"] == ["indicateur", "periode", "territoire", "age_jeune_enfant"]
    assert len(frame) == len(raw["value"])
    published = frame.dropna(subset=["value"])
    assert len(published) == len(delivery.cells) - delivery.secret_count
    row = published[
        (published["indicateur"] == "ENF_MOINS_6")
        & (published["periode"] == "2023")
        & (published["territoire"] == "commune:13001")
        & (published["age_jeune_enfant"] == "_T")
    ]
    assert list(row["value"]) == [41000 * 0.11 + 3]
    assert sorted(raw["status"].values()).count("s") == delivery.secret_count
    for offset, symbol in raw["status"].items():
        assert (raw["value"][int(offset)] is None) is (symbol == "s")
    note = "\n".join(raw["note"])
    for text in [*FICHE_HEADINGS.values(), *fiche_texts(delivery)]:
        assert text in note
    assert raw["extension"]["extrait"]["identifiant"] == "EXT-2026-000123"


def test_pdf_is_a_pdf_with_the_extract_id(delivery: Delivery) -> None:
    data = PdfRenderer(compress=False).render(delivery)
    assert data.startswith(b"%PDF-")
    assert b"EXT-2026-000123" in data
    assert FORMATS["pdf"].render(delivery) == FORMATS["pdf"].render(delivery)  # deterministic


@needs_poppler
def test_pdf_carries_the_note_and_the_table(delivery: Delivery) -> None:
    text = pdf_text(FORMATS["pdf"].render(delivery))
    for expected in [*FICHE_HEADINGS.values(), *fiche_texts(delivery)]:
        assert collapse(expected) in text
    for expected in ("CONV-131-2026-007", "179,59", "14/03/2026", "Commune d’Aix-en-Provence"):
        assert expected in text
    assert "41 002" in text.replace("\u00a0", " ")  # ALLOC, Aix-en-Provence, 2022
    assert "figurent dans le fichier de données" not in text


@needs_poppler
def test_large_pdf_points_to_the_data_file(delivery: Delivery) -> None:
    cells = tuple(
        replace(cell, period=cell.period + 2 * i)
        for i in range(MAX_TABLE_CELLS // len(delivery.cells) + 1)
        for cell in delivery.cells
    )
    text = " ".join(pdf_text(FORMATS["pdf"].render(replace(delivery, cells=cells))).split())
    assert f"l’extrait compte {len(cells):,} cellules".replace(",", " ") in text.replace(
        "\u00a0", " "
    )
    # The PDF is the only file delivered: it must not claim a data file comes with it.
    assert "livré avec cette note" not in text
    assert "Ce document PDF contient la note explicative seule" in text
    assert "Les données ne figurent pas dans ce PDF" in text
    assert "/api/v1/extracts/EXT-2026-000123/download?format=csv" in text
    assert "download?format=xlsx" in text


@needs_poppler
def test_large_socle_pdf_points_to_the_socle_formats(delivery: Delivery) -> None:
    cells = tuple(
        replace(cell, period=cell.period + 2 * i)
        for i in range(MAX_TABLE_CELLS // len(delivery.cells) + 1)
        for cell in delivery.cells
    )
    header = replace(delivery.header, requester_type="grand_public", convention_reference=None)
    public = replace(delivery, cells=cells, header=header)
    text = " ".join(pdf_text(FORMATS["pdf"].render(public)).split())
    assert "Ce document PDF contient la note explicative seule" in text
    assert "GET /api/v1/socle/{indicateur}?format=csv" in text
    assert "/api/v1/extracts/" not in text


@pytest.mark.parametrize("synthetic", [True, False])
def test_synthetic_banner_in_every_format_carrying_the_note(
    build: Callable[..., Delivery], synthetic: bool
) -> None:
    delivery = build(synthetic=synthetic)
    assert (SYNTHETIC_BANNER in FORMATS["json"].render(delivery).decode()) is synthetic
    assert (SYNTHETIC_BANNER in FORMATS["jsonstat"].render(delivery).decode()) is synthetic
    rows = read_xlsx(FORMATS["xlsx"].render(delivery))["Note explicative"]
    assert any(row[0] == SYNTHETIC_BANNER for row in rows) is synthetic
    if PDFTOTEXT:
        assert (SYNTHETIC_BANNER in pdf_text(FORMATS["pdf"].render(delivery))) is synthetic
    assert ("donnees-synthetiques" in filename(delivery, "csv")) is synthetic


def test_filenames(delivery: Delivery) -> None:
    assert filename(delivery, "csv") == "extrait-EXT-2026-000123.csv"
    assert filename(delivery, "csv-fr") == "extrait-EXT-2026-000123-csv-fr.csv"
    assert filename(delivery, "jsonstat") == "extrait-EXT-2026-000123-jsonstat.json"


def test_user_text_never_becomes_a_spreadsheet_formula(delivery: Delivery) -> None:
    evil = '=HYPERLINK("http://x";"clic")'
    zone = replace(delivery.cells[0], territory_level="zone", territory_label=evil)
    delivery = replace(delivery, cells=(zone, *delivery.cells[1:]))
    assert read_csv(FORMATS["csv"].render(delivery))["libelle_territoire"][0] == "'" + evil
    sheet = read_xlsx(FORMATS["xlsx"].render(delivery))["Données"]
    assert sheet[1][4] == evil
    import io

    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(FORMATS["xlsx"].render(delivery)))["Données"]["E2"]
    assert cell.data_type == "s"


def test_zero_and_known_cells(delivery: Delivery) -> None:
    frame = read_csv(FORMATS["csv"].render(delivery))
    zero = frame[frame["statut"] == "-"]
    assert list(zero["valeur"]) == [0] and list(zero["motif"]) == ["NEANT"]
    known = frame[frame["statut"] == "a"]
    assert list(known["motif"]) == ["DEJA_DIFFUSEE"] and known["valeur"].notna().all()
    statuses = {(c.status, c.reason) for c in delivery.cells}
    assert statuses == set(KINDS) - {WITHOUT_OBJECT}  # ratios only
