"""Load operators' real data into the store: cell summaries or microdata, all or nothing.

Cell summaries (CSV, `,` or `;`, UTF-8, or Parquet), one row per cell:
    indicator, period, commune, <one column per breakdown code of the indicator>,
    value, freq, top1, top2 (top2 optional: blank or absent means 0)
Microdata, one row per unit and cell (a holding is one contributing unit):
    indicator, period, commune, <breakdown columns>, holding, value

A refused file raises ImportRefused (an InvalidInput) whose message names the
file, the line (the header is line 1; for Parquet, data rows count from 2 too)
and the column. The whole file is checked before anything is written, and the
store switches to the new version in one atomic step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from tqdm import tqdm

from gateway.reference.geography import load_geography
from gateway.store.demo_catalogue import STORED
from gateway.store.import_checks import Catalogue, Checker, check_duplicates, check_keys
from gateway.store.layout import IndicatorMetadata, current_version_dir
from gateway.store.reader import CellStore
from gateway.store.relations import check_relations
from gateway.store.writer import IndicatorCells, now_iso, publish
from policies import catalogue as indicators
from policies.domain import GeoLevel

KEYS = ("indicator", "period", "commune")
CELL_COLUMNS = (*KEYS, "value", "freq", "top1")
MICRO_COLUMNS = (*KEYS, "holding", "value")
CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class ImportSummary:
    """What a successful import published."""

    file: str
    version: str
    rows: Mapping[str, int]  # indicator -> cells loaded


def _progress(label: str, total: int | None) -> tqdm:
    """Return a French progress bar on stderr, silent when stderr is not a terminal."""
    return tqdm(
        total=total, desc=label, unit=" lignes", file=sys.stderr, disable=not sys.stderr.isatty()
    )


def _chunks(path: Path) -> Iterator[pd.DataFrame]:
    """Yield the file's rows as frames of stripped strings (codes keep leading zeros)."""
    if path.suffix.lower() == ".parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
            yield batch.to_pandas()
        return
    with path.open(encoding="utf-8-sig") as handle:
        separator = ";" if handle.readline().count(";") else ","
    yield from pd.read_csv(
        path, sep=separator, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS
    )


def read_rows(path: Path) -> pd.DataFrame:
    """Read a whole CSV or Parquet file as strings, with a progress bar."""
    parts = []
    with _progress(f"Lecture de {path.name}", None) as bar:
        for chunk in _chunks(path):
            parts.append(chunk)
            bar.update(len(chunk))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.apply(lambda column: column.astype(str).str.strip())


def _read_keyed(
    path: Path, catalogue: Catalogue, communes: Sequence[str], columns: Sequence[str]
) -> tuple[pd.DataFrame, Checker, pd.Series, list[str]]:
    """Read a file and check its columns and keys: its rows, the checker (to go on with its
    measures), the periods and the breakdown columns (blanked where foreign to the row)."""
    frame = read_rows(path)
    check = Checker(path.name, frame, first_line=2)
    check.require_columns(columns)
    periods = check_keys(check, catalogue, communes)
    return frame, check, periods, _blank_foreign_breakdowns(frame, catalogue)


def _blank_foreign_breakdowns(frame: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    """Blank breakdown columns on rows of indicators that do not use them; return them all."""
    breakdowns = sorted({b for bs in catalogue.values() for b in bs if b in frame.columns})
    for breakdown in breakdowns:
        users = [i for i, bs in catalogue.items() if breakdown in bs]
        frame.loc[~frame["indicator"].isin(users), breakdown] = ""
    return breakdowns


def import_cells(
    path: Path,
    root: Path,
    catalogue: Catalogue,
    communes: Sequence[str],
    non_exclusive: Collection[str] = (),
    verify: Callable[[Path], None] | None = None,
) -> ImportSummary:
    """Check a file of cell summaries and publish it; refuse it whole on any defect."""
    frame, check, periods, breakdowns = _read_keyed(path, catalogue, communes, CELL_COLUMNS)
    measures = {
        "value": check.numbers("value"),
        "freq": check.numbers("freq", integer=True),
        "top1": check.numbers("top1"),
        "top2": check.numbers("top2", optional=True),
    }
    check.flag(measures["top2"] > measures["top1"], "top2", "top2 supérieur à top1, {lu}")
    excess = (measures["value"] >= 0) & (measures["top1"] > measures["value"] + 1e-9)
    check.flag(excess, "top1", "plus gros contributeur supérieur à la valeur, {lu}")
    check_duplicates(check, [*KEYS, *breakdowns])
    check.refuse_if_any()
    cells = frame[[*KEYS, *breakdowns]].assign(period=periods, **measures)
    return _publish(path, root, cells, catalogue, communes, non_exclusive, verify)


def import_microdata(
    path: Path,
    root: Path,
    catalogue: Catalogue,
    communes: Sequence[str],
    non_exclusive: Collection[str] = (),
    verify: Callable[[Path], None] | None = None,
) -> ImportSummary:
    """Summarise unit-level rows into cells (one contributor per holding) and publish them."""
    frame, check, periods, breakdowns = _read_keyed(path, catalogue, communes, MICRO_COLUMNS)
    value = check.numbers("value")
    check.flag(frame["holding"] == "", "holding", "identifiant d’unité attendu, {lu}")
    check.refuse_if_any()
    units = frame[[*KEYS, *breakdowns, "holding"]].assign(period=periods, value=value)
    cells = summarise_units(units, [*KEYS, *breakdowns])
    return _publish(path, root, cells, catalogue, communes, non_exclusive, verify)


def summarise_units(units: pd.DataFrame, cell_keys: Sequence[str]) -> pd.DataFrame:
    """Sum each holding's rows, then give each cell value, freq, top1 and top2."""
    keys = list(cell_keys)
    per_unit = units.groupby([*keys, "holding"], sort=False, as_index=False)["value"].sum()
    ranked = per_unit.sort_values([*keys, "value"], ascending=[True] * len(keys) + [False])
    rank = ranked.groupby(keys, sort=False).cumcount()
    grouped = ranked.groupby(keys, sort=False)["value"]
    cells = grouped.agg(value="sum", freq="size").reset_index()
    top1 = ranked[rank == 0].set_index(keys)["value"]
    top2 = ranked[rank == 1].set_index(keys)["value"]
    index = pd.MultiIndex.from_frame(cells[keys])
    cells["top1"] = top1.reindex(index).to_numpy()
    cells["top2"] = top2.reindex(index).fillna(0.0).to_numpy()
    return cells


def _publish(
    path: Path,
    root: Path,
    cells: pd.DataFrame,
    catalogue: Catalogue,
    communes: Sequence[str],
    non_exclusive: Collection[str],
    verify: Callable[[Path], None] | None,
) -> ImportSummary:
    """Encode every indicator of the file and publish them in one version."""
    codes = np.asarray(communes)
    updates = []
    for indicator, rows in cells.groupby("indicator", sort=True):
        breakdowns = {b: tuple(c) for b, c in catalogue[str(indicator)].items()}
        meta = IndicatorMetadata(
            code=str(indicator),
            periods=tuple(sorted(int(p) for p in rows["period"].unique())),
            breakdowns=breakdowns,
            synthetic=False,
            source=path.name,
            loaded_at=now_iso(),
            categories_exclusive=indicator not in non_exclusive,
        )
        categories = {
            b: rows[b].map({c: i for i, c in enumerate(cats)}).to_numpy(np.int8)
            for b, cats in breakdowns.items()
        }
        commune = np.searchsorted(codes, rows["commune"].to_numpy(str))
        measures = (rows[m].to_numpy() for m in ("value", "freq", "top1", "top2"))
        updates.append(
            IndicatorCells(meta, rows["period"].to_numpy(), commune, categories, *measures)
        )
    version = publish(root, updates, communes, verify=verify)
    return ImportSummary(path.name, version.name, {u.metadata.code: len(u.period) for u in updates})


# --- an operator's file, as the command line imports it ---------------------------------------


def import_file(
    catalogue: indicators.Catalogue,
    path: Path,
    *,
    store_dir: Path,
    reference_dir: Path,
    microdata: bool,
) -> ImportSummary:
    """Import an operator's file of cell summaries or of unit-level rows (all or nothing)."""
    communes = load_geography(reference_dir).codes(GeoLevel.COMMUNE)
    importer = import_microdata if microdata else import_cells

    def verify(version_dir: Path) -> None:  # the relations hold, or the version never opens
        check_relations(CellStore.of_version(version_dir), catalogue)

    return importer(
        path,
        store_dir,
        import_catalogue(catalogue),
        communes,
        non_exclusive=non_exclusive_indicators(catalogue, store_dir),
        verify=verify,
    )


def import_catalogue(catalogue: indicators.Catalogue) -> Catalogue:
    """Return what an import checks rows against: stored indicator -> {breakdown: categories}.

    Ratios are computed from their terms, never stored: a file row naming one is refused as an
    unknown indicator.
    """
    return {
        indicator.code: {b: catalogue.breakdown(b).category_codes for b in indicator.breakdowns}
        for indicator in catalogue.stored()
    }


def non_exclusive_indicators(catalogue: indicators.Catalogue, store_dir: Path) -> frozenset[str]:
    """Return the stored indicators whose units may count in several categories of a cell.

    An indicator already in the store keeps what its metadata say; one the demonstration
    generator knows takes its known shape; any other indicator with a breakdown is taken as
    non-exclusive, the conservative side for the secret statistique (the number of units of a
    total is then bounded by its largest category, never overcounted).
    """
    current: dict[str, bool] = {}
    if current_version_dir(store_dir) is not None:
        store = CellStore(store_dir)
        current = {c: store.metadata(c).categories_exclusive for c in store.indicators()}
    found = set()
    for indicator in catalogue.stored():
        if not indicator.breakdowns:
            continue
        known = STORED.get(indicator.code)
        exclusive = current.get(indicator.code, known.exclusive if known else False)
        if not exclusive:
            found.add(indicator.code)
    return frozenset(found)
