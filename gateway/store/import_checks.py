"""Column and row checks of operators' files; every refusal names file, line and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from policies.errors import InvalidInput

Catalogue = Mapping[str, Mapping[str, Sequence[str]]]  # indicator -> {breakdown: categories}
MAX_REASONS = 20


class ImportRefused(InvalidInput):
    """A file that cannot be loaded; nothing from it reaches the store."""

    code = "import_refuse"
    title = "Fichier refusé"


@dataclass(frozen=True)
class Problem:
    """One defect: the row (0-based in the frame), the column and what is wrong."""

    row: int
    column: str
    message: str


class Checker:
    """Collect problems of a frame of strings, then refuse it with the first ones."""

    def __init__(self, file: str, frame: pd.DataFrame, first_line: int) -> None:
        self.file = file
        self.frame = frame
        self.first_line = first_line  # file line of the frame's first row
        self.problems: list[Problem] = []

    def flag(self, mask: pd.Series | np.ndarray, column: str, message: str) -> None:
        """Record the rows where mask holds; `{lu}` in the message shows the raw value."""
        for row in np.flatnonzero(np.asarray(mask))[:MAX_REASONS]:
            raw = self.frame[column].iloc[row] if column in self.frame else ""
            self.problems.append(Problem(int(row), column, message.format(lu=f"lu « {raw} »")))

    def refuse_if_any(self) -> None:
        """Raise ImportRefused naming the first problems in file order."""
        if not self.problems:
            return
        ordered = sorted(self.problems, key=lambda p: p.row)
        lines = [
            f"{self.file}, ligne {p.row + self.first_line}, {_columns(p.column)} : {p.message}"
            for p in ordered[:MAX_REASONS]
        ]
        raise ImportRefused(lines[0], reasons=lines)

    def require_columns(self, columns: Sequence[str]) -> None:
        """Refuse a file without a mandatory column."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise ImportRefused(f"{self.file}, ligne 1 : colonne manquante « {missing[0]} »")

    def numbers(self, column: str, *, integer: bool = False, optional: bool = False) -> pd.Series:
        """Parse a column of numbers, flagging what does not parse."""
        raw = (
            self.frame[column].str.strip()
            if column in self.frame
            else pd.Series([""] * len(self.frame))
        )
        blank = raw == ""
        parsed = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
        bad = parsed.isna() & ~(blank & optional)
        if integer:
            bad |= ~bad & ((parsed % 1 != 0) | (parsed < 0))
            self.flag(bad, column, "entier positif attendu, {lu}")
        else:
            self.flag(bad, column, "nombre attendu, {lu}")
        return parsed.fillna(0.0).astype(np.float64)

    def codes(self, column: str, known: Sequence[str], message: str) -> None:
        """Flag values of a code column that are not in the known list."""
        self.flag(~self.frame[column].isin(list(known)), column, message + ", {lu}")


def check_keys(check: Checker, catalogue: Catalogue, communes: Sequence[str]) -> pd.Series:
    """Check indicator, period, commune and category columns; return the parsed periods."""
    frame = check.frame
    check.codes("indicator", list(catalogue), "indicateur inconnu")
    periods = check.numbers("period", integer=True)
    check.flag((periods < 1900) | (periods > 2100), "period", "année attendue (AAAA), {lu}")
    check.codes("commune", communes, "code commune inconnu")
    for indicator, breakdowns in catalogue.items():
        rows = frame["indicator"] == indicator
        if not rows.any():
            continue
        for breakdown, categories in breakdowns.items():
            if breakdown not in frame.columns:
                raise ImportRefused(
                    f"{check.file}, ligne 1 : colonne manquante « {breakdown} » "
                    f"(ventilation de l’indicateur {indicator})"
                )
            unknown = rows & ~frame[breakdown].isin(list(categories))
            check.flag(unknown, breakdown, f"catégorie inconnue pour {indicator}, {{lu}}")
    return periods


def check_duplicates(check: Checker, keys: Sequence[str]) -> None:
    """Flag a cell (or microdata unit) that appears twice."""
    present = [k for k in keys if k in check.frame.columns]
    duplicated = check.frame.duplicated(present, keep="first")
    first = check.frame.groupby(present, sort=False).ngroup()
    first_row = first.map(pd.Series(np.arange(len(first))).groupby(first.to_numpy()).min())
    for row in np.flatnonzero(duplicated.to_numpy())[:MAX_REASONS]:
        line = int(first_row.iloc[row]) + check.first_line
        message = f"cellule en double de la ligne {line}"
        check.problems.append(Problem(int(row), ", ".join(present), message))


def _columns(column: str) -> str:
    """Name one column, or several joined by commas."""
    return f"colonnes {column}" if "," in column else f"colonne {column}"
