"""Pricing fixtures: demo requesters with API keys, request descriptions, a quote factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.services.demo.requesters import ensure_demo_requesters
from gateway.services.requesters.api_keys import issue_key
from tests.support.state import get_database

#: Socle commun data with a bespoke breakdown: a priced custom product for anyone.
PRICED = {
    "indicators": ["ENF_COUVERTS"],
    "territories": {"level": "departement", "codes": ["13", "84"]},
    "periods": [2019, 2020, 2021, 2022, 2023],
    "breakdowns": ["age_enfant"],
    "bespoke_breakdowns": [{"label": "Tranche de quotient familial", "categories": 4}],
    "use": "etudes",
}
#: Socle commun data as published: free.
SOCLE = {
    "indicators": ["ALLOC"],
    "territories": {"level": "departement", "codes": ["13"]},
    "periods": [2023],
    "use": "usage_final",
}


class Keys(dict[str, str]):
    """Authorization headers by demo requester slug, and their requester ids."""

    ids: dict[str, int]

    def auth(self, slug: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self[slug]}"}


@pytest.fixture
def keys(app: Flask) -> Keys:
    return _keys(app)


@pytest.fixture
def sqlite_keys(sqlite_app: Flask) -> Keys:
    return _keys(sqlite_app)


def _keys(app: Flask) -> Keys:
    keys = Keys()
    keys.ids = {}
    with app.app_context(), get_database().transaction() as session:
        for slug, requester in ensure_demo_requesters(session).items():
            keys[slug] = issue_key(session, requester.id, label="tests").plaintext
            keys.ids[slug] = requester.id
    return keys


QuoteFactory = Callable[..., dict[str, Any]]


@pytest.fixture
def make_quote(client: FlaskClient, keys: Keys) -> QuoteFactory:
    """Ask a quote through the API; return its JSON body."""

    def make(slug: str = "cabinet_prive", description: dict[str, Any] | None = None) -> Any:
        response = client.post(
            "/api/v1/quotes", json=description or PRICED, headers=keys.auth(slug)
        )
        assert response.status_code == 201, response.json
        return response.json

    return make


def back_dated_quote(app: Flask, requester_id: int, made_on: date) -> int:
    """Store a quote made on an earlier day (through the service, as the pipeline would)."""
    from gateway.pipeline.request import parse_description
    from gateway.services.pricing.queries import quote_for_request
    from policies.domain import RequesterType, Use
    from tariffs import PricingRequest

    request = PricingRequest(RequesterType.CABINET_PRIVE, Use.ETUDES, cells_per_zone=120, zones=2)
    with app.app_context(), get_database().transaction() as session:
        record = quote_for_request(
            session,
            requester_id=requester_id,
            caf_code="13",
            pricing_request=request,
            request=parse_description({**PRICED, "periods": [2019]}, {}),
            today=made_on,
        )
        return record.id
