"""My quotes and invoices: a quote's lines and PDF, accepting it, its extract, the invoice."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from gateway.db.models import QuoteRecord
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of
from tests.web.espace.conftest import AUBAGNE, Headers, paid_quote


def test_a_quote_is_listed_read_accepted_then_its_extract_and_invoice_follow(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    quote = paid_quote(api, keys["commune"])
    listed = text_of(commune.get("/espace/devis"))
    assert f"Devis n° {quote}" in listed and "Proposé" in listed
    page = commune.get(f"/espace/devis/{quote}")
    assert page.status_code == 200
    text = text_of(page)
    for expected in ("Lignes du devis DEV-13-", "Total toutes taxes comprises", "Indicateurs"):
        assert expected in text
    assert "Accepter le devis" in text
    pdf = commune.get(f"/espace/devis/{quote}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment;")

    accepted = commune.submit(
        f"/espace/devis/{quote}/acceptation", {}, form_at=f"/espace/devis/{quote}"
    )
    assert accepted.status_code == 303 and accepted.headers["Location"] == f"/espace/devis/{quote}"
    after = text_of(commune.get(f"/espace/devis/{quote}"))
    assert "Devis accepté : commande n°" in after and "Obtenir l’extrait" in after
    assert "Accepter le devis" not in after
    assert api.get(f"/api/v1/quotes/{quote}", headers=keys["commune"]).json["statut"] == "accepte"
    again = commune.submit(f"/espace/devis/{quote}/acceptation", {}, form_at="/espace")
    assert again.status_code == 303
    assert "était déjà accepté" in text_of(commune.get(f"/espace/devis/{quote}"))

    ordered = commune.submit(f"/espace/devis/{quote}/extrait", {}, form_at=f"/espace/devis/{quote}")
    assert ordered.status_code == 303
    extract_path = ordered.headers["Location"]
    assert extract_path.startswith("/espace/extraits/")
    extract = text_of(commune.get(extract_path))
    assert "Livré" in extract and "Facture " in extract
    delivered = text_of(commune.get(f"/espace/devis/{quote}"))
    assert "Voir l’extrait livré" in delivered and "Télécharger la facture" in delivered

    invoices = commune.get("/espace/factures")
    invoice = api.get("/api/v1/me/invoices", headers=keys["commune"]).json["items"][0]["numero"]
    assert invoice in text_of(invoices) and extract_path.rsplit("/", 1)[1] in text_of(invoices)
    document = commune.get(f"/espace/factures/{invoice}/pdf")
    assert document.status_code == 200 and document.data.startswith(b"%PDF")
    assert f"facture-{invoice}.pdf" in document.headers["Content-Disposition"]


def test_an_expired_quote_cannot_be_accepted_and_the_page_says_why(
    sqlite_app: Flask, api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    quote = paid_quote(api, keys["commune"])
    with sqlite_app.app_context(), get_database().transaction() as session:
        record = session.get(QuoteRecord, quote)
        assert record is not None
        record.made_on, record.valid_until = date(2020, 1, 1), date(2020, 1, 31)
        dates = {"date_devis": "2020-01-01", "valide_jusqu_au": "2020-01-31"}
        record.document = {**record.document, **dates}
    page = text_of(commune.get(f"/espace/devis/{quote}"))
    assert "Ce devis a expiré" in page and "Accepter le devis" not in page
    assert "Expiré" in text_of(commune.get("/espace/devis?status=expire"))
    refused = commune.submit(f"/espace/devis/{quote}/acceptation", {}, form_at="/espace")
    assert refused.status_code == 409 and refused.mimetype == "text/html"
    text = text_of(refused)
    assert "Devis expiré" in text and "valable jusqu'au 2020-01-31" in text


def test_the_extract_of_a_quote_not_yet_accepted_is_not_asked(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    quote = paid_quote(api, keys["commune"])
    response = commune.submit(f"/espace/devis/{quote}/extrait", {}, form_at="/espace")
    assert response.status_code == 303 and response.headers["Location"] == f"/espace/devis/{quote}"
    assert "Acceptez d’abord le devis" in text_of(commune.get(f"/espace/devis/{quote}"))


def test_empty_lists_and_bad_filters(commune: Browser) -> None:
    assert "Aucun devis." in text_of(commune.get("/espace/devis"))
    assert "Aucune facture." in text_of(commune.get("/espace/factures"))
    bad = commune.get("/espace/factures?until=demain")
    assert bad.status_code == 422 and "Ces filtres ne conviennent pas" in text_of(bad)
    assert commune.get("/espace/devis/999999").status_code == 404


def test_an_extract_refused_at_delivery_is_said_on_the_quote_with_its_remedy(
    api: FlaskClient, keys: dict[str, Headers], commune: Browser
) -> None:
    """A table too fine to protect is refused when produced: the quote page says so."""
    fine = {**AUBAGNE, "indicators": ["PLACES_EAJE"], "periods": [2024]}
    quote = paid_quote(api, keys["commune"], fine)
    commune.submit(f"/espace/devis/{quote}/acceptation", {}, form_at="/espace")
    refused = commune.submit(f"/espace/devis/{quote}/extrait", {}, form_at="/espace")
    assert refused.status_code == 422 and refused.mimetype == "text/html"
    text = text_of(refused)
    assert "Refus au titre du secret statistique" in text
    assert "Pour obtenir ces données :" in text and "secret.trop_fin" in text
    assert "Obtenir l’extrait" in text  # the quote stays accepted: asked again later
