"""Benchmark: extracts per second on unrelated ledger partitions, 8 HTTP clients against 1.

The ledger locks serialise only the deliveries that share a partition (audience x indicator
family x period); unrelated ones must still run side by side. Each pass starts a fresh
instance (same synthetic store, new database, socle published), serves it with gunicorn
(2 workers), then posts the same jobs: two requesters x indicators of distinct families x
periods, each job on a partition of its own (all communes of the Bouches-du-Rhône, with the
total and the indicator's breakdown). PostgreSQL when its binaries are found (a throwaway
cluster, as the tests start one), else SQLite.

    python -m bench.throughput_bench [--sqlite] [--indicators 4] [--departements 13 84 48]
                                     [--dossier DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.services.catalogue.queries import current_catalogue
from gateway.state import app_state
from gateway.store.demo import load_demo
from tests.support.postgres import find_bin_dir, start_cluster
from tests.support.served import fresh_instance, serve

REQUESTERS = ("conseil_departemental", "service_etat")  # free: no quote to accept
PERIODS = (2019, 2020, 2021, 2022, 2023, 2024)
TARGET = 1.6


def _indicators(folder: Path, database_url: str, count: int) -> list[tuple[str, str | None]]:
    """Pick `count` stored indicators of distinct families: (code, first breakdown)."""
    app = create_app(
        {
            "env": "development",
            "instance_dir": str(folder),
            "database_url": database_url,
            "log_level": "WARNING",
        }
    )
    with app.app_context(), app_state().database.sessions() as session:
        catalogue = current_catalogue(session)
    app_state(app).database.dispose()
    chosen: dict[str, tuple[str, str | None]] = {}
    for indicator in catalogue.stored():
        family = catalogue.family_code(indicator.code)
        if family not in chosen and indicator.tier.value != "interne":
            breakdown = indicator.breakdowns[0] if indicator.breakdowns else None
            chosen[family] = (indicator.code, breakdown)
    return list(chosen.values())[:count]


def _jobs(
    keys: dict[str, Any], indicators: list[tuple[str, str | None]]
) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """One job per (requester, indicator, period): no two share a ledger partition."""
    jobs = []
    for period in PERIODS:
        for code, breakdown in indicators:
            for slug in REQUESTERS:
                body = {
                    "indicators": [code],
                    "territories": {
                        "parent_level": "departement",
                        "parent_code": "13",
                        "level": "commune",
                    },
                    "periods": [period],
                    "breakdowns": [breakdown] if breakdown else [],
                    "use": "usage_final",
                    "totals": True,
                }
                jobs.append(({"Authorization": f"Bearer {keys[slug]['key']}"}, body))
    return jobs


def _post(base: str, job: tuple[dict[str, str], dict[str, Any]]) -> float:
    headers, body = job
    started = time.perf_counter()
    response = requests.post(f"{base}/api/v1/extracts", json=body, headers=headers, timeout=300)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code} {response.text[:300]}")
    return elapsed


def _warm_up(base: str, job: tuple[dict[str, str], dict[str, Any]]) -> None:
    """Load the store and the geography in both workers, and store the jobs' commune sets.

    The commune sets are stored by one delivery on a partition no job reads: two first
    insertions of one set at once collide on PostgreSQL (see `ledger.definition_ids`).
    """
    url = f"{base}/api/v1/socle/ALLOC?level=departement&codes=13"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: requests.get(url, timeout=300).status_code, range(16)))
    _post(base, job)


def run_pass(
    clients: int,
    folder: Path,
    store: Path,
    database_url: str,
    indicators: int,
) -> tuple[int, float, list[float]]:
    """Prepare a fresh instance, serve it, post every job with `clients` clients."""
    keys = fresh_instance(folder, database_url, store)
    *chosen, spare = _indicators(folder, database_url, indicators + 1)
    jobs = _jobs(keys, chosen)
    with serve(folder, database_url, store) as base:  # 2 workers; its log in the folder
        _warm_up(base, _jobs(keys, [spare])[0])
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            latencies = list(pool.map(lambda job: _post(base, job), jobs))
        elapsed = time.perf_counter() - started
    return len(jobs), elapsed, latencies


PASSES = ((1, "un"), (8, "huit"))  # (clients, folder and database name)


@contextmanager
def _database_urls(root: Path, sqlite: bool) -> Iterator[list[str]]:
    """Yield one fresh database URL per pass: a throwaway PostgreSQL cluster, else SQLite."""
    bin_dir = None if sqlite else find_bin_dir()
    if bin_dir is None:
        yield [f"sqlite:///{root / name / 'gateway.sqlite3'}" for _, name in PASSES]
        return
    cluster = start_cluster(bin_dir)
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for _, name in PASSES:
                connection.execute(text(f"CREATE DATABASE bench_{name}"))
        admin.dispose()
        yield [cluster.url(f"bench_{name}") for _, name in PASSES]
    finally:
        cluster.stop()


def run(root: Path, departements: list[str], indicators: int, sqlite: bool) -> None:
    store = root / "cells"
    load_demo(store, load_geography(REPO_ROOT / "data" / "reference"), departements=departements)
    load = os.getloadavg()[0]
    with _database_urls(root, sqlite) as urls:
        results = {
            clients: run_pass(clients, root / name, store, url, indicators)
            for (clients, name), url in zip(PASSES, urls, strict=True)
        }
    backend = "SQLite" if urls[0].startswith("sqlite") else "PostgreSQL"
    print(
        f"{backend}, gunicorn 2 workers, {os.cpu_count()} cœurs ; charge de la machine "
        f"(1 min) avant : {load:.1f}, après : {os.getloadavg()[0]:.1f}"
    )
    print("| clients | extraits | durée (s) | extraits/s | latence médiane (s) | max (s) |")
    print("|---|---|---|---|---|---|")
    for clients, (count, elapsed, latencies) in results.items():
        print(
            f"| {clients} | {count} | {elapsed:.2f} | {count / elapsed:.2f} | "
            f"{statistics.median(latencies):.3f} | {max(latencies):.3f} |"
        )
    (one, one_time, _), (eight, eight_time, _) = results[1], results[8]
    ratio = (eight / eight_time) / (one / one_time)
    verdict = "atteint" if ratio >= TARGET else "NON atteint"
    print(f"rapport 8 clients / 1 client : {ratio:.2f} (objectif >= {TARGET} : {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--departements", nargs="*", default=["13", "84", "48"])
    parser.add_argument("--indicators", type=int, default=4, help="familles distinctes")
    parser.add_argument("--sqlite", action="store_true", help="SQLite même si PostgreSQL existe")
    parser.add_argument("--dossier", type=Path, help="dossier de travail conservé (journaux)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as folder:
        root = args.dossier or Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # as root, the cluster runs as postgres and makes its own folder
        run(root, args.departements, args.indicators, args.sqlite)


if __name__ == "__main__":
    main()
