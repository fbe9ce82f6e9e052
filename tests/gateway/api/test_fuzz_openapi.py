"""Schema-based fuzzing of the OpenAPI document (schemathesis), bounded: never a 5xx."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gateway.api import API_PREFIX

EXAMPLES_PER_OPERATION = 25


def fuzz(app: Flask, headers: dict[str, str] | None = None) -> int:
    """Fuzz every operation of the app's OpenAPI document; return how many were exercised."""
    schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        call()
    return len(operations)


def test_no_server_error_anonymous(sqlite_app: Flask) -> None:
    assert fuzz(sqlite_app) >= 5


def test_no_server_error_as_requester_and_admin(sqlite_app: Flask, tmp_path: Path) -> None:
    from tests.gateway.pipeline.conftest import demo_headers

    keys = demo_headers(sqlite_app, tmp_path)
    assert fuzz(sqlite_app, keys["conseil_departemental"]) >= 5
    assert fuzz(sqlite_app, keys["admin_caf"]) >= 5
