"""Stateful fuzzing of the OpenAPI document (schemathesis): sequences of linked calls.

Schemathesis infers the links between operations (a requester created, then read, patched,
given a key; a convention created, then activated, suspended, renewal...) from the response
schemas and path parameters, and runs sequences of them with every check it has: no 5xx,
status codes, content types and response schemas as documented, invalid data rejected,
invalid or missing authentication refused, resources available after creation...

One check is left out, and why: `positive_data_acceptance` expects every schema-valid body
to be accepted, but what is asked is also checked against the catalogue and the conventions
(an indicator's breakdowns, a convention's scope, a zone's population), which no JSON schema
can state; such a body is refused with a 422 problem document, as it should be.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gateway.api import API_PREFIX
from gateway.state import app_state
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers

STEPS = 6
SEQUENCES = 40


@pytest.mark.parametrize("slug", ["admin_caf", "admin_national", "conseil_departemental"])
def test_linked_sequences_pass_every_check(
    sqlite_url: str, tmp_path: Path, demo_store_dir: Path, slug: str
) -> None:
    # Sequences send invalid keys on purpose: the per-address lockout would answer 429.
    app = make_app(
        sqlite_url,
        tmp_path,
        store_dir=demo_store_dir,
        auth_failures_per_minute=1_000_000,
        rate_limit="1000000/minute",
    )
    try:
        header = demo_headers(app, tmp_path)[slug]["Authorization"]
        path = sqlite_url.removeprefix("sqlite:///")
        snapshot = sqlite3.connect(":memory:")
        _copy(path, snapshot)
        schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)

        @schema.auth()
        class Bearer:
            """The demo key, which the authentication checks know how to remove or spoil."""

            def get(self, case: Any, context: Any) -> str:
                return header

            def set(self, case: Any, data: str, context: Any) -> None:
                case.headers = {**(case.headers or {}), "Authorization": data}

        linked = schema.as_state_machine()

        class Sequences(linked):  # type: ignore[misc,valid-type]
            def setup(self) -> None:
                """Start every sequence from the same database: Hypothesis replays a sequence
                to shrink it, and a replay meeting what earlier sequences created (a
                subscription, a convention) followed other links and was refused as flaky."""
                _copy(snapshot, path)

            def validate_response(
                self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
            ) -> None:
                case.validate_response(
                    response,
                    additional_checks=additional_checks,
                    excluded_checks=[positive_data_acceptance],
                    transport_kwargs=kwargs or None,
                    recorder=self.recorder,
                )

        assert any("__200_" in name for name in dir(Sequences))  # links were inferred
        Sequences.run(
            settings=settings(
                max_examples=SEQUENCES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
        )
    finally:
        app_state(app).database.dispose()


def _copy(source: str | sqlite3.Connection, target: str | sqlite3.Connection) -> None:
    """Copy a SQLite database into another with SQLite's backup API: the app's own
    connections see the copy (overwriting the file under them was a disk I/O error)."""
    opened = [sqlite3.connect(x) for x in (source, target) if isinstance(x, str)]
    reader = source if isinstance(source, sqlite3.Connection) else opened[0]
    writer = target if isinstance(target, sqlite3.Connection) else opened[-1]
    try:
        reader.backup(writer)
    finally:
        for connection in opened:
            connection.close()
