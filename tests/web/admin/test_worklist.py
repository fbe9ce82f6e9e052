"""The console's first page: what waits for the Caf, confined to it, for administrators only."""

from __future__ import annotations

from typing import Any

from flask import Flask

from gateway.services.accounts.access_requests import submit_access_request
from gateway.services.conventions.drafts import create_convention
from tests.gateway.admin.conftest import World
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of


def _access_request(app: Flask, caf: str, organisation: str, commune: str) -> None:
    fields: dict[str, Any] = {
        "caf_code": caf,
        "organisation": organisation,
        "siret": "73282932000074",
        "requester_type": "commune",
        "territory_level": "commune",
        "territory_code": commune,
        "purpose": "Diagnostic petite enfance",
        "contact_name": "Léa Roux",
        "contact_email": "lea.roux@exemple.fr",
    }
    with app.app_context(), get_database().transaction() as session:
        submit_access_request(session, fields)


def _draft(app: Flask, requester_id: int, caf: str) -> None:
    body = {"caf_code": caf, "requester_id": requester_id, "pricing": "tarif_par_extrait"}
    with app.app_context(), get_database().transaction() as session:
        create_convention(session, None, body)


def test_the_worklist_shows_what_waits_for_the_caf_and_only_it(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    _access_request(sqlite_app, "13", "Commune de Cassis", "13022")
    _access_request(sqlite_app, "33", "Commune de Pessac", "33318")
    _draft(sqlite_app, console_world.id("commune_13"), "13")
    _draft(sqlite_app, console_world.id("commune_33"), "33")

    page = caf13.get("/administration")

    assert page.status_code == 200
    shown = text_of(page)
    assert "Commune de Cassis" in shown and "Pessac" not in shown
    assert "Demandes d’accès (1)" in shown and "Conventions en brouillon (1)" in shown
    # A draft says what it lacks before it can be activated, in French.
    assert "document signé manquant" in shown and "date de début manquante" in shown
    assert page.headers["Cache-Control"] == "no-store"


def test_a_national_administrator_sees_every_caf(sqlite_app: Flask, cnaf: Browser) -> None:
    _access_request(sqlite_app, "13", "Commune de Cassis", "13022")
    _access_request(sqlite_app, "33", "Commune de Pessac", "33318")

    shown = text_of(cnaf.get("/administration"))

    assert "toutes les Caf" in shown and "Cassis" in shown and "Pessac" in shown


def test_an_empty_worklist_says_so(caf13: Browser) -> None:
    assert "Rien n’attend" in text_of(caf13.get("/administration"))


def test_a_requester_person_is_refused_with_the_reason(commune13: Browser) -> None:
    page = commune13.get("/administration")

    assert page.status_code == 403
    assert "non permise au type" in text_of(page)


def test_a_visitor_is_sent_to_sign_in(sqlite_app: Flask) -> None:
    page = sqlite_app.test_client().get("/administration")

    assert page.status_code == 303
    assert "/compte/connexion" in page.headers["Location"]


def test_the_header_links_the_console_for_administrators_only(
    caf13: Browser, commune13: Browser
) -> None:
    assert 'href="/administration"' in caf13.get("/").get_data(as_text=True)
    assert 'href="/administration"' not in commune13.get("/").get_data(as_text=True)
