"""Background jobs of large extracts: a small thread pool per worker process.

The job's state lives in the database (extract status and progress), so any worker can
report it; a job dies with its process, and its extract then stays "en_cours" (see README).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from gateway.db.health import Component


class JobRunner:
    """Run jobs one at a time in the background (the 2-core machine has no spare core)."""

    def __init__(self, workers: int = 1) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="extrait")
        self.futures: dict[str, Future[Any]] = {}

    def submit(self, job_id: str, function: Callable[..., Any], *args: Any) -> None:
        self.futures[job_id] = self.pool.submit(function, *args)

    def health(self) -> Component:
        """The in-process runner: reachable while its pool takes jobs."""
        if getattr(self.pool, "_shutdown", False):
            return Component("queue", False, "la file des travaux est arrêtée")
        return Component("queue", True, "embedded")

    def wait_all(self, timeout: float | None = None) -> None:
        """Wait for every submitted job (tests, and a clean shutdown)."""
        wait(list(self.futures.values()), timeout=timeout)
