"""A person's first steps on the served portal, as a browser would take them.

gunicorn with 2 workers on a fresh `init --demo` instance, on SQLite and on PostgreSQL: a
Caf administrator invites a person through the API; the person follows the link the
gateway wrote to its log (development's outbox), chooses a password, lands on "Mon compte",
signs out and back in. Then a demonstration account signs in with its published password.
"""

from __future__ import annotations

import json
import re

import requests

from tests.support.served import Served

TIMEOUT = 60
EMAIL = "sacha.durand@aubagne.fr"
PASSWORD = "Le mistral souffle fort"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(page: requests.Response) -> str:
    found = _TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def _post_form(
    browser: requests.Session, url: str, data: dict[str, str], form_at: str | None = None
) -> requests.Response:
    token = _token(browser.get(form_at or url, timeout=TIMEOUT))
    return browser.post(url, data={**data, "csrf_token": token}, timeout=TIMEOUT)


def test_an_invited_person_opens_the_account_signs_out_and_in(served_gateway: Served) -> None:
    commune = served_gateway.requester_id("commune")
    invited = requests.post(
        served_gateway.url(f"/api/v1/admin/requesters/{commune}/people"),
        json={"email": EMAIL, "name": "Sacha Durand"},
        headers=served_gateway.headers("admin_caf"),
        timeout=TIMEOUT,
    )
    assert invited.status_code == 201, invited.text
    link = served_gateway.link_sent_to(EMAIL)
    assert link.startswith(served_gateway.base + "/compte/invitation/")

    browser = requests.Session()
    page = browser.get(link, timeout=TIMEOUT)
    assert page.status_code == 200 and "Sacha Durand" in page.text
    opened = browser.post(
        link,
        data={"password": PASSWORD, "confirmation": PASSWORD, "csrf_token": _token(page)},
        timeout=TIMEOUT,
    )
    assert opened.status_code == 200 and opened.url == served_gateway.url("/compte")
    assert "Mon compte" in opened.text and "Commune d&#39;Aubagne" in opened.text

    signed_out = browser.post(
        served_gateway.url("/compte/deconnexion"),
        data={"csrf_token": _token(opened)},  # the header's sign-out form
        timeout=TIMEOUT,
    )
    assert signed_out.url == served_gateway.url("/compte/connexion")
    assert "Vous êtes déconnecté(e)." in signed_out.text
    assert browser.get(served_gateway.url("/compte"), timeout=TIMEOUT).url.startswith(
        served_gateway.url("/compte/connexion")
    )
    assert browser.get(link, timeout=TIMEOUT).status_code == 410  # the link served once

    back = _post_form(
        browser, served_gateway.url("/compte/connexion"), {"email": EMAIL, "password": PASSWORD}
    )
    assert back.url == served_gateway.url("/compte") and "Sacha Durand" in back.text


def test_a_demonstration_account_signs_in(served_gateway: Served) -> None:
    accounts = json.loads((served_gateway.instance_dir / "demo-accounts.json").read_text())
    account = accounts["commune"]
    browser = requests.Session()
    page = _post_form(
        browser,
        served_gateway.url("/compte/connexion"),
        {"email": account["email"], "password": account["password"]},
    )
    assert page.url == served_gateway.url("/compte") and account["name"] in page.text
    keys = browser.get(served_gateway.url("/compte/cles"), timeout=TIMEOUT)
    assert keys.status_code == 200 and "démonstration" in keys.text
