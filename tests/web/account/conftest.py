"""Fixtures of the account pages: a client that reads and sends forms with their CSRF token."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.gateway.admin.conftest import World
from tests.support.accounts import Outbox, People, reading_outbox

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client that fills forms as a browser would: with the page's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def token(self, path: str) -> str:
        page = self.client.get(path)
        found = _TOKEN.search(page.get_data(as_text=True))
        assert found, f"aucun jeton CSRF sur {path} ({page.status_code})"
        return found.group(1)

    def submit(
        self, path: str, data: dict[str, str], *, form_at: str | None = None
    ) -> TestResponse:
        """Post a form as shown at `form_at` (by default the same page)."""
        return self.client.post(path, data={**data, "csrf_token": self.token(form_at or path)})

    def sign_in(self, email: str, password: str) -> TestResponse:
        return self.submit("/compte/connexion", {"email": email, "password": password})


@pytest.fixture
def world(sqlite_app: Flask) -> World:
    return World(sqlite_app)


@pytest.fixture
def people(sqlite_app: Flask, world: World) -> People:
    return People(sqlite_app, world)


@pytest.fixture
def browser(sqlite_app: Flask) -> Browser:
    return Browser(sqlite_app.test_client())


@pytest.fixture
def outbox() -> Iterator[Outbox]:
    with reading_outbox() as found:
        yield found


def text_of(response: TestResponse) -> str:
    """The page's text, spaces collapsed (for assertions on what a reader sees)."""
    page = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
