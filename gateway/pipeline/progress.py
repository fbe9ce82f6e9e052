"""A background extract's progress, written to its row as it goes, about once a second at most.

The secrecy engine says where each table's protection stands (`policies.secrecy.progress`:
primary rules, secondary rounds, pruning, audit) many times a second on small tables, a few
times a minute on a France-wide one; each write is a short transaction of its own on the
extract's row, which the API's status and the portal's progress bar read. `Throttled` keeps
the writes few (one per `INTERVAL` at most) and the percentage monotone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from policies.secrecy.progress import Listener, Step

#: Seconds between two writes of a job's progress.
INTERVAL = 1.0

#: Receives a whole job's progress, in percent.
Progress = Callable[[int], None]


class Throttled:
    """Pass on a percentage only when it grew and `interval` seconds passed since the last.

    Never 100: the delivery's own commit writes it, with the extract.
    """

    def __init__(
        self,
        write: Progress,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.write, self.clock = write, clock
        self.interval = INTERVAL if interval is None else interval
        self.shown, self.at = -1, -float("inf")

    def __call__(self, percent: int) -> None:
        percent = min(99, percent)
        now = self.clock()
        if percent <= self.shown or now - self.at < self.interval:
            return
        self.write(percent)
        self.shown, self.at = percent, now


def table_listener(progress: Progress, done: int, tables: int) -> Listener:
    """Map the engine's fraction for table number `done` (from 0) onto the whole job."""

    def listen(step: Step) -> None:
        progress(int(100 * (done + step.fraction) / tables))

    return listen
