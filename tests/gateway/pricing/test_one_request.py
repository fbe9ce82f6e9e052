"""One request, parsed once: a quote covers the extract asked with the same body (issue 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from gateway.db.models import InvoiceRecord, Order, QuoteRecord
from tests.gateway.pipeline.conftest import demo_headers
from tests.support.state import get_database

AUBAGNE = {"level": "commune", "codes": ["13005"]}
#: A commune asking for its own data under a per-extract tariff: 402 without a quote.
PAID = {
    "indicators": ["PLACES_EAJE", "ENF_MOINS_3"],
    "territories": AUBAGNE,
    "periods": [2024],
    "use": "usage_final",
}
#: The margins POST /quotes used to refuse (an EPCI asking for two of its communes and their
#: total, indicators in another order): the same request for the quote and the extract.
WITH_TOTAL = {
    "indicators": ["ENF_MOINS_3", "PLACES_EAJE"],
    "territories": {"level": "commune", "codes": ["13005", "13070"]},
    "periods": [2024],
    "use": "usage_final",
    "totals": True,
    "parents": False,
}


@pytest.fixture
def headers(app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    """Demo keys and conventions, on each backend."""
    return demo_headers(app, tmp_path)


@pytest.fixture
def auth(sqlite_app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    """Demo keys and conventions, on SQLite (behaviour rather than storage)."""
    return demo_headers(sqlite_app, tmp_path)


def _quote_and_accept(client: FlaskClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    quote = client.post("/api/v1/quotes", json=body, headers=headers)
    assert quote.status_code == 201, quote.json
    accepted = client.post(f"/api/v1/quotes/{quote.json['id']}/accept", headers=headers)
    assert accepted.status_code == 201, accepted.json
    return quote.json


@pytest.mark.parametrize(
    ("slug", "quoted", "extracted"),
    [
        ("commune", PAID, PAID),
        ("commune", PAID, {**PAID, "format": "csv"}),  # the format is no part of what is asked
        ("epci", WITH_TOTAL, {**WITH_TOTAL, "indicators": ["PLACES_EAJE", "ENF_MOINS_3"]}),
    ],
    ids=["same-body", "another-format", "totals"],
)
def test_an_accepted_quote_is_honoured(
    app: Flask,
    client: FlaskClient,
    headers: dict[str, dict[str, str]],
    slug: str,
    quoted: dict[str, Any],
    extracted: dict[str, Any],
) -> None:
    auth = headers[slug]
    quote = _quote_and_accept(client, auth, quoted)
    delivered = client.post("/api/v1/extracts", json=extracted, headers=auth)
    assert delivered.status_code == 200, delivered.get_data(as_text=True)[:400]
    extract_id = delivered.headers["X-Extrait"]
    status = client.get(f"/api/v1/extracts/{extract_id}", headers=auth).json
    with app.app_context(), get_database().sessions() as session:
        order = session.scalar(select(Order).where(Order.quote_id == quote["id"]))
        assert order is not None and order.status == "livree"
        invoice = session.scalar(select(InvoiceRecord).where(InvoiceRecord.order_id == order.id))
        assert invoice is not None and status["facture"] == invoice.number
        assert str(invoice.total) == quote["devis"]["total_ttc"]
        assert invoice.document["extrait"] == extract_id


def test_quote_and_extract_share_one_fingerprint(
    app: Flask, client: FlaskClient, headers: dict[str, dict[str, str]]
) -> None:
    """The 402 of an extract carries the same quote fingerprint as POST /quotes."""
    auth = headers["commune"]
    quoted = client.post("/api/v1/quotes", json=PAID, headers=auth).json
    refused = client.post("/api/v1/extracts", json={**PAID, "format": "xlsx"}, headers=auth)
    assert refused.status_code == 402
    with app.app_context(), get_database().sessions() as session:
        record = session.get(QuoteRecord, refused.json["devis"]["id"])
        assert record is not None and record.fingerprint == quoted["empreinte"]
        assert record.description == quoted["demande"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/extracts", {**PAID, "periods": [2024.5]}, "periods"),
        ("/api/v1/quotes", {**PAID, "periods": [2024.5]}, "periods"),
        ("/api/v1/quotes", {**PAID, "periods": ["2024"]}, "periods"),
        ("/api/v1/extracts", {**PAID, "zones": [1.5]}, "zones"),
        (
            "/api/v1/imaje/comparison",
            {
                "indicator": "ENF_MOINS_3",
                "study": AUBAGNE,
                "reference": {"level": "departement", "codes": ["13"]},
                "period": 2024.5,
                "use": "usage_final",
            },
            "period",
        ),
        (
            "/api/v1/imaje/history",
            {
                "indicator": "ENF_MOINS_3",
                "level": "commune",
                "code": "13005",
                "last_period": 2023.5,
                "use": "usage_final",
            },
            "last_period",
        ),
    ],
)
def test_a_year_is_an_integer(
    sqlite_client: FlaskClient,
    auth: dict[str, dict[str, str]],
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = sqlite_client.post(path, json=body, headers=auth["service_etat"])
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    message = str(response.json["errors"][field])
    assert "entier" in message or "Année" in message


@pytest.mark.parametrize(
    ("territories", "field", "words"),
    [
        ({"level": "commune"}, "_schema", "Donner soit level et codes"),
        ({"codes": ["13005"]}, "level", "Champ obligatoire"),
        ({"parent_level": "departement"}, "parent_code", "vont ensemble"),
        ({"parent_code": "13", "level": "commune"}, "parent_level", "vont ensemble"),
        (
            {"level": "commune", "codes": ["13005"], "parent_level": "departement"},
            "codes",
            "pas les deux",
        ),
        (
            {"parent_level": "commune", "parent_code": "13005", "level": "departement"},
            "level",
            "n'est pas plus fin",
        ),
        ({"level": "quartier", "codes": ["1"]}, "level", "Valeur inconnue"),
    ],
)
def test_territory_forms_are_checked_in_french(
    sqlite_client: FlaskClient,
    auth: dict[str, dict[str, str]],
    territories: dict[str, Any],
    field: str,
    words: str,
) -> None:
    for path in ("/api/v1/extracts", "/api/v1/quotes"):
        response = sqlite_client.post(
            path, json={**PAID, "territories": territories}, headers=auth["commune"]
        )
        assert response.status_code == 422, response.json
        errors = response.json["errors"]["territories"]
        assert words in " ".join(errors[field]), errors


def test_territory_forms_are_documented(sqlite_client: FlaskClient) -> None:
    document = sqlite_client.get("/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    request = schemas["Request"] if "Request" in schemas else schemas["ExtractRequest"]
    territories = request["properties"]["territories"]
    forms = territories["oneOf"]
    assert [sorted(form["required"]) for form in forms] == [
        ["codes", "level"],
        ["parent_code", "parent_level"],
    ]
    assert "Deux formes exclusives" in schemas["Territories"]["description"]


def test_the_requester_does_not_choose_the_quoting_caf(
    sqlite_client: FlaskClient, auth: dict[str, dict[str, str]]
) -> None:
    chosen = sqlite_client.post(
        "/api/v1/quotes", json={**PAID, "caf": "84"}, headers=auth["commune"]
    )
    assert chosen.status_code == 422
    assert chosen.json["errors"] == {"caf": ["Champ inconnu."]}
    # Quoted by the requester's own Caf, whose administrators read it (and whose delivery
    # finds it: the order is delivered, see test_an_accepted_quote_is_honoured).
    quote = sqlite_client.post("/api/v1/quotes", json=PAID, headers=auth["commune"])
    assert quote.status_code == 201, quote.json
    assert quote.json["caf"] == "13" and quote.json["devis"]["caf"] == "13"
    path = f"/api/v1/quotes/{quote.json['id']}"
    assert sqlite_client.get(path, headers=auth["admin_caf"]).status_code == 200


def test_a_national_account_is_quoted_by_the_caf_of_most_of_its_territory() -> None:
    from gateway.config import REPO_ROOT
    from gateway.pipeline.payment import quoting_caf
    from gateway.pipeline.request import TerritoryCell
    from gateway.reference.geography import load_geography
    from policies.access import RequesterProfile
    from policies.domain import GeoLevel, RequesterType

    geography = load_geography(REPO_ROOT / "data" / "reference")

    def cell(level: GeoLevel, code: str, requested: bool = True) -> TerritoryCell:
        communes = frozenset(geography.communes_of(level, code))
        return TerritoryCell(level, code, code, communes, requested)

    national = RequesterProfile("9", RequesterType.ADMIN_NATIONAL, None)
    mixed = (cell(GeoLevel.DEPARTEMENT, "84"), cell(GeoLevel.COMMUNE, "13005"))
    margins = (cell(GeoLevel.COMMUNE, "13005"), cell(GeoLevel.DEPARTEMENT, "84", False))

    class Asked:  # the two fields quoting_caf reads of a prepared request
        def __init__(self, profile: RequesterProfile, territories: Any) -> None:
            self.caller = type("Caller", (), {"profile": profile})()
            self.territories = territories

    caf_84 = geography.caf_of("84").code
    caf_13 = geography.caf_of("13").code
    assert quoting_caf(Asked(national, mixed), geography) == caf_84  # type: ignore[arg-type]
    assert quoting_caf(Asked(national, margins), geography) == caf_13  # type: ignore[arg-type]
    commune = RequesterProfile("5", RequesterType.COMMUNE, "13")
    assert quoting_caf(Asked(commune, mixed), geography) == "13"  # type: ignore[arg-type]


def test_quote_and_invoice_say_what_is_bought(
    sqlite_client: FlaskClient, auth: dict[str, dict[str, str]]
) -> None:
    commune = auth["commune"]
    quote = _quote_and_accept(sqlite_client, commune, PAID)
    assert quote["demande"]["indicators"] == PAID["indicators"]
    assert quote["demande"]["territories"] == AUBAGNE
    subject = {line["rubrique"]: line["valeur"] for line in quote["objet"]}
    assert subject["Indicateurs"] == "PLACES_EAJE, ENF_MOINS_3"
    assert subject["Territoires"] == "commune : 13005" and subject["Périodes"] == "2024"
    quote_pdf = sqlite_client.get(quote["pdf"], headers=commune)
    assert quote_pdf.status_code == 200 and quote_pdf.data.startswith(b"%PDF-")

    delivered = sqlite_client.post("/api/v1/extracts", json=PAID, headers=commune)
    extract_id = delivered.headers["X-Extrait"]
    number = sqlite_client.get(f"/api/v1/extracts/{extract_id}", headers=commune).json["facture"]
    invoice = sqlite_client.get(f"/api/v1/invoices/{number}", headers=commune)
    assert invoice.status_code == 200, invoice.json
    body = invoice.json
    assert body["extrait"] == extract_id and body["devis_ref"] == quote["reference"]
    assert body["demande"]["indicators"] == PAID["indicators"]
    assert body["caf"]["nom"] == "Caf des Bouches-du-Rhône"
    assert body["demandeur"]["nom"] == "Commune d'Aubagne"
    terms = " ".join(body["conditions"] + body["mentions_legales"])
    assert "à réception" not in terms  # one payment term, never two contradicting ones
    assert "à 30 jours, au plus tard le" in terms and "TVA au taux de 20 %" in terms
    assert sqlite_client.get(f"/api/v1/invoices/{number}", headers=auth["epci"]).status_code == 404

    pdf = sqlite_client.get(body["pdf"], headers=commune).data
    assert pdf.startswith(b"%PDF-")


def test_documents_print_the_request_and_the_extract() -> None:
    """The PDFs print what is bought: the request's lines, the extract, the payment terms."""
    from datetime import date

    from gateway.delivery.pricing_pdf import render_document_pdf
    from gateway.services.pricing.subject import request_subject
    from policies.domain import RequesterType, Use
    from tariffs import (
        PricingRequest,
        invoice_document,
        invoice_from_quote,
        price,
        quote_document,
    )
    from tariffs.invoice import Party
    from tests.support.tariffs import default_schedule

    schedule = default_schedule()
    day = date(2026, 3, 2)
    quote = price(
        PricingRequest(RequesterType.CABINET_PRIVE, Use.ETUDES, cells_per_zone=10, zones=2),
        schedule,
        day,
        caf_code="13",
    )
    subject = request_subject({**PAID, "totals": True})
    caf, buyer = Party("Caf des Bouches-du-Rhône"), Party("Cabinet")
    printed = quote_document(quote, caf=caf, requester=buyer, subject=subject)
    quote_pdf = render_document_pdf(printed, compress=False)
    invoice = invoice_from_quote(
        quote,
        number="13-2026-000001",
        caf=caf,
        requester=buyer,
        issued_on=day,
        billing=schedule.billing,
        subject=subject,
        extract_ref="abc123",
    )
    invoice_pdf = render_document_pdf(invoice_document(invoice), compress=False)
    for pdf in (quote_pdf, invoice_pdf):
        assert b"PLACES_EAJE, ENF_MOINS_3" in pdf and b"commune : 13005" in pdf
    assert b"abc123" in invoice_pdf
    assert "au plus tard le 01/04/2026".encode("cp1252") in invoice_pdf
    assert "à réception".encode("cp1252") not in invoice_pdf


def test_imaje_comparison_takes_a_custom_zone_and_shows_masked_cells(
    sqlite_client: FlaskClient, auth: dict[str, dict[str, str]]
) -> None:
    state = auth["service_etat"]
    zone = {"name": "Vallée de l'Huveaune", "communes": ["13005", "13070", "13007"]}
    zone_id = sqlite_client.post("/api/v1/zones", json=zone, headers=state).json["id"]
    common = {"indicator": "ENF_MOINS_3", "period": 2024, "use": "usage_final"}
    departement = {"level": "departement", "codes": ["13"]}
    compared = sqlite_client.post(
        "/api/v1/imaje/comparison",
        json={**common, "study": {"zone": zone_id}, "reference": departement},
        headers=state,
    )
    assert compared.status_code == 200, compared.json
    assert {s["code"] for s in compared.json["series"]} == {str(zone_id), "13"}

    small = {**common, "study": {"level": "commune", "codes": ["48001"]}, "reference": departement}
    extract = {
        "indicators": ["ENF_MOINS_3"],
        "territories": small["study"],
        "periods": [2024],
        "use": "usage_final",
    }
    # As an extract, the table stays refused as too fine: nothing is delivered nor recorded.
    refused = sqlite_client.post("/api/v1/extracts", json=extract, headers=state)
    assert refused.status_code == 422
    assert [r["regle"] for r in refused.json["reasons"]] == ["secret.trop_fin"]
    # The screen shows the same protected cell masked instead of refusing the whole screen.
    screen = sqlite_client.post("/api/v1/imaje/comparison", json=small, headers=state)
    assert screen.status_code == 200, screen.json
    (point,) = next(s for s in screen.json["series"] if s["code"] == "48001")["points"]
    assert point == {"periode": 2024, "valeur": None, "statut": "s"}
    assert any(p["valeur"] is not None for s in screen.json["series"] for p in s["points"])


@pytest.mark.parametrize(
    "study",
    [{"zone": 1, "level": "commune", "codes": ["13005"]}, {"zone": 0}],
)
def test_imaje_study_zone_is_checked(
    sqlite_client: FlaskClient, auth: dict[str, dict[str, str]], study: dict[str, Any]
) -> None:
    body = {
        "indicator": "ENF_MOINS_3",
        "study": study,
        "reference": {"level": "departement", "codes": ["13"]},
        "period": 2024,
        "use": "usage_final",
    }
    response = sqlite_client.post("/api/v1/imaje/comparison", json=body, headers=auth["epci"])
    assert response.status_code == 422
    assert "Champ inconnu." not in response.json["errors"]["study"]["zone"]


def test_the_subject_speaks_french() -> None:
    """Levels and uses under their French names, never the API's codes."""
    from gateway.services.pricing.subject import request_subject

    body = {
        "indicators": ["PLACES_EAJE"],
        "territories": {"parent_level": "departement", "parent_code": "13", "level": "epci"},
        "periods": [2024],
        "use": "etudes",
    }
    subject = dict(request_subject(body))
    assert subject["Territoires"] == "chaque EPCI du département 13"
    assert subject["Usage"] == "études"


def test_a_priced_comparison_is_one_quote_for_both_sides(
    sqlite_client: FlaskClient, auth: dict[str, dict[str, str]]
) -> None:
    """Regression: each side was a request of its own, so a paying requester accepted a quote,
    asked again, and got a second 402 for the reference side."""
    epci = auth["epci"]
    body = {
        "indicator": "PLACES_EAJE",
        "study": AUBAGNE,
        "reference": {"level": "epci", "codes": ["200054807"]},  # its own, Aubagne's EPCI
        "period": 2024,
        "use": "usage_final",
    }
    asked = sqlite_client.post("/api/v1/imaje/comparison", json=body, headers=epci)
    assert asked.status_code == 402, asked.json
    quote = asked.json["devis"]
    described = sqlite_client.get(f"/api/v1/quotes/{quote['id']}", headers=epci).json
    assert described["demande"]["territories"] == [AUBAGNE, body["reference"]]
    assert "commune : 13005 ; EPCI : 200054807" in str(described["objet"])
    accepted = sqlite_client.post(quote["accepter"], headers=epci)
    assert accepted.status_code == 201, accepted.json
    screen = sqlite_client.post("/api/v1/imaje/comparison", json=body, headers=epci)
    assert screen.status_code == 200, screen.json
    study, reference = screen.json["tableau"]["etude"], screen.json["tableau"]["reference"]
    assert {c["code_territoire"] for c in study["cellules"]} == {"13005"}
    assert {c["code_territoire"] for c in reference["cellules"]} == {"200054807"}
    with sqlite_client.application.app_context(), get_database().sessions() as session:
        assert len(session.scalars(select(QuoteRecord)).all()) == 1
