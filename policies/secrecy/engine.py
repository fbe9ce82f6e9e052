"""protect() and audit(): the two calls the gateway and the command line make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from policies.errors import InvalidInput
from policies.secrecy.audit import AuditReport, audit_pattern
from policies.secrecy.dimensions import CodeIndex, Dimension, compile_dimension
from policies.secrecy.exact import TIME_LIMIT, Mode, suppress_mode
from policies.secrecy.progress import Stage, advance
from policies.secrecy.rules import (
    BoolArray,
    CellStats,
    CostMode,
    FloatArray,
    FreqRule,
    IntArray,
    Options,
    Percent,
    Rule,
    needs_top,
    parse_rule,
    primary_reasons,
    protection_percent,
)
from policies.secrecy.singletons import Singletons
from policies.secrecy.status import REASON_CODE, REASONS, STATUS_CODE, STATUSES, Apriori, Reason
from policies.secrecy.status import Status as St
from policies.secrecy.table import Table, build_from_microdata, build_table, relation_matrix

Coordinate = tuple[str, ...]


@dataclass(frozen=True)
class ProtectResult:
    """Every cell of the protected table with its status, reason and audit interval."""

    cells: pd.DataFrame
    report: AuditReport
    table: Table

    @property
    def ok(self) -> bool:
        """Tell whether the audit protects every primary cell (refuse the release otherwise)."""
        return self.report.ok

    def published(self) -> pd.DataFrame:
        """Return the releasable view: values and counts blanked on suppressed cells."""
        view = self.cells.drop(columns=["lower", "upper"])
        hidden = view["status"].isin([St.PRIMARY.value, St.SECONDARY.value])
        view["value"] = view["value"].mask(hidden)
        view["freq"] = view["freq"].astype("Int64").mask(hidden)
        return view


def protect(
    dimensions: Sequence[Dimension],
    cells: pd.DataFrame | None = None,
    *,
    microdata: pd.DataFrame | None = None,
    holding: str | None = None,
    rules: Sequence[Rule | str] = (),
    options: Options | None = None,
    apriori: Mapping[Coordinate, Apriori | str] | None = None,
    source: str = "cellules",
    mode: Mode | str = Mode.AUTO,
    time_limit: float = TIME_LIMIT,
) -> ProtectResult:
    """Build the full table, apply primary rules and a-priori statuses, suppress, audit.

    `mode` (see exact.py): "auto" finds a minimum-cost pattern on small components and uses
    the heuristic elsewhere; "exact" everywhere (within `time_limit` seconds); "heuristic".
    """
    options = options or Options()
    parsed = tuple(parse_rule(r) if isinstance(r, str) else r for r in rules)
    table = _build(dimensions, cells, microdata, holding, needs_top(parsed), source)
    reason = primary_reasons(table.stats, parsed, options)
    status = _initial_status(table, reason)
    hidden = _apply_apriori(table, status, reason, apriori or {})
    advance(Stage.PRIMARY, 1.0)
    primary = status == STATUS_CODE[St.PRIMARY]
    candidate = status == STATUS_CODE[St.SAFE]
    pattern = suppress_mode(
        table.relations,
        table.stats.value,
        primary,
        candidate,
        _rank(table, options.cost),
        protection_percent(table.stats, parsed, options),
        singletons(table.stats, parsed, options),
        forced=hidden,
        mode=_mode(mode),
        time_limit=time_limit,
    )
    advance(Stage.AUDIT, 1.0)
    added = pattern.suppressed & ~primary & ~hidden
    status[added] = STATUS_CODE[St.SECONDARY]
    reason[added] = np.where(
        pattern.repaired[added], REASON_CODE[Reason.AUDIT], REASON_CODE[Reason.RELATION]
    )
    return ProtectResult(_frame(table, status, reason, pattern.report), pattern.report, table)


def singletons(stats: CellStats, rules: Sequence[Rule], options: Options) -> Singletons | None:
    """Return what the singleton options protect in this table (None: nothing)."""
    guarded = options.singleton and (options.single_single or options.single_multiple)
    threshold = 0
    if options.min_frequency:
        threshold = max((r.min_units for r in rules if isinstance(r, FreqRule)), default=0)
    if not guarded and threshold == 0:
        return None
    owner = stats.owner if guarded else np.full_like(stats.owner, -1)
    return Singletons(owner, stats.freq, options.single_single, options.single_multiple, threshold)


def _mode(mode: Mode | str) -> Mode:
    """Read a suppression mode, refusing unknown names in French."""
    try:
        return Mode(mode)
    except ValueError:
        raise InvalidInput(
            f"Mode de suppression inconnu « {mode} » (auto, exact, heuristic)."
        ) from None


def _build(
    dimensions: Sequence[Dimension],
    cells: pd.DataFrame | None,
    microdata: pd.DataFrame | None,
    holding: str | None,
    tops: int,
    source: str,
) -> Table:
    """Build the table from exactly one of leaf cells or microdata."""
    if (cells is None) == (microdata is None):
        raise InvalidInput("Donner soit les cellules, soit les microdonnées (pas les deux).")
    if microdata is not None:
        if holding is None:
            raise InvalidInput("Les microdonnées exigent une colonne d'unité (holding).")
        return build_from_microdata(dimensions, microdata, holding, source, tops)
    assert cells is not None
    missing = [c for c in (f"top{i}" for i in range(1, tops + 1)) if c not in cells]
    if missing:
        raise InvalidInput(f"Les règles NK/P exigent la colonne {missing[0]}.")
    return build_table(dimensions, cells, source, tops)


def _initial_status(table: Table, reason: IntArray) -> IntArray:
    """Mark unsafe cells primary, empty cells empty and the rest safe."""
    status = np.full(table.size, STATUS_CODE[St.SAFE], dtype=np.int64)
    status[table.stats.freq == 0] = STATUS_CODE[St.EMPTY]
    status[reason != REASON_CODE[Reason.NONE]] = STATUS_CODE[St.PRIMARY]
    none = reason == REASON_CODE[Reason.NONE]
    reason[none & (status == STATUS_CODE[St.EMPTY])] = REASON_CODE[Reason.EMPTY]
    return status


def _apply_apriori(
    table: Table, status: IntArray, reason: IntArray, apriori: Mapping[Coordinate, Apriori | str]
) -> BoolArray:
    """Fix earlier releases (published, withheld) and hide unreleased cells; return the hidden.

    A hidden cell that the rules make primary stays primary: it must be protected like any
    other unsafe cell; the others are withheld without a protection requirement of their own.
    Read entry by entry (errors name the first bad one), applied to all cells at once: a
    linked table fixes every one of its cells (a département's: 3,240), one by one 10 ms.
    """
    hidden = np.zeros(table.size, dtype=bool)
    positions, kinds = [], []
    for coordinate, wanted in sorted(apriori.items()):
        positions.append(_position(table, coordinate))
        try:
            kinds.append(Apriori(wanted))
        except ValueError:
            raise InvalidInput(f"Statut a priori inconnu « {wanted} » pour {coordinate}.") from None
    if not positions:
        return hidden
    cells = np.ravel_multi_index(tuple(np.array(positions).T), table.shape)
    kind = np.array([APRIORI_CODE[k] for k in kinds])
    primary = status[cells] == STATUS_CODE[St.PRIMARY]  # each cell is fixed once: read before
    hide = cells[(kind == APRIORI_CODE[Apriori.HIDDEN]) & ~primary]
    hidden[hide] = True
    status[hide], reason[hide] = STATUS_CODE[St.SECONDARY], REASON_CODE[Reason.HIDDEN]
    shown = cells[kind == APRIORI_CODE[Apriori.PUBLISHED]]
    status[shown] = STATUS_CODE[St.APRIORI_PUBLISHED]
    reason[shown] = REASON_CODE[Reason.APRIORI_PUBLISHED]
    withheld = cells[(kind == APRIORI_CODE[Apriori.SUPPRESSED]) & ~primary]
    status[withheld] = STATUS_CODE[St.PRIMARY]
    reason[withheld] = REASON_CODE[Reason.APRIORI_SUPPRESSED]
    return hidden


APRIORI_CODE = {kind: code for code, kind in enumerate(Apriori)}


def _position(table: Table, coordinate: Coordinate) -> tuple[int, ...]:
    """Return a coordinate's index along each dimension (Table.cell_id's errors otherwise)."""
    try:
        return tuple(d.position[code] for d, code in zip(table.dims, coordinate, strict=True))
    except (KeyError, ValueError):
        table.cell_id(coordinate)  # raises the error that names what is wrong
        raise


def _rank(table: Table, mode: CostMode) -> FloatArray:
    """Return the cost of suppressing each cell, ties broken towards smaller values."""
    value = np.abs(table.stats.value)
    base = {
        CostMode.VALUE: value,
        CostMode.FREQ: table.stats.freq.astype(np.float64),
        CostMode.UNITY: np.ones_like(value),
    }[mode]
    result: FloatArray = base + 1e-6 * value / (1.0 + value.max(initial=0.0))
    return result


def _frame(table: Table, status: IntArray, reason: IntArray, report: AuditReport) -> pd.DataFrame:
    """Lay out every cell with its statistics, status, reason and interval."""
    frame = table.keys()
    frame["value"] = table.stats.value
    frame["freq"] = table.stats.freq
    # Enum values (S, U, M, Z, A and reason codes): Status(x) and Reason(x) convert back.
    frame["status"] = np.asarray([s.value for s in STATUSES], dtype=object)[status]
    frame["reason"] = np.asarray([r.value for r in REASONS], dtype=object)[reason]
    frame["lower"], frame["upper"] = report.lower, report.upper
    return frame


def audit(
    dimensions: Sequence[Dimension],
    cells: pd.DataFrame,
    *,
    interval_percent: Percent,
    singleton: bool = True,
    options: Options | None = None,
    rules: Sequence[Rule | str] = (),
) -> AuditReport:
    """Audit any pattern given as every cell of the table: codes, value, status, optional freq.

    ``interval_percent``: one protection interval (%) for every primary cell, or one per row
    of ``cells`` (FREQ(n,r) cells need r%). Suppressed cells may have an empty value: their
    intervals are then only checked for exact disclosure, since the protection required
    around an unknown value cannot be measured. With a ``freq`` column, the singleton
    options of ``options`` (``singleton=False`` turns them all off) are checked too,
    ``min_frequency`` against the FREQ rule among ``rules``.
    """
    given = options or Options()
    options = replace(given, singleton=singleton and given.singleton)
    index = tuple(compile_dimension(d) for d in dimensions)
    shape = tuple(len(d.codes) for d in index)
    order = np.argsort(_cell_ids(index, cells))
    frame = cells.iloc[order].reset_index(drop=True)
    status = frame["status"].astype(str)
    suppressed = status.isin([St.PRIMARY.value, St.SECONDARY.value]).to_numpy()
    primary = (status == St.PRIMARY.value).to_numpy()
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(np.float64)
    if np.isnan(values[~suppressed]).any():
        raise InvalidInput("Audit : une cellule publiée n'a pas de valeur.")
    guard = None
    if "freq" in frame:
        freq = pd.to_numeric(frame["freq"], errors="coerce").to_numpy(np.float64)
        leaf = np.ones(shape, dtype=bool)
        for axis, dim in enumerate(index):
            mask = np.zeros(len(dim.codes), dtype=bool)
            mask[dim.leaf_codes] = True
            leaf &= np.expand_dims(mask, [k for k in range(len(shape)) if k != axis])
        if not np.isnan(freq[leaf.ravel()]).any():
            stats = build_table(dimensions, _leaf_frame(index, frame, leaf.ravel())).stats
            parsed = tuple(parse_rule(r) if isinstance(r, str) else r for r in rules)
            guard = singletons(stats, parsed, options)
    relations = relation_matrix(index)
    percent = interval_percent
    if not isinstance(percent, float | int):
        percent = np.asarray(percent, dtype=np.float64)[order]
    return audit_pattern(relations, values, suppressed, primary, percent, guard)


def cell_ids(dimensions: Sequence[Dimension], cells: pd.DataFrame) -> IntArray:
    """Return the cell id (index into audit arrays) of every row of a full table."""
    return _cell_ids(tuple(compile_dimension(d) for d in dimensions), cells)


def _cell_ids(index: tuple[CodeIndex, ...], cells: pd.DataFrame) -> IntArray:
    """Return the id of every row, refusing unknown codes and incomplete tables."""
    shape = tuple(len(d.codes) for d in index)
    coords = []
    for dim in index:
        if dim.name not in cells:
            raise InvalidInput(f"Audit : colonne « {dim.name} » absente.")
        found = pd.Index(dim.codes).get_indexer(cells[dim.name].astype(str))
        if (found < 0).any():
            row = int(np.argmax(found < 0))
            raise InvalidInput(f"Audit, ligne {row + 2} : code inconnu ({dim.name}).")
        coords.append(found)
    ids = np.ravel_multi_index(tuple(coords), shape)
    if len(ids) != int(np.prod(shape)) or len(np.unique(ids)) != len(ids):
        raise InvalidInput("Audit : le tableau doit lister chaque cellule exactement une fois.")
    return np.asarray(ids, dtype=np.int64)


def _leaf_frame(index: tuple[CodeIndex, ...], frame: pd.DataFrame, leaf: BoolArray) -> pd.DataFrame:
    """Return the leaf rows of a full table, as build_table reads them."""
    leaves = frame.loc[leaf, [d.name for d in index]].astype(str)
    leaves["value"] = 0.0
    leaves["freq"] = pd.to_numeric(frame.loc[leaf, "freq"]).to_numpy()
    return leaves.reset_index(drop=True)
