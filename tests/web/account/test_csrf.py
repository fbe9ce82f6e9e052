"""Every form of the portal needs its CSRF token; the API, which takes keys, does not."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.gateway.admin.conftest import World
from tests.support.accounts import PASSWORD, People
from tests.web.account.conftest import Browser, text_of


def _post_routes(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    )


def test_every_page_form_without_its_token_gets_a_french_400_page(
    sqlite_app: Flask, browser: Browser, people: People
) -> None:
    people.active("camille@aubagne.fr", role="gestionnaire")
    browser.sign_in("camille@aubagne.fr", PASSWORD)
    routes = _post_routes(sqlite_app)
    assert "/compte/connexion" in routes and "/compte/cles" in routes
    for rule in routes:
        path = rule.replace("<string:token>", "x" * 43).replace("<string:prefix>", "abcd1234")
        path = re.sub(r"<int:\w+>", "1", path)  # a quote's number, say
        response = browser.client.post(path, data={"email": "a@b.fr"})
        assert response.status_code == 400, rule
        assert response.mimetype == "text/html", rule
        assert "Formulaire expiré ou incomplet" in text_of(response), rule
        assert '<html lang="fr">' in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["faux", ""])
def test_a_wrong_token_is_refused_too(browser: Browser, token: str) -> None:
    response = browser.client.post(
        "/compte/connexion", data={"email": "a@b.fr", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400 and "Formulaire expiré" in text_of(response)


def test_the_api_takes_no_token(sqlite_app: Flask, world: World) -> None:
    response = sqlite_app.test_client().post(
        f"/api/v1/admin/requesters/{world.id('commune_13')}/keys",
        json={"label": "sans jeton"},
        headers=world.headers("admin_13"),
    )
    assert response.status_code == 201
