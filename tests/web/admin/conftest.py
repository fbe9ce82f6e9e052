"""Fixtures of the console pages: administrators of two Cafs and a national one, signed in.

Each is a person of an administration requester made by the admin tests' `World` (through
the public services), invited and signed in as on the portal (`tests.web.espace.conftest`).
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.gateway.admin.conftest import World
from tests.web.account.conftest import Browser
from tests.web.espace.conftest import signed_in

#: The console's people: (World requester, e-mail).
ADMINS = {
    "admin_13": "diffusion@caf13.fr",
    "admin_33": "diffusion@caf33.fr",
    "admin_national": "diffusion@cnaf.fr",
}


@pytest.fixture
def console_world(sqlite_app: Flask) -> World:
    return World(sqlite_app)


def admin_browser(app: Flask, world: World, name: str) -> Browser:
    """A person of the administration requester `name`, signed in (role: gestionnaire)."""
    return signed_in(app, world.id(name), ADMINS[name], role="gestionnaire")


@pytest.fixture
def caf13(sqlite_app: Flask, console_world: World) -> Browser:
    return admin_browser(sqlite_app, console_world, "admin_13")


@pytest.fixture
def caf33(sqlite_app: Flask, console_world: World) -> Browser:
    return admin_browser(sqlite_app, console_world, "admin_33")


@pytest.fixture
def cnaf(sqlite_app: Flask, console_world: World) -> Browser:
    return admin_browser(sqlite_app, console_world, "admin_national")


@pytest.fixture
def commune13(sqlite_app: Flask, console_world: World) -> Browser:
    """A person of a commune (not an administrator)."""
    return signed_in(sqlite_app, console_world.id("commune_13"), "agent@aubagne.fr")
