"""Each indicator's tier and secrecy rules: every administrator reads them explained in French,
a national one changes them through the catalogue's one edit, applied to the next request."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.gateway.admin.conftest import World
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.test_tariffs import filled_form, post

PAGE = "/administration/regles/indicateurs/AL"


def fiche(app: Flask, code: str = "AL") -> dict[str, Any]:
    response = app.test_client().get(f"/api/v1/indicators/{code}")
    assert response.status_code == 200
    found: dict[str, Any] = response.json
    return found


def test_every_administrator_reads_the_catalogues_rules_explained(caf13: Browser) -> None:
    listing = caf13.get("/administration/regles/indicateurs")
    shown = text_of(listing)
    assert listing.status_code == 200
    assert "Foyers bénéficiaires d’une aide au logement AL Socle commun" in shown
    assert "FREQ(5,10) : une cellule comptant moins de 5 contributeurs est masquée" in shown

    page = caf13.get(PAGE)
    assert page.status_code == 200 and "<form" not in page.get_data(as_text=True).split("<main")[-1]
    assert "Intervalle de protection 10 % de la valeur" in text_of(page)


def test_a_national_administrator_changes_the_rules_applied_at_once(
    sqlite_app: Flask, console_world: World, cnaf: Browser
) -> None:
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True))
    assert data["rule_1"] == ["FREQ(5,10)"] and data["tier"] == ["socle_commun"]
    data |= {"rule_1": ["freq(11, 10)"], "rule_2": ["NK(1,85)"], "interval_percent": ["12,5"]}

    saved = post(cnaf, PAGE, data, PAGE)

    assert saved.status_code == 303
    secret = fiche(sqlite_app)["secret"]  # the next request reads the new catalogue
    assert secret["rules"] == ["FREQ(11,10)", "NK(1,85)"] and secret["interval_percent"] == 12.5
    shown = text_of(cnaf.get(PAGE))
    assert "Règles de l’indicateur AL enregistrées" in shown
    assert "moins de 11 contributeurs" in shown and "plus de 85 %" in shown
    changes = sqlite_app.test_client().get(
        "/api/v1/admin/changes?entity=indicator", headers=console_world.headers("admin_national")
    )
    (change,) = changes.json["items"]
    assert (change["action"], change["entity_id"]) == ("catalogue_update", "AL")
    assert change["before"]["secrecy"]["rules"] == ["FREQ(5,10)"]
    assert change["after"]["secrecy"]["rules"] == ["FREQ(11,10)", "NK(1,85)"]


def test_a_restricted_tier_names_its_requester_types(sqlite_app: Flask, cnaf: Browser) -> None:
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True))
    data |= {"tier": ["restreint"], "restricted_to": ["conseil_departemental", "service_etat"]}
    assert post(cnaf, PAGE, data, PAGE).status_code == 303
    found = fiche(sqlite_app)
    assert found["tier"] == "restreint"
    assert found["restricted_to"] == ["conseil_departemental", "service_etat"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rule_1": ["FREQ(5"]}, "rule_1", "Règle mal formée"),
        ({"rule_1": ["NK(3,85)"]}, "rule_1", "Règle non prise en charge"),
        ({"rule_1": [""]}, "rule_1", "au moins une règle"),
        ({"interval_percent": ["150"]}, "interval_percent", "moins de 100"),
        ({"tier": ["public"]}, "tier", "palier de diffusion"),
        ({"tier": ["restreint"]}, "restricted_to", "restricted_to"),  # the catalogue's check
    ],
)
def test_an_invalid_edit_is_refused_beside_its_field_and_changes_nothing(
    sqlite_app: Flask, cnaf: Browser, changes: dict[str, list[str]], field: str, message: str
) -> None:
    before = fiche(sqlite_app)
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True))

    refused = post(cnaf, PAGE, {**data, **changes}, PAGE)

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="{field}-erreur"' in html and message in text_of(refused)
    assert fiche(sqlite_app) == before


@pytest.mark.parametrize("who", ["caf13", "caf33"])
def test_a_caf_administrator_cannot_change_an_indicator(
    request: pytest.FixtureRequest, sqlite_app: Flask, cnaf: Browser, who: str
) -> None:
    browser: Browser = request.getfixturevalue(who)
    before = fiche(sqlite_app)
    data = filled_form(cnaf.get(PAGE).get_data(as_text=True)) | {"rule_1": ["FREQ(11,10)"]}

    refused = post(browser, PAGE, data, "/administration/regles")

    assert refused.status_code == 403
    assert "réservé aux administrateurs nationaux" in text_of(refused)
    assert fiche(sqlite_app) == before


def test_an_unknown_indicator_is_not_found(cnaf: Browser) -> None:
    assert cnaf.get("/administration/regles/indicateurs/INCONNU").status_code == 404
