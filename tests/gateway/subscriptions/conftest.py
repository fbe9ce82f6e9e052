"""Fixtures of the subscription tests: the demonstration world, its callers and a request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from gateway.db.models import Requester
from gateway.services.demo.requesters import DEMO_REQUESTERS
from gateway.services.requesters.queries import profile_of
from gateway.state import AppState, app_state
from policies.access import Caller
from tests.gateway.pipeline.conftest import demo_headers

#: The conseil départemental's monthly pull: children under 6 by age, in the communes of an
#: EPCI of its département (free under its convention).
CD_REQUEST: dict[str, Any] = {
    "indicators": ["ENF_MOINS_6"],
    "use": "usage_final",
    "territories": {"parent_level": "epci", "parent_code": "241300375", "level": "commune"},
    "periods": [2024],
    "breakdowns": ["age_jeune_enfant"],
    "totals": True,
    "format": "csv-fr",
}
#: The commune of Aubagne on its own territory: priced per extract by its convention.
AUBAGNE_REQUEST: dict[str, Any] = {
    "indicators": ["ENF_MOINS_6"],
    "use": "usage_final",
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2024],
    "format": "json",
}


@pytest.fixture
def world(sqlite_app: Flask, tmp_path: Path) -> Iterator[tuple[Flask, dict[str, dict[str, str]]]]:
    """The app on SQLite with the demonstration requesters, keys and conventions."""
    headers = demo_headers(sqlite_app, tmp_path)
    with sqlite_app.app_context():
        yield sqlite_app, headers


@pytest.fixture
def state(world: tuple[Flask, dict[str, dict[str, str]]]) -> AppState:
    return app_state(world[0])


def caller_of(state: AppState, slug: str) -> Caller:
    """The demonstration requester `slug` as its key would present it."""
    name = next(d.name for d in DEMO_REQUESTERS if d.slug == slug)
    with state.database.sessions() as session:
        requester = session.scalars(select(Requester).where(Requester.name == name)).one()
        return Caller(requester.id, profile_of(requester), "test", requester.name)
