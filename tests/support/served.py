"""The served gateway: gunicorn on a random loopback port, against a fresh instance.

A fresh instance is what a new user gets: an empty database (a SQLite file in the instance
folder, or a new database of the throwaway PostgreSQL cluster) prepared by
`python -m gateway init --demo`, which writes the demonstration keys. The session's test
store stands in for the France-wide demonstration store (three départements: seconds, not
minutes). `served_gateway` serves one such instance per test module and backend; a test
that needs its own instance calls `fresh_instance` and `serve`.

    def test_something(served_gateway: Served) -> None:
        response = requests.get(served_gateway.url("/api/v1/health"), timeout=30)
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from sqlalchemy import create_engine, text

from gateway.config import REPO_ROOT
from tests.support.postgres import Cluster

BOOT_SECONDS = 90
INIT_SECONDS = 300
_databases = itertools.count()
T = TypeVar("T")


@dataclass(frozen=True)
class Served:
    """A running gateway: its base URL, instance folder, database and demonstration keys."""

    base: str
    instance_dir: Path
    database_url: str
    keys: dict[str, dict[str, Any]]

    def url(self, path: str) -> str:
        return self.base + path

    def headers(self, slug: str, **extra: str) -> dict[str, str]:
        """Return the Authorization header of a demonstration requester, plus `extra`."""
        return {"Authorization": f"Bearer {self.keys[slug]['key']}", **extra}

    def requester_id(self, slug: str) -> int:
        return int(self.keys[slug]["requester_id"])

    def link_sent_to(self, to: str, seconds: float = 10) -> str:
        """Return the last link the gateway's outbox logged for `to` (development: no SMTP,
        the message is a JSON log line of `gateway.courriel`)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in reversed((self.instance_dir / "gunicorn.log").read_text().splitlines()):
                try:
                    record: dict[str, Any] = json.loads(line)
                except ValueError:
                    continue
                if record.get("logger") == "gateway.courriel" and record.get("to") == to:
                    return str(record["link"])
            time.sleep(0.1)
        raise AssertionError(f"aucun lien pour {to} dans le journal")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(
    instance_dir: Path, database_url: str, store_dir: Path, env: str = "development"
) -> dict[str, str]:
    """Return the environment of `make serve` for this instance (development, quiet logs)."""
    return {
        **os.environ,
        "GATEWAY_ENV": env,
        "GATEWAY_INSTANCE_DIR": str(instance_dir),
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_STORE_DIR": str(store_dir),
        "GATEWAY_LOG_LEVEL": "WARNING",
        "GATEWAY_RATE_LIMIT": "100000/minute",  # bursts of one key are the tests' point
        "GATEWAY_ANONYMOUS_RATE_LIMIT": "100000/minute",  # and journeys without a key
    }


def new_database(instance_dir: Path, cluster: Cluster | None) -> str:
    """Return the URL of an empty database: a new PostgreSQL database, else a SQLite file."""
    if cluster is None:
        return f"sqlite:///{instance_dir / 'gateway.sqlite3'}"
    name = f"gateway_served_{os.getpid()}_{next(_databases)}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return cluster.url(name)


def fresh_instance(
    instance_dir: Path, database_url: str, store_dir: Path
) -> dict[str, dict[str, Any]]:
    """Prepare an instance with `python -m gateway init --demo`; return its demonstration keys."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "init", "--demo"],
        cwd=REPO_ROOT,
        env=environment(instance_dir, database_url, store_dir),
        capture_output=True,
        text=True,
        timeout=INIT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"init --demo a échoué : {done.stderr[-3000:]}")
    keys: dict[str, dict[str, Any]] = json.loads(
        (instance_dir / "demo-keys.json").read_text(encoding="utf-8")
    )
    return keys


@contextmanager
def serve(
    instance_dir: Path,
    database_url: str,
    store_dir: Path,
    workers: int = 2,
    env: str = "development",
    settings: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve an instance with gunicorn (`workers` processes); yield its base URL, then stop it.

    `settings`: `GATEWAY_*` variables that replace the tests' defaults (a low limit...)."""
    port = free_port()
    served_environment = {
        **environment(instance_dir, database_url, store_dir, env),
        **(settings or {}),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
    }
    log = instance_dir / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:gateway.gunicorn_conf", "wsgi:app"],
            cwd=REPO_ROOT,
            env=served_environment,
            stdout=output,
            stderr=output,
        )
        try:
            wait_until_up(base, server, log)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server answers /health with 200; raise if it stops or takes too long."""
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté : {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/api/v1/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn n'a pas démarré en {BOOT_SECONDS} s : {log}")


def released_together(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run every call in its own thread, all released at once by a barrier; return results."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def served_gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path
) -> Iterator[Served]:
    """A fresh demonstration instance served by gunicorn with 2 workers, on each backend."""
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    instance_dir = tmp_path_factory.mktemp(f"served-{request.param}")
    database_url = new_database(instance_dir, cluster)
    keys = fresh_instance(instance_dir, database_url, demo_store_dir)
    with serve(instance_dir, database_url, demo_store_dir, workers=2) as base:
        yield Served(base, instance_dir, database_url, keys)
