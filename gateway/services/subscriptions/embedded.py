"""Subscriptions on one machine without a queue (SQLite, `make serve`): each web worker checks.

With the embedded job runner nothing else runs between requests, so each gunicorn worker
starts one daemon thread that runs what is due every minute (`runner.run_due`). Several
workers checking at once is safe: a delivery is claimed once per subscription and period,
and the losers of a claim do nothing. `python -m gateway run-subscriptions` stays for a
timer (an instance that receives no request, a worker recycled at the wrong moment). On
PostgreSQL the queue's periodic task does this (`jobs.py`); this thread is not started.
"""

from __future__ import annotations

import logging
import threading

from gateway.services.subscriptions.runner import run_due
from gateway.state import AppState

LOG = logging.getLogger("gateway.abonnements")

INTERVAL_SECONDS = 60.0
FIRST_AFTER_SECONDS = 5.0  # let the worker finish booting
#: Set by `wake` (a subscription just created in this process): check at once, so that its
#: first delivery comes now rather than at the next minute.
_WAKE = threading.Event()


def wake() -> None:
    """Have this process's check run now (after a subscription was committed)."""
    _WAKE.set()


def start_checking(state: AppState, stop: threading.Event | None = None) -> threading.Thread:
    """Start the thread that runs the subscriptions due every minute (and when woken), until
    `stop` is set (and the thread next wakes)."""
    stopping = stop or threading.Event()

    def check_forever() -> None:
        wait = FIRST_AFTER_SECONDS
        while not stopping.is_set():
            _WAKE.wait(wait)
            _WAKE.clear()
            if stopping.is_set():
                break
            wait = INTERVAL_SECONDS
            try:
                report = run_due(state)
            except Exception:  # a failed check must not end the thread: the next one tries
                LOG.exception("vérification des abonnements dus en échec")
                continue
            if report.delivered or report.refused or report.failed:
                LOG.info(
                    "abonnements : %s livré(s), %s refusé(s), %s en échec",
                    report.delivered,
                    report.refused,
                    report.failed,
                )

    thread = threading.Thread(target=check_forever, name="abonnements", daemon=True)
    thread.start()
    return thread
