"""My custom zones: the list, and a zone picked from the territory's communes, checked first."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from gateway.state import app_state
from policies.domain import GeoLevel
from tests.web.account.conftest import Browser, text_of
from tests.web.espace.conftest import Headers

NEW = "/espace/zones/nouvelle"
AUBAGNE, GEMENOS = "13005", "13042"


def _smallest(app: Flask) -> str:
    """The least populated commune of the Bouches-du-Rhône (fewer than 1 000 inhabitants)."""
    geography = app_state(app).geography
    communes = geography.communes_of(GeoLevel.DEPARTEMENT, "13")
    return min(communes, key=lambda c: geography.population(GeoLevel.COMMUNE, c))


def _send(browser: Browser, action: str, name: str, communes: list[str], q: str = "") -> object:
    data: dict[str, object] = {"name": name, "q": q, "communes": communes, "action": action}
    return browser.client.post(NEW, data={**data, "csrf_token": browser.token(NEW)})


def test_the_form_lists_the_communes_of_the_territory_and_filters_them(
    departement: Browser, commune: Browser
) -> None:
    page = departement.get(NEW)
    assert page.status_code == 200
    text = text_of(page)
    assert "Département Bouches-du-Rhône" in text or "Bouches-du-Rhône" in text
    assert "Aubagne (13005)" in text and "Marseille (13055)" in text
    filtered = departement.get(f"{NEW}?q=aub")
    assert "Aubagne (13005)" in text_of(filtered) and "Marseille (13055)" not in text_of(filtered)
    by_code = _send(departement, "filtrer", "", [GEMENOS], q="13005")
    shown = text_of(by_code)  # the ticked commune stays, the search adds Aubagne
    assert by_code.status_code == 200 and "Aubagne (13005)" in shown and "Gémenos" in shown
    assert "Marseille (13055)" not in shown
    # A commune's person picks among its own commune only.
    own = text_of(commune.get(NEW))
    assert "Aubagne (13005)" in own and "Gémenos" not in own


def test_the_population_and_the_minimum_show_before_saving(
    sqlite_app: Flask, departement: Browser
) -> None:
    small = _smallest(sqlite_app)
    preview = _send(departement, "apercu", "", [small])
    assert preview.status_code == 200
    text = text_of(preview)
    assert "Taille minimale d’une zone 1 000 habitants" in text and "Trop petite" in text
    checked = _send(departement, "verifier", "Petite", [small])
    assert checked.status_code == 422
    html = checked.get_data(as_text=True)
    assert "La zone ne peut pas être enregistrée" in html and 'href="#communes"' in html
    assert "< 1000 habitants requis." in text_of(checked)
    fine = _send(departement, "verifier", "Est", [AUBAGNE, GEMENOS])
    assert fine.status_code == 200 and "Vérifiée : la zone peut être enregistrée." in text_of(fine)
    assert "Aucune zone pour le moment." in text_of(departement.get("/espace/zones"))  # not saved


def test_missing_fields_are_said_beside_them(departement: Browser) -> None:
    response = _send(departement, "enregistrer", "", [])
    assert response.status_code == 422
    text = text_of(response)
    assert "Donnez un nom à la zone." in text and "Cochez au moins une commune." in text


def test_a_zone_is_saved_listed_and_seen_by_the_api(
    api: FlaskClient, keys: dict[str, Headers], departement: Browser
) -> None:
    saved = _send(departement, "enregistrer", "Pays d’Aubagne", [AUBAGNE, GEMENOS])
    assert saved.status_code == 303 and saved.headers["Location"] == "/espace/zones"
    listed = text_of(departement.get("/espace/zones"))
    assert "Zone « Pays d’Aubagne » enregistrée : 2 communes" in listed
    assert "Aubagne (13005), Gémenos (13042)" in listed
    zones = api.get("/api/v1/zones", headers=keys["conseil_departemental"]).json["items"]
    assert [(z["name"], sorted(z["communes"])) for z in zones] == [
        ("Pays d’Aubagne", [AUBAGNE, GEMENOS])
    ]
    again = _send(departement, "enregistrer", "Pays d’Aubagne", [AUBAGNE])
    assert again.status_code == 409
    assert "Une zone nommée « Pays d’Aubagne » existe déjà" in text_of(again)
    assert 'id="name-erreur"' in again.get_data(as_text=True)


def test_a_zone_too_close_to_another_gets_the_refusal_and_its_remedy(
    sqlite_app: Flask, departement: Browser
) -> None:
    assert _send(departement, "enregistrer", "Aubagne", [AUBAGNE]).status_code == 303
    near = _send(departement, "verifier", "Aubagne et plus", [AUBAGNE, _smallest(sqlite_app)])
    assert near.status_code == 422
    text = text_of(near)
    assert "Refus au titre du secret statistique" in text
    assert "Pour obtenir ces données :" in text and "secret.differenciation" in text
