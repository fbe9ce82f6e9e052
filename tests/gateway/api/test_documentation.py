"""The API's documentation: served without internet, and true to what the API sends."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import marshmallow as ma
from flask import Flask
from flask.testing import FlaskClient

from gateway.api.schemas import Schema
from tests.gateway.pipeline.conftest import demo_headers

PROBLEM = "application/problem+json"


def test_docs_page_references_no_external_host(sqlite_client: FlaskClient) -> None:
    page = sqlite_client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"(src|href)=\"(https?:)?//", html), html
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert {a.rsplit("/", 1)[1] for a in assets} == {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    }


def test_docs_assets_are_served_by_the_gateway(sqlite_client: FlaskClient) -> None:
    html = sqlite_client.get("/api/v1/docs").get_data(as_text=True)
    for asset in re.findall(r"(?:src|href)=\"([^\"]+)\"", html):
        with sqlite_client.get(asset) as response:
            assert response.status_code == 200, asset
            assert response.mimetype in ("text/css", "text/javascript", "application/javascript")
            content = response.get_data()
        assert len(content) > 100_000, asset  # the real bundle, not a placeholder
        if asset.endswith("bundle.js"):
            assert b"SwaggerUIBundle" in content


def _spec(client: FlaskClient) -> dict:
    spec: dict = client.get("/api/v1/openapi.json").json
    return spec


def _error_responses(spec: dict) -> list[tuple[str, str, dict]]:
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters, not an operation
                continue
            for status, documented in operation.get("responses", {}).items():
                if status == "default" or status[0] in "45":
                    ref = documented.get("$ref")
                    shared = spec["components"]["responses"][ref.rsplit("/", 1)[1]] if ref else {}
                    found.append((f"{method.upper()} {path}", status, shared or documented))
    return found


def test_every_error_response_is_documented_as_a_problem_document(
    sqlite_client: FlaskClient,
) -> None:
    spec = _spec(sqlite_client)
    errors = _error_responses(spec)
    assert len(errors) > 100
    wrong = [
        (operation, status, sorted(response.get("content", {})))
        for operation, status, response in errors
        if list(response.get("content", {})) != [PROBLEM]
    ]
    assert wrong == []
    problem = spec["components"]["schemas"]["Problem"]
    assert problem.get("additionalProperties") is not False  # extension members (a quote)


def test_socle_is_documented_as_public(sqlite_client: FlaskClient) -> None:
    operation = _spec(sqlite_client)["paths"]["/api/v1/socle/{indicator}"]["get"]
    assert operation["security"] == []
    assert sqlite_client.get("/api/v1/socle/ALLOC?level=departement&codes=13").status_code == 200


def test_keyed_routes_stay_documented_with_a_key(sqlite_client: FlaskClient) -> None:
    operation = _spec(sqlite_client)["paths"]["/api/v1/extracts"]["post"]
    assert operation["security"] == [{"cleApi": []}]


class Moment(Schema):
    at = ma.fields.DateTime()
    items = ma.fields.List(ma.fields.DateTime())


def test_date_times_are_served_with_their_offset() -> None:
    naive = datetime(2026, 12, 1, 10, 0, 0)
    paris = datetime(2026, 12, 1, 11, 0, 0, tzinfo=timezone(timedelta(hours=1)))
    dumped = Moment().dump({"at": naive, "items": [naive, paris]})
    assert dumped == {
        "at": "2026-12-01T10:00:00+00:00",
        "items": ["2026-12-01T10:00:00+00:00", "2026-12-01T10:00:00+00:00"],
    }


DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _date_times(document: object) -> list[str]:
    if isinstance(document, dict):
        return [s for value in document.values() for s in _date_times(value)]
    if isinstance(document, list):
        return [s for value in document for s in _date_times(value)]
    return [document] if isinstance(document, str) and DATE_TIME.match(document) else []


def test_api_date_times_carry_an_offset(
    sqlite_client: FlaskClient, sqlite_app: Flask, tmp_path: Path
) -> None:
    keys = demo_headers(sqlite_app, tmp_path)
    served = [
        sqlite_client.get("/api/v1/admin/requesters", headers=keys["admin_national"]).json,
        sqlite_client.get("/api/v1/me", headers=keys["commune"]).json,
    ]
    moments = [moment for document in served for moment in _date_times(document)]
    assert moments
    naive = [m for m in moments if datetime.fromisoformat(m).tzinfo is None]
    assert naive == []
