"""Signing out: a POST with its token; the old cookie opens nothing afterwards."""

from __future__ import annotations

from tests.support.accounts import PASSWORD, People
from tests.web.account.conftest import Browser, text_of

EMAIL = "camille@aubagne.fr"


def test_sign_out_asks_then_ends_every_session(browser: Browser, people: People) -> None:
    people.active(EMAIL)
    browser.sign_in(EMAIL, PASSWORD)
    stolen = browser.client.get_cookie("passerelle_session")
    assert stolen is not None
    confirm = browser.get("/compte/deconnexion")
    assert confirm.status_code == 200 and "toutes vos sessions" in text_of(confirm)
    response = browser.submit("/compte/deconnexion", {})
    assert response.status_code == 303 and response.headers["Location"] == "/compte/connexion"
    assert "Vous êtes déconnecté(e)." in text_of(browser.get("/compte/connexion"))
    assert browser.get("/compte").status_code == 303
    # The cookie held before signing out, replayed: its generation is over.
    browser.client.set_cookie("passerelle_session", stolen.value)
    assert browser.get("/compte").headers["Location"].startswith("/compte/connexion")


def test_signing_out_without_a_session_just_returns_to_sign_in(browser: Browser) -> None:
    assert browser.get("/compte/deconnexion").headers["Location"] == "/compte/connexion"
    response = browser.submit("/compte/deconnexion", {}, form_at="/compte/connexion")
    assert response.status_code == 303


def test_my_account_asks_to_sign_in_first_and_comes_back(browser: Browser, people: People) -> None:
    response = browser.get("/compte")
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/connexion?suivant=/compte?"
    people.active(EMAIL)
    signed_in = browser.submit(
        "/compte/connexion", {"email": EMAIL, "password": PASSWORD, "suivant": "/compte?"}
    )
    assert signed_in.headers["Location"] == "/compte"
