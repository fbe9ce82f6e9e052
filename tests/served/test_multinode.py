"""Two machines and two workers on one PostgreSQL; a worker and a node killed in the middle.

The deployment of docs/deployment.md on this host (tests/support/deployment.py): two gunicorn
nodes (their own instance folders and ports) and two `python -m gateway worker`, one database,
one cell store, one set of keys. Clients alternate between the nodes at every call and, as a
real client does, send a call whose node died again to the other node under the same
Idempotency-Key (tests/support/failover.py). Every extract submitted is posted again at once
with its key (the client lost the answer), most often to the other node.

In the middle, a worker is killed (SIGKILL) while it holds a job (its ledger partition held
here, so that it waits inside the job), and a node's gunicorn master is killed while calls are
in flight. Then: every submission named one extract, delivered once (or refused with a
reason); nothing stays in flight; no ledger row twice; one invoice per paid extract, numbers
without gaps; the audit chain verifies (`python -m gateway audit-verify`); and the conseil
départemental's answers, with its ledger and the public's, disclose no secret cell (the
attacks' judge, tests/attacks).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.pipeline.locks import LedgerLocks, Partition, partition_key
from gateway.reference.geography import load_geography
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from gateway.store import CellStore
from tests.attacks.player import SECRECY_REFUSALS, Player
from tests.attacks.world import assert_nothing_disclosed
from tests.conftest import make_app
from tests.support.database import TEST_AUDIT_KEY
from tests.support.demo_world import low_background_threshold, seed_demo_world
from tests.support.deployment import Deployment, Fleet, Process, running
from tests.support.failover import FailoverClient, Submission, submit
from tests.support.postgres import Cluster

pytestmark = pytest.mark.postgres

#: Extracts above this many cells are jobs of the queue: the département's and an EPCI's
#: totals (1, 2 cells), Aubagne's two indicators and IMAJE histories (2, 6) are answered at
#: once; an EPCI's communes (11, 21) and Aubagne's years by age (12) are queued.
BACKGROUND_ABOVE = 10
CD, COMMUNE = "conseil_departemental", "commune"  # free over the 13; Aubagne, paid per extract
USE = "usage_final"
EPCIS = ("241300417", "241300375", "200035087")  # wholly inside the Bouches-du-Rhône
DELIVERY_SECONDS = 120


def _extract(indicator: str, where: dict[str, Any], period: int) -> dict[str, Any]:
    return {"indicators": [indicator], "territories": where, "periods": [period], "use": USE}


def _communes(epci: str, indicator: str, period: int, breakdown: str | None) -> dict[str, Any]:
    where = {"parent_level": "epci", "parent_code": epci, "level": "commune"}
    body = {**_extract(indicator, where, period), "totals": True}
    return {**body, "breakdowns": [breakdown]} if breakdown else body


def _departement(indicator: str, period: int) -> dict[str, Any]:
    return _extract(indicator, {"level": "departement", "codes": ["13"]}, period)


def _epci_totals(indicator: str, period: int) -> dict[str, Any]:
    return _extract(indicator, {"level": "epci", "codes": list(EPCIS[:2])}, period)


def _aubagne(indicators: list[str], periods: list[int], breakdown: str | None) -> dict[str, Any]:
    body = {
        "indicators": indicators,
        "territories": {"level": "commune", "codes": ["13005"]},
        "periods": periods,
        "use": USE,
    }
    return {**body, "breakdowns": [breakdown]} if breakdown else body


class Journeys:
    """The requesters' calls through the failover client, and every submission they made."""

    def __init__(self, client: FailoverClient, keys: dict[str, Any], player: Player) -> None:
        self.client, self.player = client, player
        self.headers = {slug: {"Authorization": f"Bearer {keys[slug]['key']}"} for slug in keys}
        self.submissions: list[Submission] = []
        self.invoiced: list[Submission] = []  # Aubagne's, paid
        self.quotes: list[int] = []
        self._lock = threading.Lock()

    def _new(self, label: str, body: dict[str, Any]) -> Submission:
        submission = Submission(label, body, f"{label}-{uuid.uuid4().hex[:12]}")
        with self._lock:
            self.submissions.append(submission)
        return submission

    def extract(self, label: str, body: dict[str, Any], first: int | None = None) -> Submission:
        """The conseil départemental asks, then asks again under the same key (an answer
        lost): a delivery is read at once, a job's when it is delivered (`settle`)."""
        submission = self._new(label, body)
        submit(self.client, submission, self.headers[CD], first=first)
        submit(self.client, submission, self.headers[CD])
        if submission.status != 202:
            self.player.read_extract(label, submission.status, submission.document, body)
        return submission

    def history(self, label: str, indicator: str, epci: str) -> Submission:
        """An IMAJE history of an EPCI (six years), asked twice under one key."""
        body = {"indicator": indicator, "level": "epci", "code": epci, "use": USE}
        submission = self._new(label, body)
        for _ in range(2):
            submit(self.client, submission, self.headers[CD], path="/api/v1/imaje/history")
        assert submission.status == 200, submission.document
        request = {"territories": {"level": "epci", "codes": [epci]}}
        self.player.read_extract(label, 200, submission.document["tableau"], request)
        return submission

    def socle(self, indicator: str, **query: Any) -> None:
        """Anyone reads the socle commun (no key)."""
        outcome = self.player.socle(indicator, label=f"socle {indicator}", **query)
        assert outcome.status == 200, outcome

    def paid(self, label: str, body: dict[str, Any]) -> Submission:
        """Aubagne asks (402 and a quote), accepts the quote on the next node, then asks
        again with its key, twice (an answer lost)."""
        headers = self.headers[COMMUNE]
        _node, asked = self.client.call("POST", "/api/v1/extracts", json=body, headers=headers)
        assert asked.status_code == 402, asked.text[:300]
        quote = asked.json()["devis"]
        accept = {**headers, "Idempotency-Key": f"accepter-{label}"}
        _node, accepted = self.client.call("POST", quote["accepter"], headers=accept)
        assert accepted.status_code in (200, 201), accepted.text[:300]
        submission = self._new(label, body)
        with self._lock:
            self.quotes.append(int(quote["id"]))
            self.invoiced.append(submission)
        submit(self.client, submission, headers)
        submit(self.client, submission, headers)
        return submission

    def settle(self, submission: Submission) -> str:
        """Wait for a job's extract to end; read it when delivered; return its status."""
        (extract_id,) = submission.extract_ids
        slug = COMMUNE if submission in self.invoiced else CD
        deadline = time.monotonic() + DELIVERY_SECONDS
        while True:
            _node, answer = self.client.call(
                "GET", f"/api/v1/extracts/{extract_id}", headers=self.headers[slug]
            )
            status = answer.json()["statut"]
            if status not in ("en_attente", "en_cours"):
                break
            assert time.monotonic() < deadline, f"{submission.label} : toujours {status}"
            time.sleep(0.5)
        if status == "livre" and slug == CD:
            path = f"/api/v1/extracts/{extract_id}/download?format=json"
            _node, document = self.client.call("GET", path, headers=self.headers[CD])
            self.player.read_extract(submission.label, 200, document.json(), submission.body)
        return str(status)


@pytest.fixture
def deployment(
    pg_cluster: Cluster, pg_template: str, demo_store_dir: Path, tmp_path: Path
) -> Iterator[tuple[Deployment, Flask, dict[str, Any]]]:
    """A new database (the template: migrated, socle published) with the demonstration world;
    an app in this process on it (the operator's view: holds locks, reads the ledger)."""
    url = pg_cluster.copy_of(pg_template, "gateway_multinode")
    data = low_background_threshold(tmp_path, BACKGROUND_ABOVE)
    app = make_app(url, tmp_path / "exploitant", store_dir=demo_store_dir, data_dir=data)
    keys = seed_demo_world(app, tmp_path / "exploitant")
    settings = {  # what every process of the deployment shares (docs/deployment.md)
        "GATEWAY_AUDIT_KEY": TEST_AUDIT_KEY,  # the template's socle publication is signed with it
        "GATEWAY_SECRET_KEY": secrets.token_urlsafe(48),
        "GATEWAY_DATA_DIR": str(data),
        "GATEWAY_LEDGER_LOCK_TIMEOUT": "120",
    }
    yield Deployment(tmp_path / "machines", url, demo_store_dir, settings), app, keys
    app_state(app).close()


def _waiting_worker(database_url: str, partition: Partition) -> str | None:
    """Return the worker whose connection waits for this ledger partition's advisory lock."""
    key = partition_key(partition)  # PostgreSQL shows a 64-bit key as its two 32-bit halves
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
                    " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted"
                    " AND l.classid::bigint = :high AND l.objid::bigint = :low"
                    " AND a.application_name LIKE 'travailleur-%'"
                ),
                {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF},
            ).scalar()
    finally:
        engine.dispose()


def _until(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what} : délai dépassé"
        time.sleep(0.1)
    return found


def _kill_a_worker_in_a_job(
    fleet: Fleet, journeys: Journeys, app: Flask, requester: int
) -> tuple[Process, Submission]:
    """Hold a partition of the conseil départemental here, ask for an extract writing it:
    a worker takes the job and waits inside it; kill that worker (SIGKILL)."""
    state = app_state(app)
    with state.database.sessions() as session:
        family = current_catalogue(session).family_code("ENF_MOINS_6")
    locks = LedgerLocks(state.database, state.settings.instance_dir / "locks")
    partition: Partition = (requester, family, 2019)
    with locks.hold((), [partition], 120.0):
        body = _communes(EPCIS[1], "ENF_MOINS_6", 2019, "age_jeune_enfant")
        target = journeys.extract("repris", body)
        assert target.status == 202, target.document
        url = fleet.deployment.database_url
        name = _until(lambda: _waiting_worker(url, partition), 90, "job pris")
        (victim,) = [w for w in fleet.workers if w.name == name]
        victim.kill()
    return victim, target


def _sql(app: Flask, query: str, **params: Any) -> list[Any]:
    with app_state(app).database.sessions() as session:
        return list(session.execute(text(query), params).all())


def test_two_nodes_and_two_workers_lose_nothing_when_a_worker_and_a_node_die(
    deployment: tuple[Deployment, Flask, dict[str, Any]], demo_store_dir: Path
) -> None:
    settings, app, keys = deployment
    geography = load_geography(REPO_ROOT / "data" / "reference")
    cd = int(keys[CD]["requester_id"])
    with running(settings, nodes=2, workers=2) as fleet:
        client = FailoverClient([node.base for node in fleet.nodes])
        player = Player(client, geography, {"Authorization": f"Bearer {keys[CD]['key']}"}, cd)
        journeys = Journeys(client, keys, player)
        before: list[Callable[[], Any]] = [
            lambda: journeys.extract("departement", _departement("ALLOC", 2023)),
            lambda: journeys.extract("epci", _epci_totals("RSA", 2023)),
            lambda: journeys.extract(
                "communes", _communes(EPCIS[0], "ENF_MOINS_6", 2024, "age_jeune_enfant")
            ),
            lambda: journeys.history("historique", "ALLOC", EPCIS[0]),
            lambda: journeys.socle("ALLOC", level="departement", codes="13", periods=[2023]),
            lambda: journeys.paid("paye", _aubagne(["PLACES_EAJE", "ENF_MOINS_3"], [2019], None)),
            lambda: journeys.paid(
                "paye-fond", _aubagne(["ENF_MOINS_6"], [2021, 2022, 2023, 2024], "age_jeune_enfant")
            ),
        ]
        after: list[Callable[[], Any]] = [
            lambda: journeys.extract("communes-2", _communes(EPCIS[1], "PPA", 2022, None)),
            lambda: journeys.extract("epci-2", _epci_totals("PPA", 2022)),
            lambda: journeys.history("historique-2", "RSA", EPCIS[1]),
            lambda: journeys.socle("PPA", level="departement", codes="13,84", periods=[2022]),
            lambda: journeys.paid("paye-2", _aubagne(["PLACES_EAJE", "ENF_MOINS_3"], [2020], None)),
            lambda: journeys.paid(
                "paye-fond-2", _aubagne(["ENF_MOINS_6"], [2019, 2020, 2021], "age_jeune_enfant")
            ),
        ]
        # In flight when the node dies: first sent to it.
        burst: list[Callable[[], Any]] = [
            partial(journeys.extract, f"rafale-{i}-{p}", _departement(i, p), first=0)
            for i in ("RSA", "PPA", "ENF_MOINS_6")
            for p in (2020, 2021)
        ]
        communes = _communes(EPCIS[2], "ALLOC", 2023, None)
        burst.append(partial(journeys.extract, "rafale-communes", communes, first=0))
        with ThreadPoolExecutor(max_workers=8) as pool:
            first_half = [pool.submit(step) for step in before]
            victim, target = _kill_a_worker_in_a_job(fleet, journeys, app, cd)
            wait(first_half)
            second_half = [pool.submit(step) for step in burst + after]
            time.sleep(0.5)  # the burst's calls are in the node's hands
            fleet.nodes[0].kill()
            wait(second_half)
        for future in first_half + second_half:
            future.result()  # a journey's failed assertion fails the test here
        queued = [s for s in journeys.submissions if s.status == 202]
        endings = {s.label: journeys.settle(s) for s in queued}
        survivor = next(w for w in fleet.workers if w is not victim)
        recovered = "repris" in survivor.tail(100_000)
    assert client.failovers > 0, "no call found the killed node gone"
    assert recovered, "the surviving worker took up no stalled job"
    assert endings[target.label] == "livre"
    _check_every_submission(journeys, endings)
    _check_the_records(app, journeys)
    _check_the_audit_chain(settings)
    assert_nothing_disclosed(app, player, CellStore(demo_store_dir), load_catalogue())


def _check_every_submission(journeys: Journeys, endings: dict[str, str]) -> None:
    """One extract per submission, wherever it was sent; delivered, or refused by the secret
    statistique with its reasons and what to ask instead."""
    for submission in journeys.submissions:
        if submission.status in (200, 202):
            assert len(submission.extract_ids) == 1, (submission.label, submission.answers)
            assert endings.get(submission.label, "livre") == "livre", submission.label
            continue
        assert submission.status == 422, (submission.label, submission.document)
        reasons = submission.document["reasons"]
        assert {r["regle"] for r in reasons} & SECRECY_REFUSALS, submission.document
        assert submission.document["detail"] and all(r["solution"] for r in reasons)


def _check_the_records(app: Flask, journeys: Journeys) -> None:
    """Nothing in flight; each delivery recorded once (extract, ledger, audit); one invoice per
    paid extract, numbered without gaps."""
    assert _sql(app, "SELECT id FROM extract WHERE status IN ('en_attente', 'en_cours')") == []
    delivered = {s.label: next(iter(s.extract_ids)) for s in journeys.submissions if s.extract_ids}
    twice = _sql(  # a delivery recorded twice (the socle's may hold one set under two codes)
        app,
        "SELECT c.extract_id, c.definition_id, c.indicator, c.period, c.category"
        " FROM released_cell c JOIN extract e ON e.id = c.extract_id"
        " WHERE e.requester_id IS NOT NULL GROUP BY c.extract_id, c.audience,"
        " c.definition_id, c.indicator, c.period, c.category HAVING count(*) > 1",
    )
    assert twice == []
    audited = dict(
        _sql(
            app,
            "SELECT details->>'extrait', count(*) FROM audit_entry WHERE cells_delivered > 0"
            " GROUP BY details->>'extrait'",
        )
    )
    ledger = dict(  # the requesters' deliveries (the socle's publication is the public's)
        _sql(
            app,
            "SELECT c.extract_id, count(*) FROM released_cell c JOIN extract e"
            " ON e.id = c.extract_id WHERE e.requester_id IS NOT NULL GROUP BY c.extract_id",
        )
    )
    for label, extract_id in delivered.items():
        assert audited.get(extract_id) == 1, (label, extract_id, audited.get(extract_id))
        assert ledger.get(extract_id, 0) > 0, (label, extract_id)
    assert set(ledger) <= set(delivered.values()), "ledger rows of no submission"
    orders = _sql(
        app,
        "SELECT o.quote_id, o.status, count(i.number) FROM purchase_order o"
        " LEFT JOIN invoice i ON i.order_id = o.id GROUP BY o.id, o.quote_id, o.status",
    )
    assert sorted(orders) == [(q, "livree", 1) for q in sorted(journeys.quotes)], orders
    paid_extracts = {next(iter(s.extract_ids)) for s in journeys.invoiced}
    invoiced = _sql(app, "SELECT id FROM extract WHERE invoice_number IS NOT NULL")
    assert {row[0] for row in invoiced} == paid_extracts
    sequences = sorted(
        row[0]
        for row in _sql(
            app,
            "SELECT sequence FROM invoice WHERE caf_code = '13' AND year = :year",
            year=datetime.now(UTC).year,
        )
    )
    assert sequences == list(range(1, len(journeys.invoiced) + 1))


def _check_the_audit_chain(settings: Deployment) -> None:
    """`python -m gateway audit-verify`, as an operator runs it, on the shared database."""
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "audit-verify"],
        cwd=REPO_ROOT,
        env=settings.environment(settings.root / "verification"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Chaîne intègre" in done.stdout
