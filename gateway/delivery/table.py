"""The delivery as a flat table: one row per cell, the columns every tabular format shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gateway.delivery.cells import NOT_APPLICABLE, TOTAL, DeliveredCell
from gateway.delivery.model import Delivery

LEADING_COLUMNS = ("indicateur", "periode", "niveau", "code_territoire", "libelle_territoire")
TRAILING_COLUMNS = ("valeur", "statut", "motif", "unite")
#: Suffix of the column giving, beside each breakdown's code column, the category's label.
LABEL_SUFFIX = "_libelle"
TOTAL_LABEL = "Ensemble"
NOT_APPLICABLE_LABEL = "Non ventilé"
# Spreadsheets run text starting with these as a formula (custom zone names come from users).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: Column naming, for a territory straddling the parent asked, the départements it lies in
#: (present only when the delivery holds such a territory).
STRADDLING_COLUMN = "territoire_a_cheval"


def header(delivery: Delivery) -> tuple[str, ...]:
    """Return the column names: fixed ones, each breakdown's code and label, value and status."""
    categories = [c for code in delivery.breakdown_columns for c in (code, code + LABEL_SUFFIX)]
    straddling = (STRADDLING_COLUMN,) if delivery.straddling else ()
    return (*LEADING_COLUMNS, *straddling, *categories, *TRAILING_COLUMNS)


def straddling_text(departements: tuple[str, ...]) -> str:
    """Name the départements a straddling territory lies in: "à cheval sur 13, 83, 84"."""
    return f"à cheval sur {', '.join(departements)}" if departements else ""


def code_columns(delivery: Delivery) -> tuple[str, ...]:
    """Return the columns holding codes, text a spreadsheet must not read as numbers."""
    return ("indicateur", "niveau", "code_territoire", *delivery.breakdown_columns)


def rows(delivery: Delivery) -> Iterator[tuple[Any, ...]]:
    """Yield one row per cell, in `header` order; a cell without value has None."""
    columns = delivery.breakdown_columns
    labels = {
        code: {c.code: c.label for c in delivery.breakdowns[code].categories}
        | {TOTAL: TOTAL_LABEL, NOT_APPLICABLE: NOT_APPLICABLE_LABEL}
        for code in columns
    }
    straddling = bool(delivery.straddling)
    for cell in delivery.cells:
        categories = [straddling_text(cell.straddles)] if straddling else []
        for code in columns:
            category = cell.categories.get(code, NOT_APPLICABLE)
            categories += [category, labels[code].get(category, category)]
        yield (
            cell.indicator,
            cell.period,
            cell.territory_level,
            cell.territory_code,
            cell.territory_label,
            *categories,
            public_value(cell),
            cell.symbol,
            cell.public_reason,
            cell.unit_label,
        )


def public_value(cell: DeliveredCell) -> float | None:
    """Return the value a file may carry: None for a secret or "sans objet" cell."""
    return cell.value if cell.has_value else None


def number_text(value: float, decimal_mark: str = ".") -> str:
    """Write a number without a spurious ".0" on counts, round-trip exact otherwise."""
    text = str(int(value)) if value.is_integer() else repr(value)
    return text.replace(".", decimal_mark)


def safe_text(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection)."""
    return f"'{text}" if len(text) > 1 and text.startswith(_FORMULA_STARTS) else text
