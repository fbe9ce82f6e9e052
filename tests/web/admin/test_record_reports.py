"""The record's other pages: the change log, releases to a requester, revenue, quotas; and
every record route refused on another Caf's object, by URL."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from flask import Flask

from gateway.services.demo.requesters import ensure_demo_requesters
from gateway.services.ledger.summary import territory_of
from gateway.services.pricing.queries import invoice_order
from gateway.services.requesters.api_keys import issue_key
from gateway.state import app_state
from policies.domain import GeoLevel
from tests.gateway.admin.conftest import PDF, World, convention_body
from tests.gateway.pricing.conftest import PRICED
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of

A = "/api/v1/admin"


def _active_convention(app: Flask, world: World, name: str = "commune_13", caf: str = "13") -> Any:
    """A convention activated through the admin API (its Caf's administrator)."""
    client, admin = app.test_client(), world.headers(f"admin_{caf}")
    quotas = {"extracts_per_month": 4, "cells_per_month": 1000}
    body = convention_body(world.id(name), caf, quotas=quotas, pricing="forfait_annuel")
    draft: Any = client.post(f"{A}/conventions", json=body, headers=admin).json
    client.put(
        f"{A}/conventions/{draft['id']}/document",
        data={"document": (io.BytesIO(PDF), "convention.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=admin,
    )
    activated = client.post(f"{A}/conventions/{draft['id']}/activate", headers=admin)
    assert activated.status_code == 200, activated.json
    return activated.json


def _extract(
    app: Flask, world: World, name: str, territories: dict[str, Any], indicator: str = "ALLOC"
) -> Any:
    body = {
        "indicators": [indicator],
        "use": "usage_final",
        "territories": territories,
        "periods": [2023],
        "format": "json",
    }
    response = app.test_client().post("/api/v1/extracts", json=body, headers=world.headers(name))
    assert response.status_code == 200, response.json
    return response.json


def test_the_change_log_shows_before_and_after(
    sqlite_app: Flask, console_world: World, caf13: Browser, caf33: Browser
) -> None:
    rid = console_world.id("commune_13")
    changed = sqlite_app.test_client().patch(
        f"{A}/requesters/{rid}",
        json={"contact_name": "Léa Roux"},
        headers=console_world.headers("admin_13"),
    )
    assert changed.status_code == 200, changed.json

    shown = text_of(caf13.get("/administration/registre/modifications?entity=requester"))
    assert f"Demandeur {rid}" in shown and "Modifier un demandeur" not in shown
    assert "contact_name — Léa Roux" in shown  # before: none; after: the name
    assert "Caf 13 (admin)" in shown  # who did it
    assert "Léa Roux" not in text_of(caf33.get("/administration/registre/modifications"))
    wrong = caf13.get("/administration/registre/modifications?entity=chaise&until=2020-13-01")
    assert wrong.status_code == 422
    assert "Valeur inconnue" in text_of(wrong) and "Date" in text_of(wrong)
    later = text_of(caf13.get("/administration/registre/modifications?since=2099-01-01"))
    assert "Aucune modification" in later


def test_what_was_released_to_a_requester_is_summed_up(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    rid = console_world.id("cd_13")
    _extract(sqlite_app, console_world, "cd_13", {"level": "departement", "codes": ["13"]})
    _extract(sqlite_app, console_world, "cd_13", {"level": "departement", "codes": ["13", "84"]})

    picker = text_of(caf13.get("/administration/registre/diffusions"))
    assert "Conseil départemental 13" in picker and "Mérignac" not in picker
    page = caf13.get(f"/administration/registre/diffusions?requester_id={rid}")

    assert page.status_code == 200
    shown = text_of(page)
    assert "Diffusions à Conseil départemental 13 (2 lignes)" in shown
    # Cells published (once per release), suppressed, extracts: the Bouches-du-Rhône twice.
    assert "ALLOC 2023 département Bouches-du-Rhône 13 2 0 2" in shown
    assert "ALLOC 2023 département Vaucluse 84 1 0 1" in shown
    wrong = caf13.get("/administration/registre/diffusions?requester_id=abc")
    assert wrong.status_code == 422 and "Choisissez un demandeur" in text_of(wrong)


def test_revenue_by_month_type_and_requester_with_its_chart_and_csv(
    sqlite_app: Flask, caf13: Browser, caf33: Browser
) -> None:
    client = sqlite_app.test_client()
    with sqlite_app.app_context(), get_database().transaction() as session:
        cabinet = ensure_demo_requesters(session)["cabinet_prive"]
        key = {"Authorization": f"Bearer {issue_key(session, cabinet.id).plaintext}"}
        name = cabinet.name
    quote: Any = client.post("/api/v1/quotes", json=PRICED, headers=key).json
    order: Any = client.post(f"/api/v1/quotes/{quote['id']}/accept", headers=key).json
    with sqlite_app.app_context(), get_database().transaction() as session:
        invoice = invoice_order(session, order_id=order["id"], idempotency_key=None)
        assert invoice is not None
        total = f"{invoice.total:.2f}".replace(".", ",")

    page = caf13.get("/administration/registre/recettes")
    shown = text_of(page)
    assert page.status_code == 200
    assert "cabinet privé" in shown and name in shown and total in shown.replace("\u202f", " ")
    html = page.get_data(as_text=True)
    assert 'data-graphique="graphique-recettes"' in html
    drawn = json.loads(html.split('id="graphique-recettes">', 1)[1].split("</script>", 1)[0])
    assert [s["nom"] for s in drawn["series"]] == ["cabinet privé"]
    assert drawn["territoires"] == [date.today().strftime("%Y-%m")]
    exported = caf13.get("/administration/registre/recettes.csv")
    assert exported.headers["Cache-Control"] == "private, no-store"
    assert exported.headers["Content-Disposition"] == 'attachment; filename="recettes.csv"'
    header, row = exported.get_data(as_text=True).splitlines()
    assert header == "caf;type_demandeur;mois;factures;net_ht;tva;total_ttc"
    assert row.startswith("13;cabinet_prive;") and row.endswith(total)
    assert name not in text_of(caf33.get("/administration/registre/recettes"))
    wrong = caf13.get("/administration/registre/recettes?start=2026-02-01&end=2026-01-01")
    assert wrong.status_code == 422 and "La date de fin précède" in text_of(wrong)


def test_quotas_show_this_months_use(
    sqlite_app: Flask, console_world: World, caf13: Browser, caf33: Browser
) -> None:
    convention = _active_convention(sqlite_app, console_world)
    where = {"level": "commune", "codes": ["13005"]}
    _extract(sqlite_app, console_world, "commune_13", where, "ENF_MOINS_6")

    shown = text_of(caf13.get("/administration/registre/quotas"))
    assert convention["label"] in shown and "Commune d'Aubagne" in shown
    assert (
        "1 extraits sur 4" in shown
        and "25 %" in shown
        and "sur 1 000" in shown.replace("\u202f", " ")
    )
    assert convention["label"] not in text_of(caf33.get("/administration/registre/quotas"))


# Every record route, asked by Caf 33's administrator about Caf 13: refused, with the reason.
CROSS_CAF = [
    ("GET", "/administration/registre?caf_code=13"),
    ("GET", "/administration/registre.csv?caf_code=13"),
    ("GET", "/administration/registre/modifications?caf_code=13"),
    ("GET", "/administration/registre/diffusions?requester_id={commune_13}"),
    ("GET", "/administration/registre/recettes?caf_code=13"),
    ("GET", "/administration/registre/recettes.csv?caf_code=13"),
    ("GET", "/administration/registre/quotas?caf_code=13"),
]


@pytest.mark.parametrize(("method", "path"), CROSS_CAF)
def test_another_cafs_record_is_refused(
    console_world: World, caf33: Browser, method: str, path: str
) -> None:
    url = path.format(commune_13=console_world.id("commune_13"))
    page = caf33.get(url) if method == "GET" else caf33.submit(url, {})

    assert page.status_code == 403
    assert "(13)" in text_of(page)


def test_the_verification_is_refused_to_a_requester(commune13: Browser) -> None:
    page = commune13.submit("/administration/registre/verification", {}, form_at="/espace")

    assert page.status_code == 403
    assert "non permise au type" in text_of(page)


def test_an_unknown_requester_is_not_found_for_a_national_administrator(cnaf: Browser) -> None:
    assert cnaf.get("/administration/registre/diffusions?requester_id=999999").status_code == 404


def test_a_national_administrator_reads_any_cafs_record(
    console_world: World, cnaf: Browser
) -> None:
    for _, path in CROSS_CAF:
        url = path.format(commune_13=console_world.id("commune_13"))
        assert cnaf.get(url).status_code == 200, url


def test_a_released_set_of_communes_is_named_as_the_territory_it_is(sqlite_app: Flask) -> None:
    geography = app_state(sqlite_app).geography
    epci = geography.parents(GeoLevel.COMMUNE, "13005")[GeoLevel.EPCI]
    whole = tuple(geography.communes_of(GeoLevel.EPCI, epci))

    assert territory_of(geography, ("13005",)).name == "Aubagne"
    assert territory_of(geography, whole).level is GeoLevel.EPCI
    assert territory_of(geography, geography.communes_of(GeoLevel.DEPARTEMENT, "84")).code == "84"
    part = territory_of(geography, whole[:2])
    assert (part.level, part.name) == (GeoLevel.ZONE, "zone de 2 communes")
