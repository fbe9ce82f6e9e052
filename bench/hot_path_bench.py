"""Benchmark: requests per second on the hot path, and the worker class, over HTTP (gunicorn).

One fresh SQLite instance (`init --demo` on a synthetic store), served by gunicorn with 2
workers of the chosen class (`--worker-class sync|gthread --threads N`, passed to gunicorn by
`GUNICORN_CMD_ARGS`), then, `--clients` HTTP clients at once for `--seconds` each:

- `cle`: the same keyed read again and again (`GET /api/v1/me/extracts?per_page=5`, gated: the
  key is authenticated, which wrote its `last_used_at` at every call before issue 15);
- `deja_livre`: the same extract asked again (`POST /api/v1/extracts`, answered from the
  extract already delivered): an audit entry per call;
- `mixte`: the clients mix light reads (socle slice, catalogue, the same extract again) with a
  new extract (a département's communes, a new period and breakdown each time: the secrecy
  engine, CPU-bound) every fifth call; the light reads' latency says whether they wait
  behind a computation.

    python -m bench.hot_path_bench [--worker-class sync] [--threads 1] [--clients 8]
                                   [--seconds 10] [--only cle deja_livre mixte] [--dossier DIR]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.store.demo import load_demo
from tests.support.served import fresh_instance, serve

SLUG = "conseil_departemental"  # free extracts under its convention: no quote to accept
BODY: dict[str, Any] = {
    "indicators": ["ENF_MOINS_6"],
    "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
    "periods": [2024],
    "breakdowns": ["age_jeune_enfant"],
    "use": "usage_final",
    "totals": True,
}
NEW_EXTRACTS = [  # (indicator, breakdown, period): each asked once, in turn
    (code, breakdown, period)
    for period in (2019, 2020, 2021, 2022, 2023)
    for code, breakdown in (("ENF_MOINS_6", "age_jeune_enfant"), ("ALLOC", None))
]


def _call(session: requests.Session, method: str, url: str, **kwargs: Any) -> tuple[str, float]:
    started = time.perf_counter()
    response = session.request(method, url, timeout=300, **kwargs)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:300]}")
    return url, elapsed


def _workload(
    name: str, base: str, key: str
) -> Callable[[requests.Session, int], tuple[str, float]]:
    headers = {"Authorization": f"Bearer {key}"}
    fresh = itertools.cycle(NEW_EXTRACTS)
    fresh_lock = threading.Lock()

    def keyed(session: requests.Session, _n: int) -> tuple[str, float]:
        return _call(session, "GET", f"{base}/api/v1/me/extracts?per_page=5", headers=headers)

    def again(session: requests.Session, _n: int) -> tuple[str, float]:
        return _call(session, "POST", f"{base}/api/v1/extracts", json=BODY, headers=headers)

    def mixed(session: requests.Session, n: int) -> tuple[str, float]:
        if n % 5 == 4:
            with fresh_lock:
                code, breakdown, period = next(fresh)
            body = {
                **BODY,
                "indicators": [code],
                "periods": [period],
                "breakdowns": [breakdown] if breakdown else [],
            }
            _, elapsed = _call(
                session, "POST", f"{base}/api/v1/extracts", json=body, headers=headers
            )
            return "nouvel extrait", elapsed
        if n % 5 == 0:
            url = f"{base}/api/v1/socle/ALLOC?level=departement&codes=13,84"
            return "lecture", _call(session, "GET", url, headers=headers)[1]
        if n % 5 == 1:
            return "lecture", keyed(session, n)[1]
        return "lecture", again(session, n)[1]

    return {"cle": keyed, "deja_livre": again, "mixte": mixed}[name]


def measure(
    name: str, base: str, key: str, clients: int, seconds: float
) -> tuple[int, float, dict[str, list[float]]]:
    """Run `clients` loops of the workload for `seconds`; return calls, elapsed, latencies."""
    call = _workload(name, base, key)
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    latencies: dict[str, list[float]] = {}
    lock = threading.Lock()

    def loop(_client: int) -> None:
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                kind, elapsed = call(session, next(counter))
                with lock:
                    latencies.setdefault(kind if name == "mixte" else name, []).append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(loop, range(clients)))
    elapsed = time.perf_counter() - started
    return sum(len(v) for v in latencies.values()), elapsed, latencies


def run(
    root: Path, worker_class: str, threads: int, clients: int, seconds: float, only: list[str]
) -> None:
    store = root / "cells"
    load_demo(store, load_geography(REPO_ROOT / "data" / "reference"), departements=["13", "84"])
    database_url = f"sqlite:///{root / 'instance' / 'gateway.sqlite3'}"
    keys = fresh_instance(root / "instance", database_url, store)
    key = keys[SLUG]["key"]
    os.environ["GUNICORN_CMD_ARGS"] = f"--worker-class {worker_class} --threads {threads}"
    os.environ["GATEWAY_ANONYMOUS_RATE_LIMIT"] = "100000/minute"
    load = os.getloadavg()[0]
    with serve(root / "instance", database_url, store, workers=2) as base:
        with requests.Session() as session:  # warm both workers; deliver the extract once
            for _ in range(8):
                _call(
                    session,
                    "POST",
                    f"{base}/api/v1/extracts",
                    json=BODY,
                    headers={"Authorization": f"Bearer {key}"},
                )
        results = {name: measure(name, base, key, clients, seconds) for name in only}
    print(
        f"SQLite, gunicorn 2 workers {worker_class} x {threads} thread(s), {clients} clients, "
        f"{seconds:.0f} s par mesure, {os.cpu_count()} cœurs ; charge (1 min) avant : "
        f"{load:.1f}, après : {os.getloadavg()[0]:.1f}"
    )
    print("| mesure | type | appels | appels/s | médiane (ms) | p95 (ms) | max (ms) |")
    print("|---|---|---|---|---|---|---|")
    for name, (count, elapsed, latencies) in results.items():
        for kind, values in sorted(latencies.items()):
            values.sort()
            p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
            print(
                f"| {name} | {kind} | {len(values)} | {len(values) / elapsed:.1f} | "
                f"{statistics.median(values) * 1000:.0f} | {p95 * 1000:.0f} | "
                f"{values[-1] * 1000:.0f} |"
            )
        print(f"| {name} | total | {count} | {count / elapsed:.1f} | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--only", nargs="*", default=["cle", "deja_livre", "mixte"])
    parser.add_argument("--dossier", type=Path, help="dossier de travail conservé (journaux)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hot-path-") as folder:
        root = args.dossier or Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        run(root, args.worker_class, args.threads, args.clients, args.seconds, args.only)


if __name__ == "__main__":
    main()
