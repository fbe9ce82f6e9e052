"""Conventions written at the same moment: distinct references, one renewal (issue 11).

The reference counted the Caf's conventions of the year: two drafts created at once took the
same reference (the second answered 500); two renewals of one version both found no later
version. Each write now runs one at a time on its step (per Caf and year, per convention).
"""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from gateway.services.access import matrix as policy_matrix
from tests.gateway.admin.conftest import World, convention_body

BASE = "/api/v1/admin/conventions"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _together(app: Flask, calls: list[tuple[str, Any, dict[str, str]]]) -> list[Any]:
    start = threading.Barrier(len(calls))

    def post(call: tuple[str, Any, dict[str, str]]) -> Any:
        path, body, headers = call
        client = app.test_client()
        start.wait()
        return client.post(path, json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(post, calls))


def test_drafts_created_at_once_get_distinct_references(app: Flask, world: World) -> None:
    admin = world.headers("admin_13")
    body = convention_body(world.id("commune_13"))
    answers = _together(app, [(BASE, body, admin)] * 4)
    assert [a.status_code for a in answers] == [201] * 4, [a.json for a in answers]
    references = {a.json["label"] for a in answers}
    assert len(references) == 4, references


def test_one_version_renewed_twice_at_once_is_renewed_once(app: Flask, world: World) -> None:
    admin = world.headers("admin_13")
    created = app.test_client().post(
        BASE, json=convention_body(world.id("commune_13")), headers=admin
    )
    assert created.status_code == 201, created.json
    convention = f"{BASE}/{created.json['id']}"
    uploaded = app.test_client().put(
        f"{convention}/document",
        data={"document": (io.BytesIO(PDF), "convention.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=admin,
    )
    assert uploaded.status_code == 200, uploaded.json
    activated = app.test_client().post(f"{convention}/activate", headers=admin)
    assert activated.status_code == 200, activated.json
    path = f"{convention}/renew"
    dates = {"start": "2028-01-01", "end": "2029-12-31"}
    answers = _together(app, [(path, dates, admin)] * 3)
    assert sorted(a.status_code for a in answers) == [201, 409, 409], [a.json for a in answers]


def test_two_matrices_sent_at_once_become_two_versions(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both took the next version number; the second answered 500."""
    read = policy_matrix.current_document

    def slow(*args: Any, **kwargs: Any) -> Any:  # a loaded server's window, widened
        found = read(*args, **kwargs)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(policy_matrix, "current_document", slow)
    national = world.headers("admin_national")
    matrix = app.test_client().get("/api/v1/admin/policy-matrix", headers=national).json
    body = {k: v for k, v in matrix.items() if k != "version"}  # no version read: last wins
    answers = _put_together(app, "/api/v1/admin/policy-matrix", [body, body], national)
    assert [a.status_code for a in answers] == [200, 200], [a.json for a in answers]
    assert sorted(a.json["version"] for a in answers) == [
        matrix["version"] + 1,
        matrix["version"] + 2,
    ]


def _put_together(app: Flask, path: str, bodies: list[Any], headers: dict[str, str]) -> list[Any]:
    start = threading.Barrier(len(bodies))

    def put(body: Any) -> Any:
        client = app.test_client()
        start.wait()
        return client.put(path, json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(put, bodies))
