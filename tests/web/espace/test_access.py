"""Every page of "Mon espace" asks to sign in, and another organisation's records are 404 pages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.account.conftest import Browser, text_of
from tests.web.espace.conftest import AUBAGNE, Headers, paid_delivery, paid_quote

PAGES = [
    "/espace",
    "/espace/extraits",
    "/espace/extraits/abc123",
    "/espace/extraits/abc123/fichier?format=csv",
    "/espace/devis",
    "/espace/devis/1",
    "/espace/devis/1/pdf",
    "/espace/factures",
    "/espace/factures/F-13-2026-000001/pdf",
    "/espace/zones",
    "/espace/zones/nouvelle",
    "/espace/conventions",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_visitor_to_sign_in_then_back(sqlite_app: Flask, path: str) -> None:
    response = sqlite_app.test_client().get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/compte/connexion?suivant=")


def test_the_forms_of_my_space_need_their_csrf_token(commune: Browser) -> None:
    for path in ("/espace/devis/1/acceptation", "/espace/zones/nouvelle"):
        response = commune.client.post(path, data={"action": "verifier"})
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert "Formulaire expiré ou incomplet" in text_of(response)


def test_my_space_is_in_the_navigation_once_signed_in(sqlite_app: Flask, commune: Browser) -> None:
    assert "Mon espace" not in text_of(sqlite_app.test_client().get("/"))
    home = commune.get("/")
    assert 'href="/espace"' in home.get_data(as_text=True)
    page = commune.get("/espace")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = text_of(page)
    for section in ("Extraits", "Devis", "Factures", "Zones personnalisées", "Conventions"):
        assert section in text
    assert 'aria-current="page">Mon espace' in page.get_data(as_text=True)


def test_another_organisations_records_are_french_404_pages(
    api: FlaskClient, keys: dict[str, Headers], departement: Browser
) -> None:
    quote, extract_id, invoice = paid_delivery(api, keys["commune"])
    for path in (
        f"/espace/extraits/{extract_id}",
        f"/espace/extraits/{extract_id}/fichier?format=csv",
        f"/espace/devis/{quote}",
        f"/espace/devis/{quote}/pdf",
        f"/espace/factures/{invoice}/pdf",
    ):
        response = departement.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"
        text = text_of(response)
        assert "introuvable" in text.lower() and "Traceback" not in text, path
    other = paid_quote(api, keys["commune"], {**AUBAGNE, "periods": [2022]})
    accept = departement.submit(f"/espace/devis/{other}/acceptation", {}, form_at="/espace")
    assert accept.status_code == 404 and "Devis introuvable" in text_of(accept)
    assert extract_id not in text_of(departement.get("/espace/extraits"))
