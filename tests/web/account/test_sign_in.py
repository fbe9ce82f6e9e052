"""The sign-in page: success, each refusal beside its field, lockout, limits, the cookie."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from gateway.state import app_state
from tests.conftest import make_app
from tests.gateway.admin.conftest import World
from tests.support.accounts import PASSWORD, People
from tests.web.account.conftest import Browser, text_of

EMAIL = "camille@aubagne.fr"


def test_the_page_is_a_french_form_with_labels_and_a_token(browser: Browser) -> None:
    response = browser.get("/compte/connexion")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="fr">' in body
    assert '<label class="champ__libelle" for="email">Adresse électronique</label>' in body
    assert 'autocomplete="current-password"' in body
    assert 'name="csrf_token"' in body
    assert "Se connecter" in text_of(response)


def test_the_right_password_opens_a_new_session_and_shows_the_account(
    browser: Browser, people: People
) -> None:
    people.active(EMAIL, role="gestionnaire")
    before = browser.token("/compte/connexion")
    response = browser.sign_in(EMAIL.upper(), PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/compte"
    cookie = response.headers["Set-Cookie"]
    assert "passerelle_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # test environment: plain HTTP
    assert browser.token("/compte") != before  # a new session, its own CSRF token
    page = text_of(browser.get("/compte"))
    assert "Mon compte" in page and "Camille Martin" in page and "Commune d'Aubagne" in page
    assert "Gestionnaire" in page and "Gérer les clés d’API" in page


def test_the_cookie_is_secure_in_production(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, env="production", secret_key="x" * 48)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    app_state(app).database.dispose()


@pytest.mark.parametrize("email", [EMAIL, "personne@nulle-part.fr"])
def test_a_wrong_password_and_an_unknown_address_read_the_same(
    browser: Browser, people: People, email: str
) -> None:
    people.active(EMAIL)
    response = browser.sign_in(email, "mauvais mot de passe")
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert 'id="password-erreur"' in body and 'href="#password"' in body  # beside, and summary
    assert "Adresse électronique ou mot de passe incorrect." in body
    assert "mauvais mot de passe" not in body  # the password is never sent back
    assert "<title>Erreur : Se connecter" in body


def test_empty_fields_are_named(browser: Browser) -> None:
    response = browser.sign_in("", "")
    assert response.status_code == 422
    page = text_of(response)
    assert "Saisissez votre adresse électronique." in page
    assert "Saisissez votre mot de passe." in page


@pytest.mark.parametrize("email", [EMAIL, "personne@nulle-part.fr"])
def test_five_failures_lock_known_and_unknown_addresses_alike(
    browser: Browser, people: People, email: str
) -> None:
    people.active(EMAIL)
    pages = [text_of(browser.sign_in(email, "mauvais mot de passe")) for _ in range(5)]
    assert ["verrouillé" in page for page in pages] == [False] * 4 + [True]
    assert "verrouillé pendant 15 minutes" in pages[-1]
    locked = browser.sign_in(email, PASSWORD if email == EMAIL else "autre mot de passe")
    assert locked.status_code == 401
    assert "ce compte est verrouillé pendant" in text_of(locked)
    assert "Mot de passe oublié" in text_of(locked)


def test_failures_from_one_address_are_limited(
    sqlite_url: str, tmp_path: Path, demo_store_dir: Path
) -> None:
    app = make_app(sqlite_url, tmp_path, store_dir=demo_store_dir, auth_failures_per_minute=3)
    browser = Browser(app.test_client())
    statuses = [browser.sign_in(f"p{n}@exemple.fr", "mauvais mot de passe") for n in range(4)]
    assert [s.status_code for s in statuses] == [401, 401, 401, 429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1
    assert "Trop de tentatives de connexion depuis votre adresse" in text_of(statuses[-1])
    app_state(app).database.dispose()


@pytest.mark.parametrize(
    ("suivant", "location"),
    [
        ("/compte/cles", "/compte/cles"),
        ("//pirate.example/", "/compte"),
        ("https://x.fr/", "/compte"),
    ],
)
def test_the_next_page_stays_on_the_site(
    browser: Browser, people: People, suivant: str, location: str
) -> None:
    people.active(EMAIL, role="gestionnaire")
    response = browser.submit(
        "/compte/connexion", {"email": EMAIL, "password": PASSWORD, "suivant": suivant}
    )
    assert response.headers["Location"] == location


def test_a_signed_in_person_is_sent_from_the_sign_in_page_to_the_account(
    browser: Browser, people: People
) -> None:
    people.active(EMAIL)
    browser.sign_in(EMAIL, PASSWORD)
    assert browser.get("/compte/connexion").headers["Location"] == "/compte"


def test_the_header_shows_who_is_signed_in(browser: Browser, people: People) -> None:
    assert "Se connecter" in text_of(browser.get("/"))
    people.active(EMAIL)
    browser.sign_in(EMAIL, PASSWORD)
    header = browser.get("/").get_data(as_text=True)
    assert "Camille Martin" in header and "Commune d&#39;Aubagne" in header
    assert 'action="/compte/deconnexion"' in header and 'name="csrf_token"' in header


def test_a_disabled_organisation_signs_its_people_out(
    browser: Browser, people: People, world: World, sqlite_app: Flask
) -> None:
    people.active(EMAIL)
    browser.sign_in(EMAIL, PASSWORD)
    assert browser.get("/compte").status_code == 200
    from gateway.services.requesters.registry import update_requester

    with sqlite_app.app_context(), app_state().database.transaction() as session:
        update_requester(session, None, world.id("commune_13"), {"active": False})
    assert browser.get("/compte").status_code == 303
