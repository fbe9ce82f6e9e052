"""Benchmark: the mixed workload against 1 node and 2 nodes sharing one PostgreSQL.

A throwaway PostgreSQL cluster (as the tests start one) and a fresh demonstration instance
(`init --demo` on a synthetic store); two gunicorn nodes of 2 workers (their own instance
folders and ports, one database, store and keys: tests/support/deployment.py, as
docs/deployment.md deploys them) and, as a control, one node of 4 workers stay up throughout.
Each measure runs `--clients` HTTP clients for `--seconds`: "1 nœud x 2 workers" sends every
call to the first node, "2 nœuds x 2 workers" alternates the two nodes call by call, "1 nœud
x 4 workers" sends every call to the control. The configurations alternate (1, 2, control,
1, 2, control...) so that the machine's load, shared with others, weighs on each alike. The
mixed workload, call by call in turn:

- a socle slice, anonymous (`GET /api/v1/socle/ALLOC?level=departement&codes=13,84`);
- an IMAJE history of an EPCI (`POST /api/v1/imaje/history`, delivered once, then its twin);
- the same extract again (`POST /api/v1/extracts`, answered from the one delivered);
- a keyed read (`GET /api/v1/me/extracts?per_page=5`);
- a new extract (an EPCI's communes, an indicator and a year not asked before, for the
  conseil départemental or the State service: the secrecy engine, CPU-bound).

Every node runs on this machine's cores: a second node adds processes, not CPU. On an idle
2-core machine the ratio 2 nodes / 1 node is bounded near 1 (2 workers already keep both
cores busy with this workload); on a machine shared with other runnable processes, 4 worker
processes win a larger share of the CPU than 2, which the control (4 workers in one node)
shows: the gain of the second node, if any, is the gain of having more processes.

    python -m bench.multinode_bench [--clients 8] [--seconds 20] [--repeat 3] [--dossier DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from bench.hot_path_bench import BODY, SLUG
from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.store.demo import load_demo
from policies.domain import GeoLevel
from policies.geography import Geography
from tests.support.deployment import Deployment, running, start_node
from tests.support.postgres import find_bin_dir, start_cluster
from tests.support.served import environment, wait_until_up

STATE = "service_etat"  # free too, national: the 84's EPCI as well
DEPARTEMENTS = ("13", "84")
AGAIN = BODY  # the extract asked again and again: the hot path's repeated body
NEW = (("ENF_MOINS_6", "age_jeune_enfant"), ("ALLOC", None), ("RSA", None), ("PPA", None))
PERIODS = (2019, 2020, 2021, 2022, 2023, 2024)
HISTORIES = ("ALLOC", "RSA", "PPA")


def _new_extracts(geography: Geography) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (requester, extract) never asked before: each EPCI's communes x indicator x year,
    for the conseil départemental (its own 13) and the State service (13 and 84), in turn."""
    epcis = {
        departement: geography.within(GeoLevel.EPCI, GeoLevel.DEPARTEMENT, departement)
        for departement in DEPARTEMENTS
    }
    asked = [(SLUG, epci) for epci in epcis["13"]]
    asked += [(STATE, epci) for departement in DEPARTEMENTS for epci in epcis[departement]]
    for totals, period, (code, breakdown), (slug, epci) in itertools.product(
        (True, False), PERIODS, NEW, asked
    ):
        where = {"parent_level": "epci", "parent_code": epci, "level": "commune"}
        yield (
            slug,
            {
                "indicators": [code],
                "territories": where,
                "periods": [period],
                "breakdowns": [breakdown] if breakdown else [],
                "use": "usage_final",
                "totals": totals,
            },
        )


class Workload:
    """The mixed workload's calls, the new extracts shared by every measure (never twice)."""

    def __init__(self, keys: dict[str, str], geography: Geography) -> None:
        self.headers = {slug: {"Authorization": f"Bearer {key}"} for slug, key in keys.items()}
        self.fresh = _new_extracts(geography)
        self.epcis = geography.within(GeoLevel.EPCI, GeoLevel.DEPARTEMENT, "13")
        self.lock = threading.Lock()

    def call(self, base: str, n: int) -> tuple[str, float]:
        """Make the workload's call number `n` to `base`; return (kind, seconds)."""
        kind, slug, method, path, body = self._pick(n)
        headers = self.headers[slug] if slug else {}
        started = time.perf_counter()
        # A connection per call: on a loaded machine a client may come back after the node's
        # keep-alive (2 s) closed its connection, and a POST is not sent again by requests.
        response = requests.request(method, base + path, json=body, headers=headers, timeout=300)
        elapsed = time.perf_counter() - started
        if response.status_code not in (200, 422):  # 422: a table too fine, refused
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return kind, elapsed

    def _pick(self, n: int) -> tuple[str, str | None, str, str, dict[str, Any] | None]:
        """Return the call number `n`: (kind, requester or None, method, path, body)."""
        turn = n % 5
        if turn == 0:
            return "socle", None, "GET", "/api/v1/socle/ALLOC?level=departement&codes=13,84", None
        if turn == 1:
            epci = self.epcis[(n // 5) % len(self.epcis)]
            indicator = HISTORIES[(n // 5) % len(HISTORIES)]
            body = {"indicator": indicator, "level": "epci", "code": epci, "use": "usage_final"}
            return "imaje", SLUG, "POST", "/api/v1/imaje/history", body
        if turn == 2:
            return "deja_livre", SLUG, "POST", "/api/v1/extracts", AGAIN
        if turn == 3:
            return "cle", SLUG, "GET", "/api/v1/me/extracts?per_page=5", None
        with self.lock:
            found = next(self.fresh, None)
        if found is None:
            raise RuntimeError("plus d'extrait nouveau à demander : réduire --seconds ou --repeat")
        slug, fresh = found
        return "nouvel_extrait", slug, "POST", "/api/v1/extracts", fresh


def measure(
    workload: Workload, bases: Sequence[str], clients: int, seconds: float
) -> tuple[int, float, dict[str, list[float]]]:
    """Run `clients` loops for `seconds`, call n to node n mod len(bases); return calls,
    elapsed and latencies by kind."""
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    latencies: dict[str, list[float]] = {}
    lock = threading.Lock()

    def loop(_client: int) -> None:
        while time.perf_counter() < deadline:
            n = next(counter)
            kind, elapsed = workload.call(bases[n % len(bases)], n)
            with lock:
                latencies.setdefault(kind, []).append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(loop, range(clients)))
    elapsed = time.perf_counter() - started
    return sum(len(v) for v in latencies.values()), elapsed, latencies


def _warm_up(workload: Workload, bases: Sequence[str]) -> None:
    """Load store and geography in every worker of every node; deliver the repeated extract."""

    def again(n: int) -> None:
        workload.call(bases[n % len(bases)], 5 * n + 2)  # 5n + 2: "deja_livre"

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(again, range(8 * len(bases))))


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _deployment(root: Path, url: str, store: Path) -> tuple[Deployment, dict[str, str]]:
    """Prepare the instance (`init --demo`); return the deployment and the requesters' keys."""
    folder = root / "init"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # as tests.support.served.fresh_instance, without its 5-minute bound:
        [sys.executable, "-m", "gateway", "init", "--demo"],  # a loaded machine takes longer
        cwd=REPO_ROOT,
        env=environment(folder, url, store),
        capture_output=True,
        check=True,
    )
    keys = json.loads((folder / "demo-keys.json").read_text(encoding="utf-8"))
    audit_key = (folder / "audit-key").read_text(encoding="utf-8").strip()
    settings = {"GATEWAY_AUDIT_KEY": audit_key, "GATEWAY_SECRET_KEY": secrets.token_urlsafe(48)}
    chosen = {slug: str(keys[slug]["key"]) for slug in (SLUG, STATE)}
    return Deployment(root / "machines", url, store, settings), chosen


Result = tuple[int, float, dict[str, list[float]]]
ONE, TWO, CONTROL = "1 nœud x 2 workers", "2 nœuds x 2 workers", "1 nœud x 4 workers"


def run(root: Path, clients: int, seconds: float, repeat: int) -> None:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL introuvable (initdb/pg_ctl) : banc impossible sans lui.")
    geography = load_geography(REPO_ROOT / "data" / "reference")
    store = root / "cells"
    load_demo(store, geography, departements=list(DEPARTEMENTS))
    cluster = start_cluster(bin_dir)
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE bench_noeuds"))
        admin.dispose()
        deployment, keys = _deployment(root, cluster.url("bench_noeuds"), store)
        workload = Workload(keys, geography)
        before = _load()
        rounds: dict[str, list[Result]] = {ONE: [], TWO: [], CONTROL: []}
        # The control: one node with as many workers as the two nodes together.
        control = start_node(deployment, "noeud-4-workers", workers=4)
        try:
            with running(deployment, nodes=2, workers=0) as fleet:
                wait_until_up(control.base, control.popen, control.log)
                bases = {
                    ONE: [fleet.nodes[0].base],
                    TWO: [node.base for node in fleet.nodes],
                    CONTROL: [control.base],
                }
                _warm_up(workload, [*bases[TWO], control.base])
                for _ in range(repeat):
                    for name, chosen in bases.items():
                        rounds[name].append(measure(workload, chosen, clients, seconds))
        finally:
            control.stop()
        after = _load()
    finally:
        cluster.stop()
    report(rounds, clients, seconds, before, after)


def _rate(result: Result) -> float:
    count, elapsed, _latencies = result
    return count / elapsed


def report(
    rounds: dict[str, list[Result]], clients: int, seconds: float, before: str, after: str
) -> None:
    print(
        f"PostgreSQL, nœuds gunicorn (gthread x 4 threads), {clients} clients, {seconds:.0f} s "
        f"par mesure, les configurations en alternance, {os.cpu_count()} cœurs"
    )
    print(f"charge avant : {before}")
    print(f"charge après : {after}")
    print("| configuration | mesure | appels | appels/s | " + " | ".join(_KINDS) + " |")
    print("|---|---|---|---|" + "---|" * len(_KINDS))
    for name, results in rounds.items():
        for index, (count, elapsed, latencies) in enumerate(results, 1):
            medians = [_median_ms(latencies.get(kind, [])) for kind in _KINDS]
            print(
                f"| {name} | {index} | {count} | {count / elapsed:.1f} | "
                + " | ".join(medians)
                + " |"
            )
    print("(colonnes par type d'appel : latence médiane en ms)")
    rate = {name: statistics.median(map(_rate, results)) for name, results in rounds.items()}
    print("appels/s médians : " + ", ".join(f"{name} {value:.1f}" for name, value in rate.items()))
    print(
        f"rapport 2 nœuds / 1 nœud : {rate[TWO] / rate[ONE]:.2f} ; "
        f"2 nœuds / 1 nœud de 4 workers : {rate[TWO] / rate[CONTROL]:.2f}"
    )


_KINDS = ("socle", "imaje", "deja_livre", "cle", "nouvel_extrait")


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f}" if values else "-"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="mesures de chaque configuration")
    parser.add_argument("--dossier", type=Path, help="dossier de travail conservé (journaux)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-multinode-") as folder:
        root = args.dossier or Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # as root, the cluster runs as postgres and makes its own folder
        run(root, args.clients, args.seconds, args.repeat)


if __name__ == "__main__":
    main()
