"""The gateway's own upkeep on the PostgreSQL queue: the socle after a load, expirations.

- `socle.publier`: after `python -m gateway import` on PostgreSQL, the socle commun of the new
  store version is published by a worker, not by the operator's command: one job per version
  (its queueing lock), taken up again if its worker dies. The worker reads its own copy of
  the store: until its host's `sync-store` brought the new version, the job waits (tried
  again every 30 s, for 10 minutes: twice the sync's grace). Publishing twice is harmless
  (`Publisher.ensure` finds the publication made), and a version superseded when the job runs
  is left alone: the pipeline publishes the current one before its first extract anyway.
- `conventions.expirer`: every night at 00:15 UTC the conventions past their end date are
  recorded as expired (change log, audit), as `python -m gateway expire-conventions` does on
  SQLite from a timer. Every decision already reads such a convention as expired; this
  records the change of status.
"""

from __future__ import annotations

import logging

import procrastinate
from procrastinate import RetryStrategy

from gateway.pipeline import queue
from gateway.services.conventions.lifecycle import expire_due_conventions
from gateway.services.subscriptions import jobs as subscription_jobs
from gateway.state import AppState

LOG = logging.getLogger("gateway.file")

PUBLISH_SOCLE_TASK = "socle.publier"
EXPIRE_TASK = "conventions.expirer"
EXPIRE_CRON = "15 0 * * *"  # every night at 00:15 UTC


def worker_app(state: AppState) -> procrastinate.App:
    """Every task a worker runs: background extracts and their recovery, the subscriptions
    due (checked every minute), the socle after an import, the nightly expirations."""
    app = queue.worker_app(state.database, state.pipeline.deliver_queued)
    register(app, state)
    subscription_jobs.register(app, state)
    return app


def register(app: procrastinate.App, state: AppState) -> None:
    """Add the upkeep tasks to a worker's queue app (`python -m gateway worker`)."""

    waiting = RetryStrategy(max_attempts=20, wait=30, retry_exceptions={NotYetServed})

    @app.task(name=PUBLISH_SOCLE_TASK, retry=waiting)
    def publish_socle(version: str) -> None:
        publish_socle_of(state, version)

    @app.periodic(cron=EXPIRE_CRON, periodic_id="expirations")
    @app.task(name=EXPIRE_TASK, queueing_lock=EXPIRE_TASK)
    def expire(timestamp: int) -> None:
        expire_conventions(state)


def defer_socle_publication(state: AppState, version: str) -> bool:
    """Queue the publication of a version's socle; False without a queue (SQLite)."""
    queue = state.pipeline.queue
    if queue is None:
        return False
    queue.defer_task(
        PUBLISH_SOCLE_TASK, lock=None, queueing_lock=f"socle|{version}", version=version
    )
    return True


class NotYetServed(Exception):
    """This host's store does not serve the version yet (its sync is to come): retried."""


def publish_socle_of(state: AppState, version: str) -> str | None:
    """Publish the socle of `version` if it is the store's current one; its id. Raise
    `NotYetServed` while this host serves an older version; None for a superseded one."""
    pipeline = state.pipeline
    current = pipeline.store.version()
    if current < version:  # version names begin with their UTC time: they sort by age
        raise NotYetServed(f"version {version} pas encore servie ici (version {current})")
    if current > version:
        LOG.info("socle de la version %s non publié : la version courante est %s", version, current)
        return None
    publication = pipeline.publisher.ensure(pipeline.store)
    LOG.info("socle commun publié pour la version %s : publication %s", version, publication)
    return publication


def expire_conventions(state: AppState) -> list[str]:
    """Record the expiry of the conventions past their end date, in one transaction."""
    with state.database.transaction() as session:
        expired = expire_due_conventions(session)
    if expired:
        LOG.info("conventions expirées : %s", ", ".join(expired))
    return expired
