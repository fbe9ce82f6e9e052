"""Fixtures of the IMAJE screens' pages: a prepared app with the demonstration requesters,
their conventions and their people, and a browser signed in as one of them."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from gateway.services.accounts.demo import DEMO_PASSWORD, demo_email, write_demo_accounts
from gateway.services.accounts.passwords import Passwords
from gateway.services.demo.conventions import seed_demo_conventions
from gateway.services.demo.requesters import ensure_demo_requesters, write_demo_keys
from gateway.state import app_state
from tests.conftest import make_app
from tests.web.account.conftest import Browser

#: Pied-de-Borne (Lozère): six years of children under 3, two of them protected (test store).
PIED_DE_BORNE = "48015"
#: Albaret-le-Comtal (Lozère): its children under 3 are protected in 2024 (test store).
ALBARET = "48001"


@pytest.fixture(scope="module")
def imaje_app(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    """An app on a copy of the prepared database, with the demonstration requesters."""
    folder = tmp_path_factory.mktemp("imaje")
    shutil.copyfile(sqlite_template, folder / "gateway.sqlite3")
    app = make_app(
        f"sqlite:///{folder / 'gateway.sqlite3'}",
        folder,
        store_dir=demo_store_dir,
        rate_limit="100000/minute",
    )
    database = app_state(app).database
    with app.app_context():
        with database.transaction() as session:
            keys = write_demo_keys(session, folder / "demo-keys.json")
        with database.transaction() as session:
            seed_demo_conventions(session)
        with database.transaction() as session:
            requesters = ensure_demo_requesters(session)
            passwords = Passwords.for_environment("test")
            write_demo_accounts(session, passwords, requesters, folder / "demo-accounts.json")
    app.config["DEMO_KEYS"] = {slug: entry["key"] for slug, entry in keys.items()}
    yield app
    database.dispose()


@pytest.fixture
def signed_in(imaje_app: Flask) -> Callable[[str], Browser]:
    """Return a browser signed in as the demonstration person of a requester (by slug)."""

    def sign_in(slug: str) -> Browser:
        browser = Browser(imaje_app.test_client())
        response = browser.sign_in(demo_email(slug), DEMO_PASSWORD)
        assert response.status_code == 303, text_of(response)[:500]
        return browser

    return sign_in


@pytest.fixture
def api(imaje_app: Flask) -> Callable[..., TestResponse]:
    """Post to the API with a demonstration requester's key (the page's data twin)."""
    client = imaje_app.test_client()

    def post(path: str, body: dict[str, Any], slug: str) -> TestResponse:
        key = imaje_app.config["DEMO_KEYS"][slug]
        return client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})

    return post


def text_of(response: TestResponse) -> str:
    """The page's text, spaces collapsed."""
    page = re.sub(r"<script.*?</script>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def table_of(response: TestResponse) -> dict[tuple[str, str], str]:
    """Read the screen's table: (row code, year) -> the text shown."""
    body = response.get_data(as_text=True)
    table = re.search(r'<table class="tableau" id="tableau-imaje">(.*?)</table>', body, re.S)
    assert table, "pas de tableau"
    years = re.findall(r'<th scope="col" class="nombre">(\d{4})</th>', table.group(1))
    cells = {}
    for code, row in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', table.group(1), re.S):
        texts = re.findall(r'<td class="nombre[^"]*"[^>]*>(.*?)</td>', row, re.S)
        for year, text in zip(years, texts, strict=True):
            cells[(code, year)] = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
    return cells


def charts_of(response: TestResponse) -> list[dict[str, Any]]:
    """Read the charts' data the page hands to static/imaje.js."""
    body = response.get_data(as_text=True)
    found = re.findall(
        r'<script type="application/json" id="graphique-imaje-\d+">(.*?)</script>', body, re.S
    )
    return [json.loads(text) for text in found]
