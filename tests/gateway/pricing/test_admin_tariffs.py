"""Schedule administration (versions, preview) and revenue reports, through the API."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from gateway.db import Database
from gateway.services.pricing.queries import invoice_order
from tests.gateway.pricing.conftest import Keys, QuoteFactory
from tests.support.tariffs import default_schedule_mapping

VERSIONS = "/api/v1/admin/tariffs/13/versions"


def _candidate(start: date, version: str = "2027.1", handling: str = "100.00") -> dict[str, Any]:
    document = copy.deepcopy(default_schedule_mapping())
    document.update(version=version, en_vigueur_du=start.isoformat(), caf="13")
    document["forfait_premiere_heure"]["traitement_demande"] = handling
    return document


def test_a_new_version_applies_to_new_quotes_only(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory
) -> None:
    before = make_quote()
    today = date.today()
    response = client.post(
        VERSIONS, json={"bareme": _candidate(today)}, headers=keys.auth("admin_caf")
    )
    assert response.status_code == 201, response.json
    assert (response.json["caf"], response.json["en_vigueur_du"]) == ("13", today.isoformat())
    after = make_quote()
    assert before["devis"]["bareme_version"] == "2026.1"
    assert after["devis"]["bareme_version"] == "2027.1"
    assert after["devis"]["lignes"][0]["montant"] != before["devis"]["lignes"][0]["montant"]
    published = client.get("/api/v1/tariffs/13").json
    assert published["bareme_propre"] is True
    assert published["en_vigueur"]["version"] == "2027.1"


def test_a_later_version_closes_the_previous_one(client: FlaskClient, keys: Keys) -> None:
    admin = keys.auth("admin_caf")
    first, second = date.today() + timedelta(days=10), date.today() + timedelta(days=40)
    assert (
        client.post(VERSIONS, json={"bareme": _candidate(first)}, headers=admin).status_code == 201
    )
    later = {"bareme": _candidate(second, version="2027.2")}
    assert client.post(VERSIONS, json=later, headers=admin).status_code == 201
    versions = client.get(VERSIONS, headers=admin).json["versions"]
    assert [(v["version"], v["en_vigueur_au"]) for v in versions] == [
        ("2027.1", (second - timedelta(days=1)).isoformat()),
        ("2027.2", None),
    ]
    assert client.post(VERSIONS, json=later, headers=admin).status_code == 409


def test_each_published_version_is_in_the_change_log_with_before_and_after(
    client: FlaskClient, keys: Keys
) -> None:
    admin = keys.auth("admin_caf")
    first, second = date.today() + timedelta(days=10), date.today() + timedelta(days=40)
    assert (
        client.post(VERSIONS, json={"bareme": _candidate(first)}, headers=admin).status_code == 201
    )
    later = {"bareme": _candidate(second, version="2027.2")}
    assert client.post(VERSIONS, json=later, headers=admin).status_code == 201
    assert client.post(VERSIONS, json=later, headers=admin).status_code == 409  # not recorded
    listed = client.get("/api/v1/admin/changes?entity=tariff_schedule", headers=admin)
    newest, oldest = listed.json["items"]
    for change in (newest, oldest):
        assert (change["action"], change["entity_id"], change["caf_code"], change["actor_id"]) == (
            "tariff_update",
            "13",
            "13",
            keys.ids["admin_caf"],
        )
    assert oldest["before"] is None
    assert (oldest["after"]["version"], oldest["after"]["en_vigueur_au"]) == ("2027.1", None)
    # Before: the version replaced as it stood, still open; after: the new one.
    assert (newest["before"]["version"], newest["before"]["en_vigueur_au"]) == ("2027.1", None)
    assert newest["after"]["version"] == "2027.2"
    assert newest["after"]["bareme"]["en_vigueur_du"] == second.isoformat()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minimum_perception": "-1"}, "bareme.minimum_perception"),
        ({"validite_devis_jours": "x"}, "bareme.validite_devis_jours"),
        ({"champ_inconnu": 1}, "bareme.champ_inconnu"),
        ({"en_vigueur_du": "2020-01-01"}, "bareme.en_vigueur_du"),
    ],
)
def test_invalid_schedule_is_a_422_naming_the_field(
    client: FlaskClient, keys: Keys, change: dict[str, Any], field: str
) -> None:
    document = {**_candidate(date.today()), **change}
    response = client.post(VERSIONS, json={"bareme": document}, headers=keys.auth("admin_caf"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert response.json["errors"][field][0][0].isupper()  # a French sentence


@pytest.mark.parametrize(("slug", "status"), [("cabinet_prive", 403), ("admin_national", 201)])
def test_only_admins_of_the_caf_publish(
    client: FlaskClient, keys: Keys, slug: str, status: int
) -> None:
    response = client.post(
        VERSIONS, json={"bareme": _candidate(date.today())}, headers=keys.auth(slug)
    )
    assert response.status_code == status


def test_admin_of_another_caf_is_refused(client: FlaskClient, keys: Keys) -> None:
    response = client.post(
        "/api/v1/admin/tariffs/69/versions",
        json={"bareme": _candidate(date.today())},
        headers=keys.auth("admin_caf"),
    )
    assert response.status_code == 403
    assert response.json["reasons"][0]["regle"] == "autorisation.caf"


def test_preview_reprices_past_requests(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory
) -> None:
    quotes = [make_quote(), make_quote("conseil_departemental")]
    body = {"bareme": _candidate(date.today(), handling="140.00"), "derniers": 10}
    response = client.post(
        "/api/v1/admin/tariffs/13/preview", json=body, headers=keys.auth("admin_caf")
    )
    assert response.status_code == 200, response.json
    preview = response.json
    rows = {row["devis_id"]: row for row in preview["devis"]}
    priced, free = rows[quotes[0]["id"]], rows[quotes[1]["id"]]
    assert priced["ancien_total_ttc"] == quotes[0]["devis"]["total_ttc"]
    assert float(priced["ecart_ttc"]) > 0
    assert (free["ancien_total_ttc"], free["nouveau_total_ttc"]) == ("0.00", "0.00")
    assert preview["ecart_ttc"] == priced["ecart_ttc"]
    assert client.get(VERSIONS, headers=keys.auth("admin_caf")).json["versions"] == []


def _invoice(client: FlaskClient, keys: Keys, make_quote: QuoteFactory, db: Database) -> str:
    quote_id = make_quote()["id"]
    order_id = client.post(
        f"/api/v1/quotes/{quote_id}/accept", headers=keys.auth("cabinet_prive")
    ).json["id"]
    with db.transaction() as session:
        invoice = invoice_order(session, order_id=order_id, idempotency_key=None)
        assert invoice is not None
        return str(invoice.total)


def test_revenue_report_groups_invoices(
    client: FlaskClient, keys: Keys, make_quote: QuoteFactory, db: Database
) -> None:
    totals = [_invoice(client, keys, make_quote, db) for _ in range(2)]
    query = "/api/v1/admin/revenue?group_by=caf,requester_type,use,month&caf=13"
    report = client.get(query, headers=keys.auth("admin_caf")).json
    month = date.today().strftime("%Y-%m")
    assert report["lignes"] == [
        {
            "caf": "13",
            "requester_type": "cabinet_prive",
            "use": "etudes",
            "month": month,
            "factures": 2,
            "net_ht": report["lignes"][0]["net_ht"],
            "tva": report["lignes"][0]["tva"],
            "total_ttc": f"{sum(float(t) for t in totals):.2f}",
        }
    ]
    csv = client.get(query + "&format=csv", headers=keys.auth("admin_caf"))
    assert csv.mimetype == "text/csv"
    header, row = csv.get_data(as_text=True).splitlines()
    assert header == "caf;type_demandeur;usage;mois;factures;net_ht;tva;total_ttc"
    assert row.startswith(f"13;cabinet_prive;etudes;{month};2;")


@pytest.mark.parametrize(
    ("slug", "query", "status"),
    [
        ("admin_caf", "", 403),  # a Caf administrator reads its own Caf only
        ("admin_caf", "?caf=69", 403),
        ("cabinet_prive", "?caf=13", 403),
        ("admin_national", "", 200),
        ("admin_caf", "?caf=13&group_by=semaine", 422),
    ],
)
def test_revenue_report_gate(
    client: FlaskClient, keys: Keys, slug: str, query: str, status: int
) -> None:
    response = client.get(f"/api/v1/admin/revenue{query}", headers=keys.auth(slug))
    assert response.status_code == status
