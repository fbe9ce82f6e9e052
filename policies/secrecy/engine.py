"""protect() and audit(): the two calls the gateway and the command line make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from policies.errors import InvalidInput
from policies.secrecy.audit import AuditReport, audit_pattern
from policies.secrecy.dimensions import CodeIndex, Dimension, compile_dimension
from policies.secrecy.rules import (
    BoolArray,
    CostMode,
    FloatArray,
    IntArray,
    Options,
    Rule,
    needs_top,
    parse_rule,
    primary_reasons,
)
from policies.secrecy.secondary import suppress
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
) -> ProtectResult:
    """Build the full table, apply primary rules and a-priori statuses, suppress, audit."""
    options = options or Options()
    parsed = tuple(parse_rule(r) if isinstance(r, str) else r for r in rules)
    table = _build(dimensions, cells, microdata, holding, needs_top(parsed), source)
    reason = primary_reasons(table.stats, parsed, options)
    status = _initial_status(table, reason)
    hidden = _apply_apriori(table, status, reason, apriori or {})
    primary = status == STATUS_CODE[St.PRIMARY]
    candidate = status == STATUS_CODE[St.SAFE]
    owner = table.stats.owner if options.singleton else None
    pattern = suppress(
        table.relations,
        table.stats.value,
        primary,
        candidate,
        _rank(table, options.cost),
        options.interval_percent,
        owner,
        forced=hidden,
    )
    added = pattern.suppressed & ~primary & ~hidden
    status[added] = STATUS_CODE[St.SECONDARY]
    reason[added] = np.where(
        pattern.repaired[added], REASON_CODE[Reason.AUDIT], REASON_CODE[Reason.RELATION]
    )
    return ProtectResult(_frame(table, status, reason, pattern.report), pattern.report, table)


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
        return build_from_microdata(dimensions, microdata, holding, source)
    assert cells is not None
    missing = [c for c in ("top1", "top2")[:tops] if c not in cells]
    if missing:
        raise InvalidInput(f"Les règles NK/P exigent la colonne {missing[0]}.")
    return build_table(dimensions, cells, source)


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
    """
    hidden = np.zeros(table.size, dtype=bool)
    for coordinate, wanted in sorted(apriori.items()):
        cell = table.cell_id(coordinate)
        try:
            kind = Apriori(wanted)
        except ValueError:
            raise InvalidInput(f"Statut a priori inconnu « {wanted} » pour {coordinate}.") from None
        if kind is Apriori.HIDDEN:
            if status[cell] != STATUS_CODE[St.PRIMARY]:
                hidden[cell] = True
                status[cell], reason[cell] = STATUS_CODE[St.SECONDARY], REASON_CODE[Reason.HIDDEN]
        elif kind is Apriori.PUBLISHED:
            status[cell], reason[cell] = (
                STATUS_CODE[St.APRIORI_PUBLISHED],
                REASON_CODE[Reason.APRIORI_PUBLISHED],
            )
        elif status[cell] != STATUS_CODE[St.PRIMARY]:
            status[cell], reason[cell] = (
                STATUS_CODE[St.PRIMARY],
                REASON_CODE[Reason.APRIORI_SUPPRESSED],
            )
    return hidden


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
    interval_percent: float,
    singleton: bool = True,
) -> AuditReport:
    """Audit any pattern given as every cell of the table: codes, value, status, optional freq.

    Suppressed cells may have an empty value: their intervals are then only checked for exact
    disclosure, since the protection required around an unknown value cannot be measured.
    """
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
    owner = None
    if singleton and "freq" in frame:
        freq = pd.to_numeric(frame["freq"], errors="coerce").to_numpy(np.float64)
        leaf = np.ones(shape, dtype=bool)
        for axis, dim in enumerate(index):
            mask = np.zeros(len(dim.codes), dtype=bool)
            mask[dim.leaf_codes] = True
            leaf &= np.expand_dims(mask, [k for k in range(len(shape)) if k != axis])
        if not np.isnan(freq[leaf.ravel()]).any():
            owner = build_table(dimensions, _leaf_frame(index, frame, leaf.ravel())).stats.owner
    relations = relation_matrix(index)
    return audit_pattern(relations, values, suppressed, primary, interval_percent, owner)


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
