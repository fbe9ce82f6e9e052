"""Invitation and reset links: the pages, their errors, single use, the same reply for all."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import update

from gateway.db.models import AccountToken
from gateway.state import app_state
from tests.support.accounts import PASSWORD, Outbox, People, token_of
from tests.web.account.conftest import Browser, text_of

EMAIL = "camille@aubagne.fr"
NEW = "Quatre souris blanches dansent"


def test_an_invitation_opens_the_account_and_signs_in(browser: Browser, people: People) -> None:
    token = people.invite(EMAIL)
    path = f"/compte/invitation/{token}"
    page = browser.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Camille Martin" in text_of(page) and EMAIL in text_of(page)
    response = browser.submit(path, {"password": NEW, "confirmation": NEW})
    assert response.status_code == 303 and response.headers["Location"] == "/compte"
    assert "Bienvenue : votre compte est ouvert." in text_of(browser.get("/compte"))


@pytest.mark.parametrize(
    ("password", "confirmation", "field", "message"),
    [
        ("court", "court", "password", "au moins 12 caractères"),
        ("motdepasse2024", "motdepasse2024", "password", "trop facile à deviner"),
        (NEW, "autre chose", "confirmation", "Les deux mots de passe saisis sont différents."),
    ],
)
def test_a_refused_password_is_said_beside_its_field(
    browser: Browser, people: People, password: str, confirmation: str, field: str, message: str
) -> None:
    path = f"/compte/invitation/{people.invite(EMAIL)}"
    response = browser.submit(path, {"password": password, "confirmation": confirmation})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-erreur"' in body and f'href="#{field}"' in body
    assert message in text_of(response)
    assert password not in body


def test_a_used_link_gets_the_410_page(browser: Browser, people: People) -> None:
    path = f"/compte/invitation/{people.invite(EMAIL)}"
    browser.submit(path, {"password": NEW, "confirmation": NEW})
    for response in (browser.get(path), browser.submit(path, {}, form_at="/compte/demande-acces")):
        assert response.status_code == 410
        assert "Ce lien n'est pas ou plus valable" in text_of(response)


def test_an_expired_or_unknown_link_gets_the_410_page(
    browser: Browser, people: People, sqlite_app: Flask
) -> None:
    token = people.invite(EMAIL)
    with sqlite_app.app_context(), app_state().database.transaction() as session:
        session.execute(update(AccountToken).values(expires_at=AccountToken.created_at))
    assert browser.get(f"/compte/invitation/{token}").status_code == 410
    assert browser.get("/compte/reinitialiser/inconnu").status_code == 410


def test_forgotten_password_answers_the_same_whatever_the_address(
    browser: Browser, people: People, outbox: Outbox
) -> None:
    people.active(EMAIL)
    known = browser.submit("/compte/mot-de-passe-oublie", {"email": EMAIL})
    unknown = browser.submit("/compte/mot-de-passe-oublie", {"email": "x@nulle-part.fr"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert outbox.links() == [outbox.last_link(EMAIL)]  # one message, to the account only
    sent = browser.get("/compte/mot-de-passe-oublie/envoye")
    assert "Si un compte existe pour cette adresse" in text_of(sent)


def test_an_invalid_address_is_said_beside_the_field(browser: Browser) -> None:
    response = browser.submit("/compte/mot-de-passe-oublie", {"email": "pas une adresse"})
    assert response.status_code == 422
    assert "Saisissez une adresse électronique valide" in text_of(response)


def test_the_reset_link_from_the_log_changes_the_password(
    browser: Browser, people: People, outbox: Outbox, sqlite_app: Flask
) -> None:
    people.active(EMAIL)
    other = Browser(sqlite_app.test_client())  # another session, still open
    other.sign_in(EMAIL, PASSWORD)
    browser.submit("/compte/mot-de-passe-oublie", {"email": EMAIL})
    link = outbox.last_link(EMAIL)
    assert "/compte/reinitialiser/" in link and link.startswith("http://")
    path = f"/compte/reinitialiser/{token_of(link)}"
    assert "Choisir un nouveau mot de passe" in text_of(browser.get(path))
    assert browser.submit(path, {"password": NEW, "confirmation": NEW}).status_code == 303
    assert other.get("/compte").status_code == 303  # the other session ended
    assert browser.get(path).status_code == 410  # used
    fresh = Browser(sqlite_app.test_client())
    assert fresh.sign_in(EMAIL, PASSWORD).status_code == 401
    assert fresh.sign_in(EMAIL, NEW).status_code == 303


def test_reset_requests_are_limited_per_address(browser: Browser) -> None:
    statuses = [
        browser.submit("/compte/mot-de-passe-oublie", {"email": "x@nulle-part.fr"}).status_code
        for _ in range(11)
    ]
    assert statuses == [303] * 10 + [429]
