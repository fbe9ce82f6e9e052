"""Caches of one app: values rebuilt when their data version changes, safe across threads.

An app's requests run in several threads (and its background jobs in another), so a cache
is a lock around a small dictionary of immutable values: a reader gets either the value of
the version it asked for, or builds it outside the lock and swaps it in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from policies.access import PolicyMatrix
from policies.catalogue import Catalogue

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Versioned(Generic[T]):
    """One value, kept for the data version it was built from; rebuilt when that changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[Hashable, T] | None = None

    def get(self, version: Hashable, build: Callable[[], T]) -> T:
        """Return the value of `version`, building it (outside the lock) when not kept."""
        with self._lock:
            entry = self._entry
        if entry is not None and entry[0] == version:
            return entry[1]
        value = build()
        with self._lock:
            self._entry = (version, value)
        return value


class Memo(Generic[K, V]):
    """Values that never change once stored (rows read by id), kept up to a bound."""

    def __init__(self, bound: int) -> None:
        self._lock = threading.Lock()
        self._values: dict[K, V] = {}
        self.bound = bound

    def known(self, keys: Iterable[K]) -> dict[K, V]:
        """Return the values kept for these keys (the others are to be read)."""
        with self._lock:
            return {k: self._values[k] for k in keys if k in self._values}

    def add(self, values: Mapping[K, V]) -> None:
        """Keep these values; past the bound, start again (they refill on demand)."""
        with self._lock:
            if len(self._values) + len(values) > self.bound:
                self._values.clear()
            self._values.update(values)


@dataclass(frozen=True)
class Caches:
    """The caches of one app (one database): each keyed on the version of what it holds."""

    #: The catalogue stored in the database, keyed on its records' count and last update.
    catalogue: Versioned[Catalogue] = field(default_factory=Versioned)
    #: The policy matrix in force, keyed on its version number.
    matrix: Versioned[PolicyMatrix] = field(default_factory=Versioned)
    #: The communes of the ledger's territory definitions, by id (immutable once stored).
    commune_sets: Memo[int, frozenset[str]] = field(default_factory=lambda: Memo(500_000))
