"""Closed vocabularies of the engine: cell statuses and reason codes."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Status of one cell of a protected table, as written in outputs."""

    SAFE = "S"
    PRIMARY = "U"
    SECONDARY = "M"
    EMPTY = "Z"
    APRIORI_PUBLISHED = "A"

    @property
    def suppressed(self) -> bool:
        """Tell whether a cell with this status is withheld."""
        return self in _SUPPRESSED  # a constant set: read for every cell of every table


_SUPPRESSED = frozenset({Status.PRIMARY, Status.SECONDARY})


class Reason(StrEnum):
    """Why a cell has its status; empty for safe cells.

    The engine sets all but the last two. A ratio is no cell of the engine's tables: it takes
    its status from its terms, and these two reasons say so.
    """

    NONE = ""
    FREQUENCY = "frequency"
    DOMINANCE = "dominance"
    P_PERCENT = "p_percent"
    ZERO = "zero"
    SINGLETON = "singleton"
    PAIR = "pair"
    APRIORI_SUPPRESSED = "apriori_suppressed"
    APRIORI_PUBLISHED = "apriori_published"
    EMPTY = "empty"
    RELATION = "relation"
    AUDIT = "audit"
    HIDDEN = "hidden"
    RATIO = "ratio"  # a ratio withheld (secondary) because one of its terms is
    ZERO_DENOMINATOR = "ratio_denominateur_nul"  # a ratio without value (empty, never 0)


class Apriori(StrEnum):
    """A status fixed by the caller before protection (earlier releases)."""

    PUBLISHED = "published"
    SUPPRESSED = "suppressed"
    # In the table for its relations but never released (a margin nobody asked for, a part
    # of a territory): withheld, and protected only when the rules make it primary.
    HIDDEN = "hidden"


# Integer codes used in numpy arrays, in the order of the enum declarations.
STATUSES: tuple[Status, ...] = tuple(Status)
REASONS: tuple[Reason, ...] = tuple(Reason)
STATUS_CODE = {status: i for i, status in enumerate(STATUSES)}
REASON_CODE = {reason: i for i, reason in enumerate(REASONS)}
