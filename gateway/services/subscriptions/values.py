"""The vocabulary of subscriptions: cadences, statuses, due periods and their French labels.

A delivery is due once per *due period*: the current data vintage (store version) for a
subscription "à chaque millésime", else the current month, quarter or year. Only the current
period is ever due: periods that passed while a subscription was paused, or while no runner
ran, are not caught up (one delivery, of today's data, not a flood of identical ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Cadence(StrEnum):
    """When a subscription is delivered."""

    VINTAGE = "millesime"  # at each new data vintage (store version)
    MONTHLY = "mensuel"
    QUARTERLY = "trimestriel"
    YEARLY = "annuel"


CADENCE_LABELS = {
    Cadence.VINTAGE: "à chaque millésime des données",
    Cadence.MONTHLY: "chaque mois",
    Cadence.QUARTERLY: "chaque trimestre",
    Cadence.YEARLY: "chaque année",
}


class Status(StrEnum):
    """A subscription's status: active, paused (resumable), ended (final)."""

    ACTIVE = "actif"
    PAUSED = "en_pause"
    ENDED = "termine"


STATUS_LABELS = {Status.ACTIVE: "actif", Status.PAUSED: "en pause", Status.ENDED: "terminé"}


class DeliveryStatus(StrEnum):
    """A due delivery's outcome, as its history shows it."""

    RUNNING = "en_cours"  # claimed by a runner, not finished (or its runner died)
    DELIVERED = "livre"  # an extract, downloadable as any other
    REFUSED = "refuse"  # a refusal of the pipeline (convention, secret, quota...), its reasons
    FAILED = "echec"  # an unexpected failure, its detail


DELIVERY_STATUS_LABELS = {
    DeliveryStatus.RUNNING: "en cours",
    DeliveryStatus.DELIVERED: "livré",
    DeliveryStatus.REFUSED: "refusé",
    DeliveryStatus.FAILED: "en échec",
}

VINTAGE_PREFIX = "v:"
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class Due:
    """A due period: its key (stored, unique per subscription) and its French label."""

    key: str
    label: str


def current_due(cadence: Cadence, now: datetime, store_version: str) -> Due:
    """Return the period a delivery is due for now: the vintage, month, quarter or year."""
    year, month = now.year, now.month
    if cadence is Cadence.VINTAGE:
        return Due(f"{VINTAGE_PREFIX}{store_version}", f"millésime {store_version}")
    if cadence is Cadence.MONTHLY:
        return Due(f"{year:04d}-{month:02d}", f"{_MONTHS[month - 1]} {year}")
    if cadence is Cadence.QUARTERLY:
        quarter = (month - 1) // 3 + 1
        ordinal = "1er" if quarter == 1 else f"{quarter}e"
        return Due(f"{year:04d}-T{quarter}", f"{ordinal} trimestre {year}")
    return Due(f"{year:04d}", f"année {year}")


def next_due_label(cadence: Cadence, now: datetime) -> str:
    """Say when the delivery after the current period's will be due."""
    if cadence is Cadence.VINTAGE:
        return "au prochain millésime des données"
    year, month = now.year, now.month
    if cadence is Cadence.MONTHLY:
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
        return f"1er {_MONTHS[month - 1]} {year}"
    if cadence is Cadence.QUARTERLY:
        first = ((month - 1) // 3 + 1) * 3 + 1
        month, year = (1, year + 1) if first > 12 else (first, year)
        return f"1er {_MONTHS[month - 1]} {year}"
    return f"1er janvier {year + 1}"


def due_label(key: str) -> str:
    """Return the French label of a stored due key (the history shows it)."""
    if key.startswith(VINTAGE_PREFIX):
        return f"millésime {key.removeprefix(VINTAGE_PREFIX)}"
    if "-T" in key:
        year, quarter = key.split("-T")
        return f"{'1er' if quarter == '1' else quarter + 'e'} trimestre {year}"
    if "-" in key:
        year, month = key.split("-")
        return f"{_MONTHS[int(month) - 1]} {year}"
    return f"année {key}"
