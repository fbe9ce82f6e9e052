"""Fixtures of the request builder's pages: the demonstration world, a signed-in person.

The app runs on a copy of the prepared database with the demonstration requesters, their
conventions and their people (`init --demo` does the same): the commune of Aubagne, priced
per extract; the conseil départemental, free; the cabinet privé, up to the EPCI.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from gateway.services.accounts.demo import DEMO_PASSWORD, demo_email
from gateway.state import app_state
from tests.support.demo_world import demo_world_app

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def demo_app(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    """An app on a copy of the prepared database, with the demonstration world."""
    folder = tmp_path_factory.mktemp("demande")
    app, _keys = demo_world_app(folder, sqlite_template, demo_store_dir)
    yield app
    app_state(app).jobs.wait_all(timeout=60)
    app_state(app).database.dispose()


class Person:
    """A test client signed in as a demonstration person, filling forms with their token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def token(self, path: str = "/compte") -> str:
        found = _TOKEN.search(self.client.get(path).get_data(as_text=True))
        assert found, f"aucun jeton CSRF sur {path}"
        return found.group(1)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> TestResponse:
        """Post a form with the session's CSRF token (pairs keep repeated fields)."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
        data = MultiDict([*pairs, ("csrf_token", self.token())])
        return self.client.post(path, data=data, **kwargs)


def signed_in(app: Flask, slug: str) -> Person:
    person = Person(app.test_client())
    signed = person.client.post(
        "/compte/connexion",
        data={
            "email": demo_email(slug),
            "password": DEMO_PASSWORD,
            "csrf_token": _TOKEN.findall(
                person.client.get("/compte/connexion").get_data(as_text=True)
            )[0],
        },
    )
    assert signed.status_code == 303, signed.get_data(as_text=True)[:500]
    return person


@pytest.fixture
def commune(demo_app: Flask) -> Person:
    """Camille Martin, gestionnaire of the commune of Aubagne (13005), priced per extract."""
    return signed_in(demo_app, "commune")


@pytest.fixture
def departement(demo_app: Flask) -> Person:
    """Claire Fabre, of the conseil départemental des Bouches-du-Rhône (free convention)."""
    return signed_in(demo_app, "conseil_departemental")


def text_of(response: TestResponse) -> str:
    """The page's text, spaces collapsed (what a reader sees)."""
    page = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
