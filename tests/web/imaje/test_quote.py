"""A priced screen: the quote to accept, accepted with the API's service, then the screen."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask import Flask

from gateway.web.imaje import quote
from tests.web.account.conftest import Browser
from tests.web.imaje.conftest import text_of

FORM = {
    "indicators": "PLACES_EAJE",
    "level": "commune",
    "code": "13005",
    "last_period": "2024",
    "use": "usage_final",
}


def test_a_priced_history_shows_its_quote_then_the_screen_once_accepted(
    signed_in: Callable[[str], Browser], imaje_app: Flask
) -> None:
    browser = signed_in("commune")  # Aubagne: its convention prices each extract
    quoted = browser.submit("/imaje/historique", FORM)
    assert quoted.status_code == 402
    page = text_of(quoted)
    assert "Cet écran est payant : devis n°" in page and "Total TTC (net hors taxes" in page
    quote_id = re.search(r"devis n° (\d+) à accepter", page)
    assert quote_id is not None
    body = quoted.get_data(as_text=True)
    if "espace.quote" in imaje_app.view_functions:  # "Mon espace" shows and accepts quotes
        assert f'href="/espace/devis/{quote_id.group(1)}"' in body
    retour = "/imaje/historique?" + urlencode(FORM)  # the form as sent (the page's own)
    if "espace.quote" not in imaje_app.view_functions:
        assert f'name="retour" value="{html.escape(retour)}"' in body
    # The fallback form of this area accepts with the same service as the API.
    accepted = browser.submit(
        f"/imaje/devis/{quote_id.group(1)}/acceptation",
        {"retour": retour},
        form_at="/imaje/historique",
    )
    assert accepted.status_code == 303 and accepted.headers["Location"].startswith(
        "/imaje/historique?"
    )
    form = browser.get(accepted.headers["Location"])
    assert f"Devis n° {quote_id.group(1)} accepté" in text_of(form)
    assert re.search(r'value="PLACES_EAJE" checked', form.get_data(as_text=True))
    shown = browser.submit("/imaje/historique", FORM)
    assert shown.status_code == 200, text_of(shown)[:800]
    assert "Places en établissement d’accueil du jeune enfant" in text_of(shown)


def test_a_quote_of_another_requester_is_not_accepted(
    signed_in: Callable[[str], Browser],
) -> None:
    quoted = signed_in("epci").submit("/imaje/historique", {**FORM, "code": "13070"})
    assert quoted.status_code == 402
    quote_id = re.search(r"devis n° (\d+) à accepter", text_of(quoted))
    assert quote_id is not None
    other = signed_in("commune")
    refused = other.submit(
        f"/imaje/devis/{quote_id.group(1)}/acceptation", {}, form_at="/imaje/historique"
    )
    assert refused.status_code == 404 and refused.mimetype == "text/html"


def test_without_my_space_the_screen_accepts_the_quote_itself(
    signed_in: Callable[[str], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quote, "_url_if_any", lambda endpoint, **values: None)
    quoted = signed_in("commune").submit(
        "/imaje/historique", {**FORM, "code": "13005", "last_period": "2023"}
    )
    assert quoted.status_code == 402
    body = quoted.get_data(as_text=True)
    quote_id = re.search(r"devis n° (\d+) à accepter", text_of(quoted))
    assert quote_id is not None
    assert f'action="/imaje/devis/{quote_id.group(1)}/acceptation"' in body
    assert "Accepter le devis n°" in text_of(quoted) and "/espace/devis/" not in body
