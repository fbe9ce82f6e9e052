"""Read cells from the current store version through zero-copy memory maps."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from gateway.store import layout
from gateway.store.kernels import expand_ranges, grouped_max, grouped_sum, grouped_top2
from gateway.store.layout import IndicatorMetadata, Manifest
from policies.errors import InvalidInput, NotFound


@dataclass(frozen=True, eq=False)
class _Indicator:
    """One memory-mapped indicator file and its (period, commune) row index."""

    meta: IndicatorMetadata
    table: pa.Table
    offsets: np.ndarray  # rows of (period p, commune c) are offsets[p*N+c] .. offsets[p*N+c+1]

    def column(self, name: str) -> np.ndarray:
        """Return a column as a read-only numpy view on the mapped file."""
        return np.asarray(self.table.column(name).chunk(0).to_numpy(zero_copy_only=True))


@dataclass(frozen=True, eq=False)
class _Version:
    """One published version: manifest, commune codes and lazily opened files."""

    path: Path
    manifest: Manifest
    communes: np.ndarray  # sorted commune codes (numpy unicode, for searchsorted)
    opened: dict[str, _Indicator]

    def indicator(self, code: str) -> _Indicator:
        """Open (once per process) and index one indicator file."""
        found = self.opened.get(code)
        if found is None:
            meta = layout.require_indicator(self.manifest, code)
            found = _open_indicator(self.path / meta.file, meta, len(self.communes))
            self.opened[code] = found
        return found


def _open_indicator(path: Path, meta: IndicatorMetadata, n_communes: int) -> _Indicator:
    """Memory-map a file and compute where each (period, commune) run of rows starts."""
    # The writer stores a single record batch, so every column is one zero-copy chunk.
    table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    period = table.column("period").chunk(0).to_numpy()
    commune = table.column("commune").chunk(0).to_numpy()
    position = np.searchsorted(np.asarray(meta.periods), period)
    key = position.astype(np.int64) * n_communes + commune
    offsets = np.searchsorted(key, np.arange(len(meta.periods) * n_communes + 1))
    return _Indicator(meta, table, offsets)


class CellStore:
    """Read-only access to the leaf cells (indicator x period x commune x categories).

    Every call follows the `current` pointer, so a publication made by another
    process becomes visible at the next call, all at once.
    """

    def __init__(self, root: Path | str, pinned: Path | None = None) -> None:
        self.root = Path(root)
        self.pinned = pinned  # a version directory read instead of `current` (checks)
        self._versions: dict[Path, _Version] = {}
        self._lock = threading.Lock()

    @classmethod
    def of_version(cls, version_dir: Path) -> CellStore:
        """Return a store reading one version, published or not yet (checked before swap)."""
        return cls(version_dir.parent.parent, pinned=version_dir)

    def version(self) -> str:
        """Return the identifier of the current version."""
        return self._current().manifest.version

    def indicators(self) -> tuple[str, ...]:
        """Return the codes of the stored indicators, sorted."""
        return tuple(sorted(self._current().manifest.indicators))

    def periods(self, indicator: str) -> tuple[int, ...]:
        """Return the stored periods of an indicator."""
        return self.metadata(indicator).periods

    def metadata(self, indicator: str) -> IndicatorMetadata:
        """Return an indicator's metadata (breakdowns, synthetic flag, provenance)."""
        return layout.require_indicator(self._current().manifest, indicator)

    def communes(self) -> tuple[str, ...]:
        """Return the commune codes the store is keyed by."""
        return tuple(str(c) for c in self._current().communes)

    def leaf_cells(
        self, indicator: str, periods: Iterable[int], communes: Iterable[str]
    ) -> pd.DataFrame:
        """Return the stored leaves: period, commune, <breakdowns>, value, freq, top1, top2.

        A (period, commune, categories) combination without a row is a zero cell.
        """
        version = self._current()
        data = version.indicator(indicator)
        commune_idx = self._commune_indexes(version, communes)
        rows, _ = self._rows(data, self._period_positions(data, periods), commune_idx)
        frame = {
            "period": data.column("period")[rows],
            "commune": version.communes[data.column("commune")[rows]].astype(object),
        }
        for code, categories in data.meta.breakdowns.items():
            frame[code] = np.asarray(categories, dtype=object)[data.column(code)[rows]]
        for name in layout.MEASURE_COLUMNS:
            frame[name] = data.column(name)[rows]
        return pd.DataFrame(frame)

    def aggregate(
        self,
        indicator: str,
        periods: Iterable[int],
        groups: Mapping[str, Sequence[str]],
        by_breakdown: bool = True,
    ) -> pd.DataFrame:
        """Sum leaves per group x period (x categories): value and freq add up, top1/top2 merge.

        Returns one row per combination, zero cells included, with columns group,
        period, <breakdowns when by_breakdown>, value, freq, top1, top2. Groups may overlap.
        """
        version = self._current()
        data = version.indicator(indicator)
        positions = self._period_positions(data, periods)
        # Every group's communes looked up at once: one lookup per group cost two numpy calls
        # each, and a linked table's groups are mostly single atoms (a département: 650).
        sizes_of = [len(communes) for communes in groups.values()]
        flat = self._commune_indexes(version, (c for g in groups.values() for c in g))
        group_of = np.repeat(np.arange(len(sizes_of)), sizes_of)
        rows, owner = self._rows(data, positions, flat)
        # Ranges are laid out period-major: range r is (period r // M, pair r % M).
        n_pairs, n_periods = len(flat), len(positions)
        cell = (group_of[owner % n_pairs] * n_periods + owner // n_pairs) if n_pairs else owner
        sizes = [len(c) for c in data.meta.breakdowns.values()] if by_breakdown else []
        combo = self._combo(data, rows, by_breakdown)
        n_combos = int(np.prod(sizes)) if sizes else 1
        keys = cell * n_combos + combo
        size = len(sizes_of) * n_periods * n_combos
        measures = self._measures(data, rows, keys, size, by_breakdown=by_breakdown, owner=owner)
        return _frame(groups, [data.meta.periods[p] for p in positions], data.meta, sizes, measures)

    @staticmethod
    def _measures(
        data: _Indicator,
        rows: np.ndarray,
        keys: np.ndarray,
        size: int,
        *,
        by_breakdown: bool,
        owner: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Compute value, freq, top1, top2 per dense key."""
        value = grouped_sum(keys, data.column("value")[rows], size)
        freq_rows = data.column("freq")[rows].astype(np.float64)
        if by_breakdown or data.meta.categories_exclusive or not data.meta.breakdowns:
            freq = grouped_sum(keys, freq_rows, size)
        else:
            # A unit may sit in several categories: count each commune's largest category,
            # a lower bound of its distinct units (the conservative side for secrecy).
            n_ranges = int(owner.max(initial=-1)) + 1
            per_range = grouped_max(owner, freq_rows, n_ranges)
            range_key = np.zeros(n_ranges, dtype=np.int64)
            range_key[owner] = keys
            freq = grouped_sum(range_key, per_range, size)
        top1, top2 = grouped_top2(keys, data.column("top1")[rows], data.column("top2")[rows], size)
        return {"value": value, "freq": freq.round().astype(np.int64), "top1": top1, "top2": top2}

    @staticmethod
    def _combo(data: _Indicator, rows: np.ndarray, by_breakdown: bool) -> np.ndarray:
        """Return each row's category combination as one mixed-radix integer."""
        combo = np.zeros(len(rows), dtype=np.int64)
        if not by_breakdown:
            return combo
        for code, categories in data.meta.breakdowns.items():
            combo = combo * len(categories) + data.column(code)[rows]
        return combo

    @staticmethod
    def _rows(
        data: _Indicator, positions: Sequence[int], communes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the row numbers of the (period, commune) runs, and each row's run number."""
        n = (len(data.offsets) - 1) // max(len(data.meta.periods), 1)
        slots = (np.asarray(positions, dtype=np.int64)[:, None] * n + communes[None, :]).ravel()
        return expand_ranges(data.offsets[slots], data.offsets[slots + 1])

    @staticmethod
    def _period_positions(data: _Indicator, periods: Iterable[int]) -> list[int]:
        """Map requested periods to their positions, refusing periods not stored."""
        stored = data.meta.periods
        positions = []
        for period in periods:
            if period not in stored:
                raise NotFound(f"Indicateur {data.meta.code} : période {period} non disponible")
            positions.append(stored.index(period))
        return positions

    @staticmethod
    def _commune_indexes(version: _Version, communes: Iterable[str]) -> np.ndarray:
        """Map commune codes to store indexes, refusing unknown codes."""
        codes = np.asarray(list(communes), dtype=str)
        idx = np.searchsorted(version.communes, codes)
        idx = np.minimum(idx, len(version.communes) - 1)
        unknown = codes[version.communes[idx] != codes]
        if len(unknown):
            raise InvalidInput(f"Code commune inconnu : « {unknown[0]} »")
        return idx.astype(np.int64)

    def _current(self) -> _Version:
        """Return the version the pointer designates, opening it once per process."""
        path = self.pinned or layout.current_version_dir(self.root)
        if path is None:
            raise NotFound("L'entrepôt de cellules est vide : aucune donnée chargée")
        with self._lock:
            version = self._versions.get(path)
            if version is None:
                communes = np.asarray(layout.read_communes(path))
                version = _Version(path, layout.read_manifest(path), communes, {})
                # Older versions stay mapped only while a caller still holds them.
                self._versions = {path: version}
        return version


def _frame(
    groups: Mapping[str, Sequence[str]],
    periods: Sequence[int],
    meta: IndicatorMetadata,
    sizes: Sequence[int],
    measures: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """Lay the dense measures out as a frame: group, period, categories, measures."""
    axes: list[Sequence[object]] = [list(groups), list(periods)]
    names = ["group", "period"]
    if sizes:
        axes += [list(c) for c in meta.breakdowns.values()]
        names += list(meta.breakdowns)
    index = pd.MultiIndex.from_product(axes, names=names)
    frame = pd.DataFrame(dict(measures), index=index).reset_index()
    frame["period"] = frame["period"].astype(np.int64)
    return frame
