"""The console's policy matrix: read by every administrator, changed by a national one after a
check of what changes, applied to the very next access decision."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from gateway.services.access.queries import current_document
from tests.gateway.admin.conftest import World
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.test_tariffs import filled_form, post

RULES = "/administration/regles"
SAVE = "/administration/regles/matrice"
#: A socle commun indicator at Caf level: free for a commune, as long as the matrix says so.
SOCLE_REQUEST = {
    "indicators": ["AL"],
    "territories": {"level": "departement", "codes": ["13"]},
    "periods": [2022],
    "use": "usage_final",
}


def matrix_version(app: Flask) -> int:
    with app.app_context(), get_database().transaction() as session:
        version, _ = current_document(session)
    return version


def previewed(app: Flask, world: World) -> Any:
    response = app.test_client().post(
        "/api/v1/extracts/preview", json=SOCLE_REQUEST, headers=world.headers("commune_13")
    )
    assert response.status_code == 200, response.json
    return response.json


def test_a_caf_administrator_reads_the_matrix_as_a_table(caf13: Browser) -> None:
    page = caf13.get(RULES)

    assert page.status_code == 200
    html, shown = page.get_data(as_text=True), text_of(page)
    assert "<select" not in html and "Seul un administrateur national la modifie" in shown
    assert '<th scope="row">Cabinet privé</th>' in html
    assert "Cabinet privé Libre, sans convention Sous convention Interdit Interdit EPCI" in shown
    assert "Acoss (CNT-Paje) : réservée à" in shown
    assert "/api/v1/admin/policy-matrix" in shown


def test_a_national_administrator_gets_a_labelled_select_per_cell(cnaf: Browser) -> None:
    html = cnaf.get(RULES).get_data(as_text=True)
    assert '<label class="visuellement-cache" for="acces__commune__convention">' in html
    assert filled_form(html)["acces__commune__convention"] == ["convention"]


def test_a_change_is_checked_then_saved_logged_and_applied_at_once(
    sqlite_app: Flask, console_world: World, cnaf: Browser
) -> None:
    assert previewed(sqlite_app, console_world)["autorisee"] is True
    data = filled_form(cnaf.get(RULES).get_data(as_text=True))
    data["acces__commune__socle_commun"] = ["interdit"]

    check = post(cnaf, SAVE, data, RULES)

    assert check.status_code == 200
    assert "Commune, palier « Socle commun » : libre, sans convention → interdit." in text_of(check)
    assert matrix_version(sqlite_app) == 1  # nothing saved before the confirmation
    saved = post(
        cnaf, SAVE, {**filled_form(check.get_data(as_text=True)), "etape": ["enregistrer"]}, RULES
    )

    assert saved.status_code == 303 and matrix_version(sqlite_app) == 2
    assert "Matrice d’accès enregistrée (version 2)" in text_of(cnaf.get(RULES))
    found = previewed(sqlite_app, console_world)  # the next decision reads the new matrix
    assert found["autorisee"] is False
    assert "matrice.type_tier" in str(found["refus"]["reasons"])
    changes = sqlite_app.test_client().get(
        "/api/v1/admin/changes?entity=policy_matrix",
        headers=console_world.headers("admin_national"),
    )
    (change,) = changes.json["items"]
    assert change["action"] == "policy_update"
    assert change["before"]["types"]["commune"]["acces"]["socle_commun"] == "libre"
    assert change["after"]["types"]["commune"]["acces"]["socle_commun"] == "interdit"


def test_a_source_restriction_is_changed_by_its_checkboxes(
    sqlite_app: Flask, cnaf: Browser
) -> None:
    data = filled_form(cnaf.get(RULES).get_data(as_text=True))
    data["source__msa"] = [t for t in data["source__msa"] if t != "commune"]
    check = post(cnaf, SAVE, data, RULES)
    assert "Source « MSA (régime agricole) » : réservée à" in text_of(check)
    post(cnaf, SAVE, {**filled_form(check.get_data(as_text=True)), "etape": ["enregistrer"]}, RULES)
    with sqlite_app.app_context(), get_database().transaction() as session:
        _, document = current_document(session)
    assert "commune" not in document["sources_restreintes"]["msa"]
    assert "commune" in document["sources_restreintes"]["acoss_cnt_paje"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"acces__commune__convention": "parfois"}, "acces__commune__convention", "choisissez"),
        ({"fin__commune": "canton"}, "fin__commune", "niveau le plus fin"),
        (
            {"fin__commune": "departement", "libre__commune": "commune"},
            "libre__commune",
            "plus fin que",
        ),
    ],
)
def test_an_invalid_matrix_is_refused_beside_the_cell(
    sqlite_app: Flask, cnaf: Browser, changes: dict[str, str], field: str, message: str
) -> None:
    data = filled_form(cnaf.get(RULES).get_data(as_text=True))
    refused = post(cnaf, SAVE, {**data, **{k: [v] for k, v in changes.items()}}, RULES)

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="{field}-erreur"' in html and message in text_of(refused)
    assert f'href="#{field}"' in html
    assert matrix_version(sqlite_app) == 1


def test_nothing_changed_is_said(sqlite_app: Flask, cnaf: Browser) -> None:
    data = filled_form(cnaf.get(RULES).get_data(as_text=True))
    refused = post(cnaf, SAVE, data, RULES)
    assert refused.status_code == 422 and "Aucune case n’a changé" in text_of(refused)


def test_a_matrix_read_before_another_change_is_refused(
    sqlite_app: Flask, console_world: World, cnaf: Browser
) -> None:
    stale = filled_form(cnaf.get(RULES).get_data(as_text=True))
    fresh = {**stale, "acces__epci__convention": ["interdit"]}
    check = post(cnaf, SAVE, fresh, RULES)
    post(cnaf, SAVE, {**filled_form(check.get_data(as_text=True)), "etape": ["enregistrer"]}, RULES)
    stale["acces__commune__convention"] = ["interdit"]

    refused = post(cnaf, SAVE, {**stale, "etape": ["enregistrer"]}, RULES)

    assert refused.status_code == 409 and "a changé depuis sa lecture" in text_of(refused)
    assert matrix_version(sqlite_app) == 2


@pytest.mark.parametrize("who", ["caf13", "caf33"])
def test_a_caf_administrator_cannot_change_the_matrix(
    request: pytest.FixtureRequest, sqlite_app: Flask, cnaf: Browser, who: str
) -> None:
    browser: Browser = request.getfixturevalue(who)
    data = filled_form(cnaf.get(RULES).get_data(as_text=True))
    data["acces__commune__convention"] = ["interdit"]
    for step in ("verifier", "enregistrer"):
        refused = post(browser, SAVE, {**data, "etape": [step]}, "/administration/tarifs/13")
        assert refused.status_code == 403
        assert "réservé aux administrateurs nationaux" in text_of(refused)
    assert matrix_version(sqlite_app) == 1


def test_a_requester_person_cannot_read_the_matrix(commune13: Browser) -> None:
    assert commune13.get(RULES).status_code == 403
