"""Benchmark: a killed worker's job, from the kill to its delivery by a worker started after.

On a throwaway PostgreSQL cluster (as the tests start one) and a fresh demonstration instance
(`init --demo`, the Bouches-du-Rhône's store), each round submits a background extract (one
period of its own, all communes of the département), starts `python -m gateway worker`, holds
the extract's ledger partition from here so the worker takes the job and waits in the middle
of it, kills that worker (SIGKILL), releases the partition and starts a new worker at once.
Measured: the time from the kill to the extract delivered (the new worker's start, the
stalled job found by its periodic recovery task, the delivery), and the same extract's
delivery by a live worker for comparison (the first round's request, asked again under
another idempotency key, is a twin and not a new delivery: each round asks another period).

    python -m bench.recovery_bench [--repeat 3] [--dossier DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.config import REPO_ROOT
from gateway.db.models import Extract
from gateway.pipeline import queue
from gateway.pipeline.locks import LedgerLocks
from gateway.reference.geography import load_geography
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from gateway.store.demo import load_demo
from tests.support.postgres import find_bin_dir, start_cluster
from tests.support.served import environment, fresh_instance

INDICATOR = "ENF_MOINS_6"
PERIODS = (2019, 2020, 2021, 2022, 2023, 2024)
SLUG = "conseil_departemental"


def _body(period: int) -> dict[str, Any]:
    return {
        "indicators": [INDICATOR],
        "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
        "periods": [period],
        "breakdowns": ["age_jeune_enfant"],
        "use": "usage_final",
        "totals": True,
    }


class Instance:
    """A prepared instance, its app in this process (extracts above 5 cells queued)."""

    def __init__(self, folder: Path, url: str, store: Path) -> None:
        self.folder, self.url, self.store = folder, url, store
        self.keys = fresh_instance(folder, url, store)
        self.app = create_app(
            {"env": "development", "instance_dir": str(folder), "database_url": url,
             "store_dir": str(store), "log_level": "WARNING"}
        )  # fmt: skip
        runner = app_state(self.app).pipeline
        runner.limits = dataclasses.replace(runner.limits, background_above=5)
        self.database = app_state(self.app).database
        with self.database.sessions() as session:
            self.family = current_catalogue(session).family_code(INDICATOR)

    def submit(self, period: int) -> tuple[str, int]:
        """Submit a background extract; return its id and requester."""
        headers = {"Authorization": f"Bearer {self.keys[SLUG]['key']}"}
        response = self.app.test_client().post(
            "/api/v1/extracts", json=_body(period), headers=headers
        )
        if response.status_code != 202:
            raise RuntimeError(f"{response.status_code} {response.get_data(as_text=True)[:300]}")
        extract_id = response.headers["Location"].rsplit("/", 1)[1]
        return extract_id, int(self.extract(extract_id).requester_id or 0)

    def extract(self, extract_id: str) -> Extract:
        with self.database.sessions() as session:
            found = session.get(Extract, extract_id)
        assert found is not None
        return found

    def worker(self, log: Path) -> subprocess.Popen[bytes]:
        env = environment(self.folder, self.url, self.store)
        env["GATEWAY_LEDGER_LOCK_TIMEOUT"] = "300"
        with log.open("ab") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "gateway", "worker"],
                cwd=REPO_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_for(self, extract_id: str, status: str, seconds: float = 300) -> float:
        """Poll the extract's status; return when it reached `status` (perf_counter)."""
        deadline = time.perf_counter() + seconds
        while self.extract(extract_id).status != status:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"extrait {extract_id} : pas « {status} » à temps")
            time.sleep(0.05)
        return time.perf_counter()


def recovery_round(instance: Instance, period: int, log: Path) -> float:
    """Kill a worker in the middle of a job; return seconds from the kill to the delivery."""
    extract_id, requester = instance.submit(period)
    locks = LedgerLocks(instance.database, instance.folder / "locks")
    with locks.hold((), [(requester, instance.family, period)], 300.0):
        first = instance.worker(log)
        instance.wait_for(extract_id, "en_cours", 120)
        first.send_signal(signal.SIGKILL)
        killed = time.perf_counter()
        first.wait(30)
    second = instance.worker(log)
    try:
        return instance.wait_for(extract_id, "livre") - killed
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(60)


def live_round(instance: Instance, period: int, log: Path) -> float:
    """Return seconds from a submission to its delivery by a worker already running."""
    worker = instance.worker(log)
    try:
        time.sleep(8)  # started: imports, app, store
        started = time.perf_counter()
        extract_id, _ = instance.submit(period)
        return instance.wait_for(extract_id, "livre") - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)


def run(root: Path, repeat: int) -> None:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL introuvable (initdb/pg_ctl) : banc impossible sans lui.")
    store = root / "cells"
    load_demo(store, load_geography(REPO_ROOT / "data" / "reference"), departements=["13"])
    load = os.getloadavg()[0]
    cluster = start_cluster(bin_dir)
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE bench_reprise"))
        admin.dispose()
        instance = Instance(root / "instance", cluster.url("bench_reprise"), store)
        log = root / "travailleurs.log"
        live = [live_round(instance, PERIODS[-1], log)]
        recoveries = [recovery_round(instance, p, log) for p in PERIODS[:repeat]]
        state = app_state(instance.app)
        if state.pipeline.queue is not None:
            state.pipeline.queue.close()
        state.database.dispose()
    finally:
        cluster.stop()
    print(
        f"PostgreSQL, {os.cpu_count()} cœurs ; charge de la machine (1 min) avant : {load:.1f}, "
        f"après : {os.getloadavg()[0]:.1f} ; battement {queue.HEARTBEAT_SECONDS:.0f} s, "
        f"travail repris après {queue.STALLED_AFTER_SECONDS:.0f} s de silence, "
        f"tâche de reprise toutes les 5 s"
    )
    print(f"livraison par un travailleur vivant : {live[0]:.1f} s")
    print(
        "reprise après SIGKILL (de l'arrêt à la livraison, nouveau travailleur lancé aussitôt) : "
        + ", ".join(f"{r:.1f}" for r in recoveries)
        + f" s ; médiane {statistics.median(recoveries):.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="reprises mesurées (au plus 6)")
    parser.add_argument("--dossier", type=Path, help="dossier de travail conservé (journaux)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-recovery-") as folder:
        root = args.dossier or Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # as root, the cluster runs as postgres and makes its own folder
        run(root, min(args.repeat, len(PERIODS) - 1))


if __name__ == "__main__":
    main()
