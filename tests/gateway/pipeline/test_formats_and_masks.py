"""Every format parses back with its own library, carries the note, and masks never change."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pandas as pd
import pytest
from flask.testing import FlaskClient
from pyjstat import pyjstat

from gateway.delivery import SYNTHETIC_BANNER
from policies.catalogue import FICHE_FIELDS

BODY = {
    "indicators": ["ENF_MOINS_6", "PLACES_EAJE"],
    "territories": {"parent_level": "epci", "parent_code": "200054807", "level": "commune"},
    "periods": [2023, 2024],
    "breakdowns": ["age_jeune_enfant"],
    "use": "usage_final",
    "totals": True,
}


@pytest.fixture
def delivered(sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]) -> tuple[str, Any]:
    response = sqlite_client.post("/api/v1/extracts", json=BODY, headers=keys["service_etat"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.headers["X-Extrait"], response.json


def _download(client: FlaskClient, headers: dict[str, str], extract_id: str, fmt: str) -> bytes:
    response = client.get(f"/api/v1/extracts/{extract_id}/download?format={fmt}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def _fiche_texts(client: FlaskClient) -> list[str]:
    texts = []
    for code in BODY["indicators"]:
        fiche = client.get(f"/api/v1/indicators/{code}").json["fiche"]
        texts += [fiche[field] for field in FICHE_FIELDS]
    return texts


def test_json_lists_every_cell_without_secret_values(delivered: tuple[str, Any]) -> None:
    _, document = delivered
    cells = document["cellules"]
    assert len(cells) == document["extrait"]["nombre_cellules"]
    secret = [c for c in cells if c["statut"] == "s"]
    assert secret and all(c["valeur"] is None and c["motif"] == "SECRET" for c in secret)
    assert all(c["valeur"] is not None for c in cells if c["statut"] != "s")
    assert document["extrait"]["donnees_synthetiques"] is True


@pytest.mark.parametrize(
    ("fmt", "reader"),
    [
        ("csv", lambda data: pd.read_csv(io.BytesIO(data), dtype=str)),
        (
            "csv-fr",
            lambda data: pd.read_csv(
                io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str
            ),
        ),
    ],
)
def test_csv_formats_parse_back(
    sqlite_client: FlaskClient,
    keys: dict[str, dict[str, str]],
    delivered: tuple[str, Any],
    fmt: str,
    reader: Any,
) -> None:
    extract_id, document = delivered
    frame = reader(_download(sqlite_client, keys["service_etat"], extract_id, fmt))
    assert len(frame) == len(document["cellules"])
    secret = frame[frame["statut"] == "s"]
    assert len(secret) and secret["valeur"].isna().all()


def test_xlsx_has_data_and_note(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]], delivered: tuple[str, Any]
) -> None:
    extract_id, document = delivered
    data = _download(sqlite_client, keys["service_etat"], extract_id, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Données"].max_row == len(document["cellules"]) + 1
    note = "\n".join(
        str(c.value) for row in book["Note explicative"].iter_rows() for c in row if c.value
    )
    assert all(text in note for text in _fiche_texts(sqlite_client))
    assert SYNTHETIC_BANNER in note


def test_jsonstat_parses_back(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]], delivered: tuple[str, Any]
) -> None:
    extract_id, document = delivered
    data = _download(sqlite_client, keys["service_etat"], extract_id, "jsonstat")
    frame = pyjstat.Dataset.read(data.decode()).write("dataframe")
    published = [c for c in document["cellules"] if c["statut"] != "s"]
    assert frame["value"].notna().sum() == len(published)


def test_json_note_contains_every_fiche(
    sqlite_client: FlaskClient, delivered: tuple[str, Any]
) -> None:
    _, document = delivered
    note = json.dumps(document["note"], ensure_ascii=False)
    assert all(text in note for text in _fiche_texts(sqlite_client))


def test_pdf_note(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]], delivered: tuple[str, Any]
) -> None:
    extract_id, _ = delivered
    assert _download(sqlite_client, keys["service_etat"], extract_id, "pdf").startswith(b"%PDF")


def test_same_request_same_mask(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers = keys["service_etat"]
    first = sqlite_client.post("/api/v1/extracts", json=BODY, headers=headers)
    second = sqlite_client.post("/api/v1/extracts", json=BODY, headers=headers)
    assert first.headers["X-Extrait"] == second.headers["X-Extrait"]  # served from the cache
    assert first.json["cellules"] == second.json["cellules"]


def test_mask_is_stable_across_requesters_and_requests(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    """Protection is deterministic: another requester with a fresh history gets the same mask."""
    masks = []
    for slug in ("service_etat", "organisme_mission_publique"):
        response = sqlite_client.post("/api/v1/extracts", json=BODY, headers=keys[slug])
        masks.append(
            [
                (c["code_territoire"], c["categories"], c["periode"], c["statut"])
                for c in response.json["cellules"]
            ]
        )
    assert masks[0] == masks[1]
