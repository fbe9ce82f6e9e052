"""POST /api/v1/quotes and GET /quotes/{id}(.pdf): priced line by line, or free and saying why."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.gateway.pricing.conftest import PRICED, SOCLE, Keys, QuoteFactory


def test_priced_quote_explains_every_line(make_quote: QuoteFactory) -> None:
    body = make_quote("cabinet_prive")
    quote = body["devis"]
    assert body["statut"] == "propose"
    assert body["reference"] == f"DEV-13-{body['id']:06d}"
    assert [line["code"] for line in quote["lignes"]][-1] == "production"
    assert all(line["explication"] for line in quote["lignes"] + quote["ajustements"])
    assert [a["code"] for a in quote["ajustements"]] == [
        "coefficient.usage",
        "coefficient.demandeur",
    ]
    assert quote["categorie"] == "prive"
    assert quote["usage"] == "etudes"
    assert quote["tva"]["code"] == "tva"
    assert quote["total_ttc"] != "0.00"
    assert quote["gratuite"] is None
    assert quote["valide_jusqu_au"] > quote["date_devis"]
    assert quote["bareme_version"] == "2026.1"
    assert body["pdf"] == f"/api/v1/quotes/{body['id']}.pdf"


def test_production_counts_cells_per_zone(make_quote: QuoteFactory) -> None:
    quote = make_quote("cabinet_prive")["devis"]
    production = next(line for line in quote["lignes"] if line["code"] == "production")
    # 6 age bands x 4 bespoke categories x 1 indicator x 5 periods = 120 cells, 1 block x 2 zones
    assert "120 cellules par zone" in production["explication"]
    assert production["montant"] == "0.60"


@pytest.mark.parametrize(
    ("slug", "description", "waiver"),
    [
        ("conseil_departemental", PRICED, "exoneration.conseil_departemental_pmi"),
        ("cabinet_prive", SOCLE, "exoneration.socle_commun"),
    ],
)
def test_zero_priced_quote_says_why(
    make_quote: QuoteFactory, slug: str, description: dict[str, object], waiver: str
) -> None:
    quote = make_quote(slug, description)["devis"]
    assert quote["total_ttc"] == "0.00"
    assert quote["mode"] == "gratuit"
    assert quote["gratuite"]["code"] == waiver
    assert quote["motif_gratuite"]


def test_anonymous_cannot_ask_a_quote(client: FlaskClient) -> None:
    response = client.post("/api/v1/quotes", json=PRICED)
    assert response.status_code == 401
    assert response.json["code"] == "non_authentifie"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"territories": {"level": "departement", "codes": ["999"]}}, "territories"),
        ({"territories": {"level": "departement"}}, "territories"),
        ({"use": "revente"}, "use"),
        ({"periods": []}, "periods"),
        ({"indicators": None}, "indicators"),
    ],
)
def test_invalid_description_names_the_field(
    client: FlaskClient, keys: Keys, change: dict[str, object], field: str
) -> None:
    response = client.post(
        "/api/v1/quotes", json={**PRICED, **change}, headers=keys.auth("cabinet_prive")
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_request_the_policy_refuses_is_not_quoted(client: FlaskClient, keys: Keys) -> None:
    refused = {
        **SOCLE,
        "indicators": ["ENF_MOINS_3"],
        "territories": {"level": "commune", "codes": ["13005"]},
    }
    response = client.post("/api/v1/quotes", json=refused, headers=keys.auth("cabinet_prive"))
    assert response.status_code == 403
    assert response.json["reasons"][0]["regle"]


def test_quote_is_read_by_its_requester_and_its_caf_admins_only(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory
) -> None:
    quote_id = make_quote("cabinet_prive")["id"]
    path = f"/api/v1/quotes/{quote_id}"
    assert client.get(path, headers=keys.auth("cabinet_prive")).status_code == 200
    assert client.get(path, headers=keys.auth("admin_caf")).status_code == 200
    assert client.get(path, headers=keys.auth("commune")).status_code == 404


def test_quote_pdf(client: FlaskClient, keys: Keys, make_quote: QuoteFactory) -> None:
    quote_id = make_quote("cabinet_prive")["id"]
    response = client.get(f"/api/v1/quotes/{quote_id}.pdf", headers=keys.auth("cabinet_prive"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    other = client.get(f"/api/v1/quotes/{quote_id}.pdf", headers=keys.auth("commune"))
    assert other.status_code == 404
