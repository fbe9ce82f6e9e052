"""Subscriptions on the PostgreSQL queue: a periodic check defers one job per due delivery.

Every minute, the check (`abonnements.echeances`, one at a time: its queueing lock) lists the
deliveries due now (`runner.due_now`) and defers a job `abonnements.livrer` for each: one
waiting job per subscription and period (its queueing lock), run under its requester's queue
lock, as the requester's background extracts are (`gateway.pipeline.queue.queue_lock`), so a
requester's deliveries run one after another. A job taken up again after its worker died
takes over its own claim; transient failures are retried with the queue's backoff, and at the
last attempt the claim is released for a later check to defer again. The check also tries
again the announcements that failed (`runner.announce_pending`).
"""

from __future__ import annotations

import asyncio
import contextlib

import procrastinate
from procrastinate import JobContext, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued

from gateway.pipeline.queue import BACKOFF_SECONDS, RETRIES, queue_lock
from gateway.services.subscriptions.runner import (
    DueDelivery,
    announce_pending,
    deliver_one,
    due_now,
)
from gateway.state import AppState

CHECK_TASK = "abonnements.echeances"
DELIVER_TASK = "abonnements.livrer"
CHECK_CRON = "* * * * *"  # every minute


def register(app: procrastinate.App, state: AppState) -> None:
    """Add the subscriptions' tasks to a worker's queue app (`python -m gateway worker`)."""
    retry = RetryStrategy(max_attempts=RETRIES, exponential_wait=BACKOFF_SECONDS)

    @app.task(name=DELIVER_TASK, pass_context=True, retry=retry)
    def deliver(context: JobContext, subscription_id: int, due: str) -> None:
        assert context.job is not None
        # The only job of this subscription and period running (its requester's lock): a
        # claim still running is its own earlier attempt, whose worker died.
        last = context.job.attempts >= RETRIES
        deliver_one(state, subscription_id, due, takeover=True, retry_transient=not last)

    @app.periodic(cron=CHECK_CRON, periodic_id="abonnements")
    @app.task(name=CHECK_TASK, queueing_lock=CHECK_TASK)
    async def check(timestamp: int) -> None:
        for due in await asyncio.to_thread(due_now, state):
            await defer(app, due)
        await asyncio.to_thread(announce_pending, state)  # failed announcements, once due


async def defer(app: procrastinate.App, due: DueDelivery) -> None:
    """Queue the job of one due delivery (once: a job already waiting is that one)."""
    task = app.configure_task(
        DELIVER_TASK,
        lock=queue_lock([(due.requester_id, "", 0)]),
        queueing_lock=f"abonnement|{due.subscription_id}|{due.due}",
    )
    with contextlib.suppress(AlreadyEnqueued):
        await task.defer_async(subscription_id=due.subscription_id, due=due.due)
