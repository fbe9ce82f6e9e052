"""Several machines on one host: gunicorn nodes and queue workers sharing one PostgreSQL.

What docs/deployment.md describes, each process as an operator starts it: every node
(`gunicorn -c python:gateway.gunicorn_conf wsgi:app`) has its own instance folder and port;
every worker is `python -m gateway worker`; all share the database, the cell store, the
reference data and the keys (`GATEWAY_AUDIT_KEY`, `GATEWAY_SECRET_KEY`). Each process runs in
a session of its own, so that a node killed with SIGKILL (its master) leaves no orphan
worker behind once `stop` kills its process group.

    with running(deployment, nodes=2, workers=2) as fleet:
        requests.get(fleet.nodes[0].url("/api/v1/health"), timeout=30)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from gateway.config import REPO_ROOT
from gateway.pipeline import queue
from tests.support.served import environment, free_port, wait_until_up

BOOT_SECONDS = 120


@dataclass(frozen=True)
class Deployment:
    """What every process of one deployment shares: database, store, data and keys."""

    root: Path
    database_url: str
    store_dir: Path
    settings: Mapping[str, str]  # GATEWAY_* variables common to every process

    def environment(self, instance_dir: Path) -> dict[str, str]:
        """Return the environment of one process, with its own instance folder."""
        instance_dir.mkdir(parents=True, exist_ok=True)
        return {
            **environment(instance_dir, self.database_url, self.store_dir),
            **self.settings,
        }


@dataclass
class Process:
    """A process of the deployment, in a session (and process group) of its own."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the process itself (a gunicorn master: not its workers)."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL), then whatever is left of its group."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # a killed master's orphaned workers:
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group still names them

    def tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


@dataclass
class Node(Process):
    """A gunicorn node: its master process and its base URL."""

    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path


@dataclass
class Fleet:
    """The running processes of a deployment."""

    deployment: Deployment
    nodes: list[Node] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)


def _spawn(command: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_node(deployment: Deployment, name: str, workers: int = 2) -> Node:
    """Start a gunicorn node (not waiting for it): its own instance folder and port."""
    instance_dir = deployment.root / name
    port = free_port()
    env = {
        **deployment.environment(instance_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
    }
    log = instance_dir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "python:gateway.gunicorn_conf", "wsgi:app"]
    popen = _spawn(command, env, log)
    return Node(name, popen, log, base=f"http://127.0.0.1:{port}")


def start_worker(deployment: Deployment, name: str) -> Process:
    """Start `python -m gateway worker` (not waiting for it); its connections carry `name`
    as their PostgreSQL application name (pg_stat_activity tells which worker waits)."""
    instance_dir = deployment.root / name
    env = {**deployment.environment(instance_dir), "PGAPPNAME": name}
    log = instance_dir / "worker.log"
    return Process(name, _spawn([sys.executable, "-m", "gateway", "worker"], env, log), log)


def live_workers(database_url: str) -> int:
    """Return how many queue workers said lately that they are alive."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text(
                    f"SELECT count(*) FROM {queue.SCHEMA}.procrastinate_workers"
                    " WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
                ),
                {"seconds": queue.STALLED_AFTER_SECONDS},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(found)


def _wait_for_workers(fleet: Fleet) -> None:
    deadline = time.monotonic() + BOOT_SECONDS
    while live_workers(fleet.deployment.database_url) < len(fleet.workers):
        for worker in fleet.workers:
            if worker.popen.poll() is not None:
                raise RuntimeError(f"{worker.name} s'est arrêté : {worker.tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"travailleurs pas prêts en {BOOT_SECONDS} s")
        time.sleep(0.2)


@contextmanager
def running(
    deployment: Deployment, *, nodes: int, workers: int, node_workers: int = 2
) -> Iterator[Fleet]:
    """Start `nodes` gunicorn nodes and `workers` queue workers at once; yield them when all
    are ready (each node answers /health, each worker beats); stop every process after."""
    fleet = Fleet(deployment)
    with ExitStack() as stack:
        for index in range(nodes):
            node = start_node(deployment, f"noeud-{index + 1}", node_workers)
            stack.callback(node.stop)
            fleet.nodes.append(node)
        for index in range(workers):
            worker = start_worker(deployment, f"travailleur-{index + 1}")
            stack.callback(worker.stop)
            fleet.workers.append(worker)
        for node in fleet.nodes:  # they boot in parallel: the waits overlap
            wait_until_up(node.base, node.popen, node.log)
        _wait_for_workers(fleet)
        yield fleet
