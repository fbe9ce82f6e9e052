"""Factories for the admin tests: requesters and keys made through the public services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from gateway.services.requesters import registry as requesters
from gateway.services.requesters.api_keys import issue_key
from tests.support.state import get_database

Headers = dict[str, str]

REQUESTERS: dict[str, dict[str, Any]] = {
    "admin_national": {"name": "Cnaf", "type": "admin_national", "caf_code": None},
    "admin_13": {"name": "Caf 13 (admin)", "type": "admin_caf", "caf_code": "13"},
    "admin_33": {"name": "Caf 33 (admin)", "type": "admin_caf", "caf_code": "33"},
    "commune_13": {
        "name": "Commune d'Aubagne",
        "type": "commune",
        "caf_code": "13",
        "territory_level": "commune",
        "territory_code": "13005",
    },
    "commune_33": {
        "name": "Commune de Mérignac",
        "type": "commune",
        "caf_code": "33",
        "territory_level": "commune",
        "territory_code": "33281",
    },
    "cd_13": {
        "name": "Conseil départemental 13",
        "type": "conseil_departemental",
        "caf_code": "13",
        "territory_level": "departement",
        "territory_code": "13",
    },
}


class World:
    """Requesters by name, with a key each, in one app's database."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.ids: dict[str, int] = {}
        self.keys: dict[str, str] = {}

    def add(self, name: str) -> int:
        with self.app.app_context(), get_database().transaction() as session:
            requester = requesters.create_requester(session, None, REQUESTERS[name])
            self.ids[name] = requester.id
            self.keys[name] = issue_key(session, requester.id).plaintext
        return self.ids[name]

    def headers(self, name: str) -> Headers:
        if name not in self.keys:
            self.add(name)
        return {"Authorization": f"Bearer {self.keys[name]}"}

    def id(self, name: str) -> int:
        return self.ids[name] if name in self.ids else self.add(name)


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


@pytest.fixture
def sqlite_world(sqlite_app: Flask) -> World:
    return World(sqlite_app)


@pytest.fixture
def as_(world: World) -> Callable[[str], Headers]:
    return world.headers


PDF = b"%PDF-1.4\n% convention signee (test)\n%%EOF\n"

CLAUSES = [
    "parties",
    "finalite_usages",
    "donnees_couvertes",
    "duree",
    "secret_statistique",
    "protection_donnees",
    "citation_source",
    "tarification",
    "resiliation",
]


def convention_body(requester_id: int, caf_code: str = "13", **overrides: Any) -> dict[str, Any]:
    """A complete convention for a commune over its own territory (activable once signed)."""
    body: dict[str, Any] = {
        "caf_code": caf_code,
        "requester_id": requester_id,
        "finalite": "Diagnostic petite enfance de la commune",
        "uses": ["usage_final"],
        "scope": {
            "tiers": ["convention"],
            "own_territory": True,
            "finest_level": "commune",
            "periods": [2022, 2023],
        },
        "start": "2024-01-01",
        "end": "2099-12-31",
        "quotas": {"extracts_per_month": 10, "cells_per_month": 50000},
        "pricing": "tarif_par_extrait",
        "clauses": CLAUSES,
        "signatories": [
            {
                "name": "Directrice de la Caf",
                "role": "directrice",
                "party": "caf",
                "signed_on": "2023-12-15",
            },
            {"name": "Maire", "role": "maire", "party": "demandeur", "signed_on": "2023-12-18"},
        ],
    }
    body.update(overrides)
    return body
