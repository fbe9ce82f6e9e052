"""Shared rows written at the same moment: no 500, no duplicate, no check bypassed (issue 11)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from gateway.db.models import AuditEntry, AuditHead, Zone
from gateway.services.audit import queries as audit_log
from gateway.services.extracts import zones as extract_services
from tests.support.state import get_database

BIG = ["13031", "13062", "13083"]  # about 12,600 inhabitants
SMALL = "13090"  # 126 inhabitants: a zone differing by it alone is a differencing probe


def _released_together(calls: list[Any]) -> list[Any]:
    start = threading.Barrier(len(calls))

    def run(call: Any) -> Any:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _slow_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between a zone's checks and its insert, as a loaded server would."""
    refusal = extract_services.zone_refusal

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)
        return refusal(*args, **kwargs)

    monkeypatch.setattr(extract_services, "zone_refusal", slow)


def _post_zones(app: Flask, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[Any]:
    calls = [
        lambda body=body: app.test_client().post("/api/v1/zones", json=body, headers=headers)
        for body in bodies
    ]
    return _released_together(calls)


def test_two_zones_of_one_name_at_once_are_one_zone_and_a_409(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_checks(monkeypatch)
    body = {"name": "Secteur nord", "communes": BIG}
    answers = _post_zones(app, both_keys["conseil_departemental"], [body, body])
    assert sorted(a.status_code for a in answers) == [201, 409], [
        a.get_data(as_text=True)[:200] for a in answers
    ]
    conflict = next(a for a in answers if a.status_code == 409)
    assert conflict.mimetype == "application/problem+json"
    with app.app_context(), get_database().sessions() as session:
        assert session.scalar(select(func.count()).select_from(Zone)) == 1


def test_two_zones_a_small_commune_apart_at_once_are_not_both_created(
    app: Flask, both_keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_checks(monkeypatch)
    bodies = [{"name": "Zone A", "communes": BIG}, {"name": "Zone B", "communes": [*BIG, SMALL]}]
    answers = _post_zones(app, both_keys["conseil_departemental"], bodies)
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 422: 1}, [a.get_data(as_text=True)[:200] for a in answers]
    refused = next(a for a in answers if a.status_code == 422)
    assert refused.json["code"] == "refus_secret_statistique"


def test_first_audit_entries_at_once_start_one_chain(app: Flask) -> None:
    with app.app_context():
        database = get_database()
    with database.transaction() as session:  # a log nobody has written to yet
        session.execute(delete(AuditEntry))
        session.execute(delete(AuditHead))

    def append(index: int) -> None:
        with database.transaction() as session:
            audit_log.append_entry(
                session,
                requester_id=None,
                key_prefix=None,
                action="extract_create",
                fingerprint=f"essai-{index}",
                decision=audit_log.REFUSED,
                rules=["essai"],
                convention_ref=None,
                cells_delivered=0,
                cells_suppressed=0,
                price=None,
                details={},
            )

    _released_together([lambda i=i: append(i) for i in range(8)])
    with database.sessions() as session:
        report = audit_log.verify(session)
        head = session.get(AuditHead, audit_log.HEAD_ID)
    assert report.ok, report
    assert head is not None and head.length == 8
