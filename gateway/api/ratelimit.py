"""Moving-window limits shared by every worker: a SQLite file by default, Redis when configured."""

from __future__ import annotations

import math
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

SQLITE_SCHEME = "sqlite:///"


@dataclass(frozen=True)
class Quota:
    """A key's window after one event was asked: what the `RateLimit` headers say."""

    allowed: bool  # the event was counted (False: the key was already at its limit)
    limit: int  # events per window
    window: int  # seconds
    remaining: int  # events left in the window
    reset: int  # seconds until the window frees an event (0: nothing counted)


class Limiter(Protocol):
    """A number of events per moving window, counted per key (an address, a key prefix)."""

    def retry_after(self, key: str) -> int | None:
        """Return the seconds to wait when the key is at its limit, else None."""

    def hit(self, key: str) -> bool:
        """Count one event; False when the key was already at its limit (nothing counted)."""

    def take(self, key: str) -> Quota:
        """Count one event and return the key's window as it is after it."""

    def reachable(self) -> bool:
        """Tell whether the counters' storage answers (for /health)."""


def limiter(storage_uri: str, limit: str, namespace: str) -> Limiter:
    """Build the limiter the storage URI names (`sqlite:///path`, `memory://`, `redis://...`)."""
    if storage_uri.startswith(SQLITE_SCHEME):
        return SqliteLimiter(Path(storage_uri.removeprefix(SQLITE_SCHEME)), limit, namespace)
    return LimitsLimiter(storage_uri, limit, namespace)


class LimitsLimiter:
    """The `limits` library's moving window (memory: one worker only; Redis: shared)."""

    def __init__(self, storage_uri: str, limit: str, namespace: str) -> None:
        self.storage = storage_from_string(storage_uri)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.limit = parse(limit)
        self.namespace = namespace

    def reachable(self) -> bool:
        try:
            return bool(self.storage.check())
        except Exception:  # an unreachable Redis raises, depending on the client
            return False

    def take(self, key: str) -> Quota:
        allowed = self.limiter.hit(self.limit, self.namespace, key)
        stats = self.limiter.get_window_stats(self.limit, self.namespace, key)
        amount, window = self.limit.amount, self.limit.get_expiry()
        reset = min(window, max(0, math.ceil(stats.reset_time - time.time())))
        return Quota(allowed, amount, window, stats.remaining, reset)

    def retry_after(self, key: str) -> int | None:
        if self.limiter.test(self.limit, self.namespace, key):
            return None
        reset = self.limiter.get_window_stats(self.limit, self.namespace, key).reset_time
        return max(1, int(reset - time.time()) + 1)

    def hit(self, key: str) -> bool:
        return self.limiter.hit(self.limit, self.namespace, key)


class SqliteLimiter:
    """A moving window in a SQLite file: the workers of one host share it without a server.

    Each event is a row (key, time); a write takes the file's lock (BEGIN IMMEDIATE), so
    the count and the insert of concurrent workers never interleave.
    """

    def __init__(self, path: Path, limit: str, namespace: str) -> None:
        item = parse(limit)
        self.path = path
        self.amount = item.amount
        self.seconds = item.get_expiry()
        self.namespace = namespace
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS evenement (cle TEXT NOT NULL, instant REAL NOT NULL)"
            )
            connection.execute(
                "CREATE INDEX IF NOT EXISTS evenement_cle ON evenement (cle, instant)"
            )

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        # Counters, not records: a crash may lose the last second of them, never corrupt them.
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def reachable(self) -> bool:
        try:
            with closing(self._connect()) as connection:
                connection.execute("SELECT 1 FROM evenement LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def _window(self, connection: sqlite3.Connection, key: str, now: float) -> list[float]:
        rows = connection.execute(
            "SELECT instant FROM evenement WHERE cle = ? AND instant > ? ORDER BY instant",
            (f"{self.namespace}/{key}", now - self.seconds),
        )
        return [instant for (instant,) in rows]

    def retry_after(self, key: str) -> int | None:
        now = time.time()
        with closing(self._connect()) as connection:
            window = self._window(connection, key, now)
        if len(window) < self.amount:
            return None
        # The window reopens when its oldest counted event leaves it.
        return max(1, int(window[-self.amount] + self.seconds - now) + 1)

    def hit(self, key: str) -> bool:
        return self.take(key).allowed

    def take(self, key: str) -> Quota:
        now = time.time()
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            window = self._window(connection, key, now)
            allowed = len(window) < self.amount
            if allowed:
                name = f"{self.namespace}/{key}"
                connection.execute("INSERT INTO evenement VALUES (?, ?)", (name, now))
                connection.execute(
                    "DELETE FROM evenement WHERE cle = ? AND instant <= ?",
                    (name, now - self.seconds),
                )
                window.append(now)
            connection.execute("COMMIT")
        # The window frees an event when its oldest counted one leaves it.
        oldest = window[-self.amount] if len(window) >= self.amount else window[0]
        # Rounded up, never beyond the window: `t` of the RateLimit header is within `w`.
        reset = min(int(self.seconds), max(1, math.ceil(oldest + self.seconds - now)))
        remaining = max(0, self.amount - len(window))
        return Quota(allowed, self.amount, int(self.seconds), remaining, reset)
