"""Progress of one protection, for whoever listens: its stage and a fraction that only grows.

`protect(progress=...)` installs a listener for the duration of the call; the steps of the
engine say where they are (`advance`) without passing it along: primary rules, then each
round of secondary suppression with the primary cells still unprotected, pruning component
by component, the final audit. Without a listener, `advance` costs a context-variable read.

Each stage owns a fixed span of [0, 1] (secondary rounds most: on a France-wide table they
take most of the time); within it the fraction is the stage's own (rounds: the share of the
first round's unprotected cells since protected; pruning: components done). The listener
gets the larger of that and everything reported before: the fraction never goes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """The stages of a protection, in order."""

    PRIMARY = "primaires"
    SECONDARY = "secondaires"
    PRUNING = "elagage"
    AUDIT = "audit"


#: The part of [0, 1] each stage covers.
SPANS: dict[Stage, tuple[float, float]] = {
    Stage.PRIMARY: (0.0, 0.05),
    Stage.SECONDARY: (0.05, 0.75),
    Stage.PRUNING: (0.75, 0.9),
    Stage.AUDIT: (0.9, 1.0),
}


@dataclass(frozen=True)
class Step:
    """Where a protection stands: its stage, its overall fraction, the primaries unprotected."""

    stage: Stage
    fraction: float  # of the whole protection, in [0, 1], never smaller than the last one
    unprotected: int | None = None  # secondary rounds: primary cells not yet protected


Listener = Callable[[Step], None]


class _Tracker:
    """The listener of one protection and the largest fraction it was given."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.reached = 0.0

    def advance(self, stage: Stage, within: float, unprotected: int | None) -> None:
        start, end = SPANS[stage]
        fraction = start + (end - start) * min(1.0, max(0.0, within))
        self.reached = max(self.reached, fraction)
        self.listener(Step(stage, self.reached, unprotected))


_CURRENT: ContextVar[_Tracker | None] = ContextVar("secrecy_progress", default=None)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the reports of the protection run inside the block to `listener` (None: nobody)."""
    token = _CURRENT.set(_Tracker(listener) if listener is not None else None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def advance(stage: Stage, within: float, unprotected: int | None = None) -> None:
    """Say that a stage is `within` (0 to 1) done, to the listener of the running protection."""
    tracker = _CURRENT.get()
    if tracker is not None:
        tracker.advance(stage, within, unprotected)
