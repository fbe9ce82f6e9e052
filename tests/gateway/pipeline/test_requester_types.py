"""End to end, one row per requester type of DOMAIN.md: allowed, refused, priced or free."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

COMMUNES_13 = {"parent_level": "departement", "parent_code": "13", "level": "commune"}
EPCI_13 = {"parent_level": "departement", "parent_code": "13", "level": "epci"}
AUBAGNE = {"level": "commune", "codes": ["13005"]}
IMAJE = ["PLACES_EAJE", "ENF_MOINS_3"]


def extract(
    territories: dict[str, Any], indicators: list[str] = IMAJE, use: str = "usage_final"
) -> dict[str, Any]:
    return {"indicators": indicators, "territories": territories, "periods": [2024], "use": use}


# (requester, body, expected status, expected problem code or None, what the row shows)
CASES = [
    ("conseil_departemental", extract(COMMUNES_13), 200, None, "free by exemption"),
    ("service_etat", extract(COMMUNES_13), 200, None, "national State convention, free"),
    ("organisme_mission_publique", extract(COMMUNES_13), 200, None, "annual flat fee"),
    ("commune", extract(AUBAGNE), 402, "paiement_requis", "per-extract tariff: quote"),
    ("commune", extract(COMMUNES_13), 403, "convention_requise", "outside its own territory"),
    ("epci", extract({"level": "epci", "codes": ["200054807"]}), 402, "paiement_requis", "quote"),
    (
        "cabinet_prive",
        extract(COMMUNES_13, ["PLACES_EAJE"], "etudes"),
        403,
        "acces_refuse",
        "level",
    ),
    ("cabinet_prive", extract(EPCI_13, ["PLACES_EAJE"], "etudes"), 402, "paiement_requis", "quote"),
    (
        "cabinet_prive",
        extract(EPCI_13, ["ENF_MOINS_3"], "etudes"),
        403,
        "acces_refuse",
        "MSA source",
    ),
    ("commune", extract(AUBAGNE, ["INDUS_MONTANT"]), 403, "acces_refuse", "internal tier"),
    (
        "conseil_departemental",
        extract(COMMUNES_13, use="rediffusion"),
        403,
        "convention_requise",
        "use",
    ),
]


@pytest.mark.parametrize(("slug", "body", "status", "code", "why"), CASES)
def test_requester_types(
    sqlite_client: FlaskClient,
    keys: dict[str, dict[str, str]],
    slug: str,
    body: dict[str, Any],
    status: int,
    code: str | None,
    why: str,
) -> None:
    response = sqlite_client.post("/api/v1/extracts", json=body, headers=keys[slug])
    assert response.status_code == status, (why, response.get_data(as_text=True)[:400])
    if code is not None:
        assert response.json["code"] == code
        assert response.json["detail"]
        if status == 403:
            assert all(
                reason["regle"] and reason["solution"] for reason in response.json["reasons"]
            )
    else:
        document = response.json
        assert document["extrait"]["cadre"] != "socle_commun"
        assert document["extrait"]["convention"]
        assert len(document["cellules"]) == document["extrait"]["nombre_cellules"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("level=departement&codes=13,84,48", 200),
        ("level=region&codes=93", 200),
        ("level=commune&codes=13005", 403),  # the public policy stops at the département
        ("level=departement&codes=99", 422),  # an unknown code is a field error
    ],
)
def test_grand_public_socle(sqlite_client: FlaskClient, query: str, status: int) -> None:
    response = sqlite_client.get(f"/api/v1/socle/ALLOC?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:300]


def test_socle_refuses_convention_tier(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get("/api/v1/socle/PLACES_EAJE?level=departement&codes=13")
    assert response.status_code == 403
    assert "matrice.type_tier" in {r["regle"] for r in response.json["reasons"]}


def test_quote_then_delivery_then_invoice(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    """A priced request: 402 with a quote, accepted, then delivered once with one invoice."""
    headers = keys["commune"]
    body = extract(AUBAGNE)
    first = sqlite_client.post("/api/v1/extracts", json=body, headers=headers)
    quote = first.json["devis"]
    assert first.status_code == 402 and float(quote["total"]) > 0
    accepted = sqlite_client.post(quote["accepter"], headers=headers)
    assert accepted.status_code in (200, 201)
    delivered = sqlite_client.post(
        "/api/v1/extracts", json=body, headers={**headers, "Idempotency-Key": "k-1"}
    )
    assert delivered.status_code == 200
    status = sqlite_client.get(
        f"/api/v1/extracts/{delivered.headers['X-Extrait']}", headers=headers
    )
    invoice = status.json["facture"]
    assert invoice and invoice.startswith("13-")
    assert delivered.json["extrait"]["prix_eur"] == quote["total"]
