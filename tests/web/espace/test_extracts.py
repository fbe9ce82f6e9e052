"""My extracts: the list with its filters, an extract's page, its files in every format."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

from gateway.delivery import FORMATS
from tests.web.account.conftest import Browser, text_of
from tests.web.espace.conftest import Headers, paid_delivery


def test_the_list_shows_the_extracts_of_the_organisation_and_filters_them(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    _, extract_id, _ = paid_delivery(api, keys["commune"])
    listed = commune.get("/espace/extraits")
    assert listed.status_code == 200
    text = text_of(listed)
    assert extract_id in text and "Livré" in text and "PLACES_EAJE, ENF_MOINS_3" in text
    assert "(1)" in text  # the caption's count
    assert "/api/v1/me/extracts?per_page=20" in text  # the same call, by the API
    assert extract_id in text_of(commune.get("/espace/extraits?status=livre"))
    assert extract_id not in text_of(commune.get("/espace/extraits?status=echec"))
    assert extract_id not in text_of(commune.get("/espace/extraits?since=2999-01-01"))
    assert extract_id in text_of(commune.get("/espace/extraits?since=&until=&status="))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=hier", "Depuis le"),
        ("since=2026-02-01&until=2026-01-01", "Doit être postérieure ou égale"),
        ("status=perdu", "Statut"),
    ],
)
def test_bad_filters_are_said_beside_their_field(
    commune: Browser, query: str, message: str
) -> None:
    response = commune.get(f"/espace/extraits?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ces filtres ne conviennent pas" in page and 'class="champ__erreur"' in page
    assert message in text_of(response)


def test_an_extracts_page_says_what_was_asked_and_offers_every_format(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    _, extract_id, invoice = paid_delivery(api, keys["commune"])
    page = commune.get(f"/espace/extraits/{extract_id}")
    assert page.status_code == 200
    text = text_of(page)
    for expected in (
        "Livré",
        "Indicateurs PLACES_EAJE, ENF_MOINS_3",
        "Territoires commune : 13005",
        "Périodes 2023, 2024",
        "Usage usage final",
        "Cellules masquées (secret statistique)",
        f"Facture {invoice} (PDF)",
        "note explicative (PDF)",
    ):
        assert expected in text, expected
    html = page.get_data(as_text=True)
    for name in FORMATS:
        assert f"/espace/extraits/{extract_id}/fichier?format={name}" in html


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_downloads_through_the_apis_service(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser, name: str
) -> None:
    _, extract_id, _ = paid_delivery(api, keys["commune"])
    mine = commune.get(f"/espace/extraits/{extract_id}/fichier?format={name}")
    theirs = api.get(
        f"/api/v1/extracts/{extract_id}/download?format={name}", headers=keys["commune"]
    )
    assert mine.status_code == 200 and theirs.status_code == 200
    assert mine.headers["Content-Type"] == theirs.headers["Content-Type"]
    if name != "pdf":  # a PDF carries its production time
        assert mine.data == theirs.data
    if name == "csv":
        rows = list(csv.DictReader(io.StringIO(mine.get_data(as_text=True))))
        assert {r["code_territoire"] for r in rows} == {"13005"}


def test_an_unknown_format_and_an_unknown_extract_are_french_pages(commune: Browser) -> None:
    unknown = commune.get("/espace/extraits/inexistant")
    assert unknown.status_code == 404 and "Aucun extrait « inexistant »" in text_of(unknown)
    fmt = commune.get("/espace/extraits/inexistant/fichier?format=docx")
    assert fmt.status_code == 422 and "Format inconnu : « docx »" in text_of(fmt)


def test_a_long_list_goes_page_by_page(
    api: FlaskClient, keys: dict[str, Headers], departement: Browser
) -> None:
    free = {
        "indicators": ["ENF_MOINS_6"],
        "territories": {"level": "epci", "codes": ["241300417", "241300375"]},
        "use": "usage_final",
    }
    for period in (2021, 2022, 2023):
        body = {**free, "periods": [period]}
        asked = api.post("/api/v1/extracts", json=body, headers=keys["conseil_departemental"])
        assert asked.status_code == 200
    first = departement.get("/espace/extraits?per_page=2")
    assert "Page 1 sur 2" in text_of(first) and "(3)" in text_of(first)
    html = first.get_data(as_text=True)
    assert 'href="/espace/extraits?page=2&amp;per_page=2" rel="next"' in html
    second = departement.get("/espace/extraits?per_page=2&page=2")
    assert "Page 2 sur 2" in text_of(second) and "Page précédente" in text_of(second)
    assert text_of(second).count("/espace/extraits/") == 0  # ids are links, not text
    assert second.get_data(as_text=True).count('href="/espace/extraits/') == 1
