"""The quota check and the delivery's commit are one step per convention (issue 11).

Two deliveries on unrelated ledger partitions run side by side; before issue 11 each read
the convention's monthly count in its own transaction before computing, and both committed:
a convention allowing 3 extracts a month delivered 4 to 8 under bursts. Here two deliveries
are held together after the early check, then released to commit.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update

from gateway.db.models import AuditEntry, ConventionRecord, Extract, ReleasedCell, Requester
from gateway.pipeline import run
from gateway.pipeline.locks import LedgerBusy, serialise
from tests.support.state import get_database

SLUG = "organisme_mission_publique"  # a flat-fee convention: delivered without a quote


def _body(indicator: str, period: int) -> dict[str, Any]:
    return {
        "indicators": [indicator],
        "territories": {"level": "epci", "codes": ["241300417", "241300375"]},
        "periods": [period],
        "use": "usage_final",
        "totals": True,
    }


def _requester(app: Flask) -> int:
    with app.app_context(), get_database().sessions() as session:
        return int(session.scalar(select(Requester.id).where(Requester.type == SLUG)))


def _set_quota(app: Flask, requester_id: int, **quotas: int) -> None:
    with app.app_context(), get_database().transaction() as session:
        session.execute(
            update(ConventionRecord)
            .where(ConventionRecord.requester_id == requester_id)
            .values(**quotas)
        )


def _held_together(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Make every delivery wait, once computed, until `parties` of them have computed."""
    barrier = threading.Barrier(parties, timeout=60)
    compute = run.compute

    def computed_together(*args: Any, **kwargs: Any) -> Any:
        result = compute(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(run, "compute", computed_together)


def _post_together(app: Flask, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[Any]:
    def post(body: dict[str, Any]) -> Any:
        return app.test_client().post("/api/v1/extracts", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def _counts(app: Flask, requester_id: int) -> tuple[int, int, int]:
    with app.app_context(), get_database().sessions() as session:
        extracts = session.scalar(
            select(func.count()).select_from(Extract).where(Extract.requester_id == requester_id)
        )
        ledger = session.scalar(
            select(func.count(func.distinct(ReleasedCell.extract_id))).where(
                ReleasedCell.audience == requester_id
            )
        )
        allowed = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.requester_id == requester_id,
                AuditEntry.action == "extract_create",
                AuditEntry.decision == "allowed",
            )
        )
    return int(extracts or 0), int(ledger or 0), int(allowed or 0)


@pytest.mark.parametrize(
    ("quotas", "delivered"),
    [({"extracts_per_month": 2}, 2), ({"cells_per_month": 5}, 1)],
)
def test_deliveries_passing_the_early_check_together_respect_the_quota(
    app: Flask,
    both_keys: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    quotas: dict[str, int],
    delivered: int,
) -> None:
    requester = _requester(app)
    _set_quota(app, requester, **quotas)
    bodies = [_body("ALLOC", 2022), _body("RSA", 2023), _body("PPA", 2024)]  # 3 partitions
    _held_together(monkeypatch, len(bodies))
    answers = _post_together(app, both_keys[SLUG], bodies)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * delivered + [429] * (len(bodies) - delivered), [
        a.get_data(as_text=True)[:200] for a in answers
    ]
    refused = [a for a in answers if a.status_code == 429]
    assert all(a.mimetype == "application/problem+json" for a in refused)
    assert {a.json["code"] for a in refused} == {"quota_depasse"}
    # A refused delivery wrote nothing: no extract, no ledger rows, no allowed entry.
    assert _counts(app, requester) == (delivered, delivered, delivered)


def test_the_step_is_serialised_across_connections(app: Flask) -> None:
    """Two transactions reading then writing a counter under one step lose no update."""
    with app.app_context():
        database = get_database()
    with database.transaction() as session:
        session.execute(text("CREATE TABLE compteur_essai (n INTEGER NOT NULL)"))
        session.execute(text("INSERT INTO compteur_essai VALUES (0)"))

    def bump() -> None:
        with database.transaction() as session:
            serialise(session, "essai", 30)
            seen = session.execute(text("SELECT n FROM compteur_essai")).scalar_one()
            time.sleep(0.2)  # another worker would read the same count here
            session.execute(text("UPDATE compteur_essai SET n = :n"), {"n": seen + 1})

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: bump(), range(4)))
    with database.sessions() as session:
        assert session.execute(text("SELECT n FROM compteur_essai")).scalar_one() == 4


def test_a_step_held_beyond_the_timeout_is_a_503(app: Flask) -> None:
    with app.app_context():
        database = get_database()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with database.transaction() as session:
            serialise(session, "essai", 30)
            holding.set()
            release.wait(30)

    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(hold)
        assert holding.wait(30)
        started = time.monotonic()
        with pytest.raises(LedgerBusy), database.transaction() as session:
            serialise(session, "essai", 0.3)
        assert time.monotonic() - started < 10
        release.set()
        held.result(timeout=30)
