"""The delivery as a flat table: one row per cell, the columns every tabular format shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gateway.delivery.model import NOT_APPLICABLE, PUBLIC_REASONS, DeliveredCell, Delivery

LEADING_COLUMNS = ("indicateur", "periode", "niveau", "code_territoire", "libelle_territoire")
TRAILING_COLUMNS = ("valeur", "statut", "motif", "unite")
# Spreadsheets run text starting with these as a formula (custom zone names come from users).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def header(delivery: Delivery) -> tuple[str, ...]:
    """Return the column names: fixed ones, one per breakdown code, then value and status."""
    return (*LEADING_COLUMNS, *delivery.breakdown_columns, *TRAILING_COLUMNS)


def rows(delivery: Delivery) -> Iterator[tuple[Any, ...]]:
    """Yield one row per cell, in `header` order; a secret cell's value is None."""
    columns = delivery.breakdown_columns
    for cell in delivery.cells:
        yield (
            cell.indicator,
            cell.period,
            cell.territory_level,
            cell.territory_code,
            cell.territory_label,
            *(cell.categories.get(code, NOT_APPLICABLE) for code in columns),
            public_value(cell),
            cell.status.symbol,
            PUBLIC_REASONS[cell.status],
            cell.unit_label,
        )


def public_value(cell: DeliveredCell) -> float | None:
    """Return the value a file may carry: None for a secret cell, whatever the model holds."""
    return None if cell.status.secret else cell.value


def number_text(value: float, decimal_mark: str = ".") -> str:
    """Write a number without a spurious ".0" on counts, round-trip exact otherwise."""
    text = str(int(value)) if value.is_integer() else repr(value)
    return text.replace(".", decimal_mark)


def safe_text(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection)."""
    return f"'{text}" if len(text) > 1 and text.startswith(_FORMULA_STARTS) else text
