"""Fixtures of the account service tests: a world of requesters, people, the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from gateway.services.accounts.passwords import Passwords
from gateway.web.account.security import ACCOUNTS_KEY
from tests.gateway.admin.conftest import World
from tests.support.accounts import Outbox, People, reading_outbox


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


@pytest.fixture
def people(app: Flask, world: World) -> People:
    return People(app, world)


@pytest.fixture
def passwords(app: Flask) -> Passwords:
    found: Passwords = app.extensions[ACCOUNTS_KEY].passwords
    return found


@pytest.fixture
def outbox() -> Iterator[Outbox]:
    with reading_outbox() as found:
        yield found


@pytest.fixture
def sqlite_world(sqlite_app: Flask) -> World:
    return World(sqlite_app)
