"""The durable job queue on PostgreSQL (procrastinate): background extracts as jobs.

A web node claims a background extract (its row holds the request and the job's inputs),
then defers one job carrying only the extract's id; `python -m gateway worker` runs the jobs
(`work`). A job lives in the database, not in a process: a worker that dies leaves its job
`doing` with a heartbeat that stops; the worker's periodic recovery task (procrastinate's
documented way: `get_stalled_jobs`, then `retry_job`) puts it back in the queue, and any
worker takes it up again. Taken up again, it finds its extract delivered and stops (the
delivery commits extract, ledger, audit entry and invoice in one transaction, and refuses a
second one: `record.AlreadyDelivered`). Transient failures (a ledger partition busy, the
database away) are retried with an exponential backoff; the last attempt records the failure
on the extract, as the embedded runner does.

Jobs of one requester share a queue lock, so they run one after another in the order they
were deferred: every ledger partition a delivery writes is its requester's, and a lock is one
name per job (procrastinate's), so the requester is the one name every partition of a job
shares. The ledger-partition locks still guard every delivery, queued or not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import procrastinate
from procrastinate import JobContext, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued

from gateway.db import Database
from gateway.db.connections import PASSING_FAILURES, libpq_address
from gateway.db.health import Component
from gateway.pipeline.locks import Partition
from gateway.services.extracts import queries as extracts

LOG = logging.getLogger("gateway.file")

SCHEMA = "job_queue"  # migrations/versions/0008_job_queue.py creates procrastinate's tables there
DELIVER_TASK = "extraits.livrer"
RECOVER_TASK = "file.reprendre"
#: Retries after the first run (transient failures, and jobs taken up again after their
#: worker died); waits 2, 4, 8, 16, 32 s.
RETRIES = 5
BACKOFF_SECONDS = 2
HEARTBEAT_SECONDS = 2.0  # a worker says it is alive this often...
STALLED_AFTER_SECONDS = 10.0  # ...and its jobs are taken up again after this much silence
RECOVER_CRON = "* * * * * */5"  # the recovery task: every 5 seconds (croniter's 6th field)
#: An extract claimed without its job (its node died between the two) is deferred again.
ORPHAN_AFTER = timedelta(seconds=60)


def _connection_kwargs() -> dict[str, Any]:
    return {"options": f"-c search_path={SCHEMA}"}


def queue_lock(writes: Iterable[Partition]) -> str:
    """Name the queue lock of a delivery writing `writes`: its requester's (see above)."""
    audiences = sorted({str(audience) for audience, _family, _period in writes})
    return "registre|" + "|".join(audiences)


class QueueRunner:
    """A web node's side of the queue: defers jobs, on a pool opened at the first one.

    Opened lazily: gunicorn forks its workers after the app is built, and a pool's threads
    and connections do not survive a fork.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        connector = procrastinate.SyncPsycopgConnector(
            conninfo=libpq_address(database_url),
            kwargs=_connection_kwargs(),
            min_size=1,
            max_size=4,
        )
        self.app = procrastinate.App(connector=connector)
        self._opened = False
        self._lock = threading.Lock()

    def defer(self, extract_id: str, lock: str) -> None:
        """Queue the job of a claimed extract (once: a job already waiting is that one)."""
        self.defer_task(DELIVER_TASK, lock=lock, queueing_lock=extract_id, extract_id=extract_id)

    def defer_task(
        self, name: str, *, lock: str | None, queueing_lock: str, **arguments: Any
    ) -> None:
        """Queue a job of the task `name` (once: a job waiting under `queueing_lock` is it)."""
        with self._lock:
            if not self._opened:
                self.app.open()
                self._opened = True
        task = self.app.configure_task(name, lock=lock, queueing_lock=queueing_lock)
        with contextlib.suppress(AlreadyEnqueued):
            task.defer(**arguments)

    def close(self) -> None:
        with self._lock:
            if self._opened:
                self.app.close()
                self._opened = False


#: Runs a queued extract: (extract id, whether this is its last attempt).
Deliver = Callable[[str, bool], None]


def worker_app(database: Database, deliver: Deliver) -> procrastinate.App:
    """Build the worker's queue app: the delivery task and the periodic recovery task."""
    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_address(database.url), kwargs=_connection_kwargs()
    )
    app = procrastinate.App(connector=connector)
    retry = RetryStrategy(max_attempts=RETRIES, exponential_wait=BACKOFF_SECONDS)

    @app.task(name=DELIVER_TASK, pass_context=True, retry=retry)
    def deliver_extract(context: JobContext, extract_id: str) -> None:
        assert context.job is not None
        deliver(extract_id, context.job.attempts >= RETRIES)

    @app.periodic(cron=RECOVER_CRON, periodic_id="reprise")
    @app.task(name=RECOVER_TASK, queueing_lock=RECOVER_TASK, pass_context=True)
    async def recover(context: JobContext, timestamp: int) -> None:
        manager = context.app.job_manager
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS):
            LOG.warning("travail %s repris : son processus ne répond plus", job.id)
            await manager.retry_job(job)
        for extract_id, lock in await asyncio.to_thread(orphans, database):
            LOG.warning("extrait %s remis en file : son travail manquait", extract_id)
            task = app.configure_task(DELIVER_TASK, lock=lock, queueing_lock=extract_id)
            with contextlib.suppress(AlreadyEnqueued):
                await task.defer_async(extract_id=extract_id)

    return app


def orphans(database: Database) -> list[tuple[str, str]]:
    """Return (extract id, queue lock) of the extracts in flight that no job will deliver."""
    before = datetime.now(UTC) - ORPHAN_AFTER
    with database.sessions() as session:
        found = extracts.unqueued_in_flight(session, SCHEMA, DELIVER_TASK, before)
    return [(extract_id, queue_lock([(requester, "", 0)])) for extract_id, requester in found]


def health(database: Database) -> Component:
    """/health's job queue: its tables reachable; the workers alive, shown (none is no fault
    of the web node: its jobs wait for one)."""
    try:
        with database.sessions() as session:
            alive = extracts.live_workers(session, SCHEMA, STALLED_AFTER_SECONDS)
    except PASSING_FAILURES as error:
        LOG.error("file des travaux injoignable : %s", error)
        return Component("queue", False, "file des travaux injoignable")
    return Component("queue", True, "queue", (("travailleurs", str(alive)),))


def work(app: procrastinate.App, *, wait: bool = True, concurrency: int = 1) -> None:
    """Run a worker in this process: forever (`wait`), or until no job is left (tests)."""

    def run() -> None:
        app.run_worker(
            wait=wait,
            concurrency=concurrency,
            update_heartbeat_interval=HEARTBEAT_SECONDS,
            stalled_worker_timeout=STALLED_AFTER_SECONDS,
            install_signal_handlers=wait,
            # A job's row stays after it succeeded: procrastinate's record of what ran, when.
            delete_jobs="never",
        )

    if wait:  # the worker process: its main thread, its signals
        run()
        return
    # Until empty, in a thread of its own: `run_worker` starts an event loop, and this thread
    # may run one already (Playwright's, when browser tests share the test session).
    failures: list[BaseException] = []

    def guarded() -> None:
        try:
            run()
        except BaseException as error:  # re-raised in the caller's thread
            failures.append(error)

    thread = threading.Thread(target=guarded, name="travailleur-file")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
