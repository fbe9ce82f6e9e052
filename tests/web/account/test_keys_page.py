"""A gestionnaire manages the organisation's keys on a page; a lecteur is refused, in French."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from gateway.db.models import AdminChange
from tests.support.accounts import PASSWORD, People
from tests.support.state import get_database
from tests.web.account.conftest import Browser, text_of

EMAIL = "camille@aubagne.fr"


def test_a_gestionnaire_creates_a_key_shown_once_that_works_then_revokes_it(
    browser: Browser, people: People, sqlite_app: Flask
) -> None:
    people.active(EMAIL, role="gestionnaire")
    browser.sign_in(EMAIL, PASSWORD)
    listed = browser.get("/compte/cles")
    assert listed.status_code == 200 and "Clés de l’organisation (1)" in text_of(listed)
    created = browser.submit("/compte/cles", {"label": "Observatoire"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    key = re.search(r"cgw_[0-9a-f]{8}_[\w-]+", created.get_data(as_text=True))
    assert key is not None
    prefix = key.group(0).split("_")[1]
    api = sqlite_app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {key.group(0)}"})
    assert me.status_code == 200
    again = browser.get("/compte/cles")
    assert key.group(0) not in again.get_data(as_text=True)  # never shown again
    assert prefix in text_of(again) and "Observatoire" in text_of(again)
    confirm = browser.get(f"/compte/cles/{prefix}/revocation")
    assert "cesse de fonctionner immédiatement" in text_of(confirm)
    revoked = browser.submit(f"/compte/cles/{prefix}/revocation", {})
    assert revoked.status_code == 303
    assert f"La clé « {prefix} » est révoquée." in text_of(browser.get("/compte/cles"))
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {key.group(0)}"})
    assert me.status_code == 401


def test_a_lecteur_gets_the_refusal_page_with_its_reason(browser: Browser, people: People) -> None:
    people.active(EMAIL, role="lecteur")
    browser.sign_in(EMAIL, PASSWORD)
    response = browser.get("/compte/cles")
    assert response.status_code == 403 and response.mimetype == "text/html"
    page = text_of(response)
    assert "non permise au rôle « lecteur »" in page
    assert "gestionnaire de votre organisation" in page
    assert "Gérer les clés" not in text_of(browser.get("/compte"))


def test_an_unknown_key_and_a_long_label_are_said(browser: Browser, people: People) -> None:
    people.active(EMAIL, role="gestionnaire")
    browser.sign_in(EMAIL, PASSWORD)
    assert browser.get("/compte/cles/00000000/revocation").status_code == 404
    response = browser.submit("/compte/cles", {"label": "x" * 201})
    assert response.status_code == 422 and "200 caractères au plus." in text_of(response)


def test_the_keys_page_asks_to_sign_in(browser: Browser) -> None:
    response = browser.get("/compte/cles")
    assert response.status_code == 303 and "/compte/connexion" in response.headers["Location"]


def test_a_change_made_on_a_page_names_the_person_who_made_it(
    browser: Browser, people: People, sqlite_app: Flask
) -> None:
    """A regression: the change log named only the organisation a person acts as, so two
    people of one organisation (or of one Caf's administration) could not be told apart."""
    person = people.active(EMAIL, role="gestionnaire")
    browser.sign_in(EMAIL, PASSWORD)
    assert browser.submit("/compte/cles", {"label": "Observatoire"}).status_code == 201
    with sqlite_app.app_context(), get_database().sessions() as session:
        change = session.scalars(select(AdminChange).order_by(AdminChange.id.desc())).first()
    assert change is not None and change.entity == "api_key"
    assert change.person_id == person and change.actor_id == people.world.id("commune_13")
