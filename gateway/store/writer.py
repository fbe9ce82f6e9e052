"""Publish a new store version: write every file aside, then swap the pointer atomically."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from gateway.store import layout
from gateway.store.layout import IndicatorMetadata, Manifest
from policies.errors import Conflict, InvalidInput

_DTYPES = {"period": np.int16, "commune": np.int32, "value": np.float64}
_DTYPES |= {"freq": np.int32, "top1": np.float64, "top2": np.float64}


@dataclass(frozen=True, eq=False)
class IndicatorCells:
    """The leaf cells of one indicator, encoded: communes and categories as indexes."""

    metadata: IndicatorMetadata
    period: np.ndarray
    commune: np.ndarray  # index into the store's sorted commune codes
    categories: Mapping[str, np.ndarray]  # breakdown code -> int8 index into its categories
    value: np.ndarray
    freq: np.ndarray
    top1: np.ndarray
    top2: np.ndarray

    def columns(self) -> dict[str, np.ndarray]:
        """Return every column in file order, with the stored dtypes."""
        ordered = {"period": self.period, "commune": self.commune}
        ordered |= {code: np.asarray(self.categories[code]) for code in self.metadata.breakdowns}
        ordered |= {"value": self.value, "freq": self.freq, "top1": self.top1, "top2": self.top2}
        return {
            name: np.asarray(column, dtype=_DTYPES.get(name, np.int8))
            for name, column in ordered.items()
        }


def now_iso() -> str:
    """Return the current UTC time, ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def sort_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sort rows by (period, commune, categories) and refuse duplicated cells."""
    keys = list(columns)[: -len(layout.MEASURE_COLUMNS)]
    order = np.lexsort([columns[k] for k in reversed(keys)])
    ordered = {name: column[order] for name, column in columns.items()}
    if len(order) > 1:
        same = np.ones(len(order) - 1, dtype=bool)
        for k in keys:
            same &= ordered[k][1:] == ordered[k][:-1]
        if same.any():
            raise InvalidInput("Cellule en double dans les données à publier")
    return ordered


def write_table(path: Path, columns: Mapping[str, np.ndarray]) -> None:
    """Write one uncompressed Arrow IPC file holding a single record batch."""
    batch = pa.RecordBatch.from_pydict(dict(columns))
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)
        sink.flush()
        os.fsync(sink.fileno())


@contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """Serialise writers: one publication at a time per store."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _carry_over(
    old_dir: Path | None, old: Manifest | None, new_dir: Path, communes: Sequence[str]
) -> dict[str, IndicatorMetadata]:
    """Hard-link the previous version's files into the new one (same commune list only)."""
    if old_dir is None or old is None:
        return {}
    if layout.read_communes(old_dir) != tuple(communes):
        raise Conflict(
            "La liste des communes a changé : republiez tous les indicateurs dans la même version"
        )
    for meta in old.indicators.values():
        os.link(old_dir / meta.file, new_dir / meta.file)
    return dict(old.indicators)


def _merge_previous(
    cells: IndicatorCells, previous: IndicatorMetadata | None, old_dir: Path | None
) -> dict[str, np.ndarray]:
    """Keep the previous rows of periods the update does not bring, then sort."""
    columns = cells.columns()
    if previous is None or old_dir is None:
        return sort_columns(columns)
    if dict(previous.breakdowns) != dict(cells.metadata.breakdowns):
        raise Conflict(
            f"Indicateur {cells.metadata.code} : ventilations différentes de celles déjà "
            "publiées ; republiez toutes ses périodes"
        )
    with pa.memory_map(str(old_dir / previous.file)) as source:
        table = pa.ipc.open_file(source).read_all()
        old_period = table.column("period").to_numpy()
        keep = ~np.isin(old_period, np.unique(columns["period"]))
        for name in columns:
            columns[name] = np.concatenate([table.column(name).to_numpy()[keep], columns[name]])
    return sort_columns(columns)


def _write_indicator(
    cells: IndicatorCells, old: Manifest | None, old_dir: Path | None, new_dir: Path
) -> IndicatorMetadata:
    """Write one updated indicator file; return its final metadata."""
    previous = old.indicators.get(cells.metadata.code) if old else None
    columns = _merge_previous(cells, previous, old_dir)
    meta = cells.metadata
    file = f"{meta.code}.arrow"
    (new_dir / file).unlink(missing_ok=True)  # a hard link to the previous version's file
    write_table(new_dir / file, columns)
    periods = tuple(int(p) for p in np.unique(columns["period"]))
    return replace(meta, periods=periods, rows=len(columns["period"]), file=file)


def publish(
    root: Path,
    updates: Sequence[IndicatorCells],
    communes: Sequence[str],
    keep: int = 2,
    verify: Callable[[Path], None] | None = None,
) -> Path:
    """Write a new version with these indicators replaced, swap it in, return its directory.

    `verify` reads the complete new version before the swap; an error it raises discards
    the version, and the current one stays.
    """
    root = Path(root)
    with exclusive(root):
        old_dir = layout.current_version_dir(root)
        old = layout.read_manifest(old_dir) if old_dir else None
        version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"
        versions = root / layout.VERSIONS
        staging = versions / f".staging-{version}"
        staging.mkdir(parents=True)
        try:
            (staging / layout.COMMUNES).write_text("\n".join(communes) + "\n", encoding="utf-8")
            indicators = _carry_over(old_dir, old, staging, communes)
            for cells in updates:
                indicators[cells.metadata.code] = _write_indicator(cells, old, old_dir, staging)
            manifest = Manifest(version, now_iso(), indicators)
            text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=1)
            (staging / layout.MANIFEST).write_text(text, encoding="utf-8")
            if verify is not None:
                verify(staging)
            final = versions / version
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        swap_pointer(root, final)
        _prune(versions, keep)
    return final


def swap_pointer(root: Path, target: Path) -> None:
    """Point `current` at a version with one atomic rename."""
    temporary = root / f".{layout.POINTER}-{uuid.uuid4().hex[:6]}"
    temporary.symlink_to(target.relative_to(root))
    temporary.replace(root / layout.POINTER)


def _prune(versions: Path, keep: int) -> None:
    """Remove all but the `keep` newest versions (readers pin at most the previous one)."""
    published = sorted(p for p in versions.iterdir() if not p.name.startswith("."))
    for old in published[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
