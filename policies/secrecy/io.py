"""Reading the command line's files, with errors that name the file and the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from policies.errors import InvalidInput
from policies.secrecy.dimensions import TOTAL, Dimension, Hierarchy
from policies.secrecy.status import Apriori


def read_csv(
    path: str, dims: Sequence[str], columns: Sequence[str], rows: bool = False
) -> pd.DataFrame:
    """Read a comma-separated UTF-8 file, codes as text, refusing missing columns (and, when
    `rows`, a file without a line of data: a table needs cells)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{path} : fichier vide.") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InvalidInput(f"{path} : lecture impossible ({error}).") from None
    if rows and frame.empty:
        raise InvalidInput(f"{path} : aucune ligne de données.")
    for column in [*dims, *columns]:
        if column not in frame:
            raise InvalidInput(f"{path} : colonne « {column} » absente.")
    return frame


def numbers(frame: pd.DataFrame, column: str, path: str, whole: bool = False) -> pd.Series:
    """Parse a numeric column, naming the first bad line."""
    parsed = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    bad = parsed.isna() | (whole & (parsed % 1 != 0)) | (whole & (parsed < 0))
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        what = "effectif entier positif" if whole else "nombre"
        text = frame[column].iloc[row]
        raise InvalidInput(f"{path}, ligne {row + 2} : {what} attendu, lu « {text} » ({column}).")
    return parsed.astype(np.float64)


def read_hierarchy(path: str) -> Hierarchy:
    """Read a tau-Argus .hrc file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path} : lecture impossible ({error}).") from None
    return Hierarchy.from_hrc(text, name=path)


def read_groups(path: str | None, dims: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """Read REL.csv (dimension, group, member) into groups per dimension."""
    groups: dict[str, dict[str, list[str]]] = {name: {} for name in dims}
    if path is None:
        return groups
    frame = read_csv(path, (), ("dimension", "group", "member"))
    for row, (dim, group, member) in enumerate(
        frame[["dimension", "group", "member"]].itertuples(False)
    ):
        if dim not in groups or not group or group == TOTAL:
            raise InvalidInput(f"{path}, ligne {row + 2} : dimension ou groupe invalide « {dim} ».")
        groups[dim].setdefault(group, []).append(member)
    return groups


def dimensions(
    specs: Sequence[tuple[str, list[str]]], cells: pd.DataFrame, rel: str | None
) -> list[Dimension]:
    """Build the dimensions: leaves from the first hierarchy, else from the cells file."""
    groups = read_groups(rel, [name for name, _ in specs])
    result = []
    for name, files in specs:
        hierarchies = [read_hierarchy(f) for f in files]
        margins = {TOTAL, *groups[name]}
        flat = sorted(set(cells[name]) - margins)
        leaves = hierarchies[0].leaves() if hierarchies else flat
        result.append(Dimension(name, leaves, hierarchies, groups[name]))
    return result


def read_apriori(path: str, dims: Sequence[str]) -> dict[tuple[str, ...], Apriori]:
    """Read APRIORI.csv: dimension columns plus status (published or suppressed)."""
    frame = read_csv(path, dims, ("status",))
    result: dict[tuple[str, ...], Apriori] = {}
    for row, record in enumerate(frame[[*dims, "status"]].itertuples(index=False)):
        try:
            result[tuple(record[:-1])] = Apriori(record[-1].strip())
        except ValueError:
            raise InvalidInput(
                f"{path}, ligne {row + 2} : statut « {record[-1]} » (published ou suppressed)."
            ) from None
    return result
