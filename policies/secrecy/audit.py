"""Interval audit: the feasible range of every suppressed cell, by linear programming (HiGHS)."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from policies.secrecy.rules import BoolArray, FloatArray, IntArray

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class AuditReport:
    """Feasible intervals of suppressed cells and the primary cells left unprotected."""

    lower: FloatArray
    upper: FloatArray
    unprotected: IntArray
    components: int
    programs: int

    @property
    def ok(self) -> bool:
        """Tell whether every primary cell is protected."""
        return len(self.unprotected) == 0


def components(relations: sparse.csr_array, suppressed: BoolArray) -> list[IntArray]:
    """Group suppressed cells linked through relations; published cells are constants."""
    cells = np.flatnonzero(suppressed)
    sub = sparse.csr_array(relations[:, cells])
    used = np.flatnonzero(np.diff(sub.indptr))
    sub = sparse.csr_array(sub[used])
    n_rel, n_cells = sub.shape
    graph = sparse.block_array([[None, sub], [sub.T, None]], format="csr")
    graph.resize((n_rel + n_cells, n_rel + n_cells))
    _, labels = connected_components(graph, directed=False)
    cell_labels = labels[n_rel:]
    order = np.lexsort((cells, cell_labels))
    groups = np.split(cells[order], np.flatnonzero(np.diff(cell_labels[order])) + 1)
    # Order components by their smallest cell id, so the result never depends on labelling.
    return sorted((g for g in groups if len(g)), key=lambda g: int(g[0]))


def required(value: FloatArray, interval_percent: float) -> tuple[FloatArray, FloatArray]:
    """Return the bounds the feasible interval of each primary cell must reach."""
    margin = np.abs(value) * interval_percent / 100.0
    unknown = np.isnan(value)
    # An unknown value can only be checked for exact disclosure: any width passes.
    return np.where(unknown, np.inf, value - margin), np.where(unknown, -np.inf, value + margin)


class _Component:
    """One HiGHS model over the suppressed cells of a component, re-solved per objective."""

    def __init__(self, relations: sparse.csr_array, values: FloatArray, cells: IntArray) -> None:
        self.cells = cells
        rows = np.unique(sparse.csc_array(relations[:, cells]).indices)
        block = sparse.csr_array(relations[rows])
        inside = np.zeros(block.shape[1], dtype=bool)
        inside[cells] = True
        rhs = -(block @ np.where(inside, 0.0, values))
        matrix = sparse.csc_array(block[:, cells])
        self.neighbours = sparse.csr_array(matrix.T @ matrix)
        self.lower_bound = np.where(values[cells] < 0, -_INF, 0.0)
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        for name, setting in (("output_flag", False), ("threads", 1), ("presolve", "off")):
            self.highs.setOptionValue(name, setting)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(cells), len(rows)
        lp.col_cost_ = np.zeros(len(cells))
        lp.col_lower_, lp.col_upper_ = self.lower_bound, np.full(len(cells), _INF)
        lp.row_lower_ = lp.row_upper_ = rhs
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
        lp.a_matrix_.value_ = matrix.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cells), len(rows)
        self.highs.passModel(lp)
        self.programs = 0

    def extreme(self, column: int, sign: float) -> float:
        """Return min (sign 1) or max (sign -1) of one cell over the feasible set."""
        self.highs.changeColCost(column, sign)
        self.highs.run()
        self.programs += 1
        status = self.highs.getModelStatus()
        objective = self.highs.getInfo().objective_function_value
        # Changing the model resets its status: read the result first.
        self.highs.changeColCost(column, 0.0)
        if status == highspy.HighsModelStatus.kOptimal:
            return float(sign * objective)
        if status == highspy.HighsModelStatus.kUnbounded:
            return -sign * np.inf
        raise RuntimeError(f"audit LP failed: {self.highs.modelStatusToString(status)}")

    def interval(self, column: int) -> tuple[float, float]:
        """Return the feasible [lower, upper] of one cell."""
        return self.extreme(column, 1.0), self.extreme(column, -1.0)

    def fix(self, column: int, value: float | None) -> None:
        """Fix a cell to a known value (an attacker's own contribution), or release it."""
        if value is None:
            self.highs.changeColBounds(column, self.lower_bound[column], _INF)
        else:
            self.highs.changeColBounds(column, value, value)


def audit_pattern(
    relations: sparse.csr_array,
    values: FloatArray,
    suppressed: BoolArray,
    primary: BoolArray,
    interval_percent: float,
    owner: IntArray | None = None,
) -> AuditReport:
    """Compute every suppressed cell's interval and check each primary cell's protection.

    owner gives the sole unit of singleton cells (-1 elsewhere): that unit knows those values.
    """
    lower = np.full(values.shape, np.nan)
    upper = np.full(values.shape, np.nan)
    need_low, need_high = required(values, interval_percent)
    owner = (
        np.full(values.shape, -1, np.int64) if owner is None else np.where(suppressed, owner, -1)
    )
    owner[np.isnan(values)] = -1
    values = np.nan_to_num(values)
    failing: list[int] = []
    groups, programs = components(relations, suppressed), 0
    for cells in groups:
        model = _Component(relations, values, cells)
        for column, cell in enumerate(cells):
            lower[cell], upper[cell] = model.interval(column)
        failing += _singleton_attacks(model, values, primary, owner, need_low, need_high)
        programs += model.programs
    bad = primary & suppressed & ~_reaches(lower, upper, need_low, need_high, values)
    failing += [int(c) for c in np.flatnonzero(bad | (primary & ~suppressed))]
    return AuditReport(lower, upper, np.unique(np.array(failing, np.int64)), len(groups), programs)


def _reaches(
    lower: FloatArray, upper: FloatArray, need_low: FloatArray, need_high: FloatArray, v: FloatArray
) -> BoolArray:
    """Tell which intervals reach the required bounds and are not a single value."""
    tol = 1e-7 * np.maximum(1.0, np.abs(v))
    wide = upper - lower > tol
    result: BoolArray = (lower <= need_low + tol) & (upper >= need_high - tol) & wide
    return result


def _singleton_attacks(
    model: _Component,
    values: FloatArray,
    primary: BoolArray,
    owner: IntArray,
    need_low: FloatArray,
    need_high: FloatArray,
) -> list[int]:
    """Re-audit primary neighbours of each singleton unit, with that unit's own cells known."""
    failing: list[int] = []
    owners = owner[model.cells]
    for unit in np.unique(owners[owners >= 0]):
        own = np.flatnonzero(owners == unit)
        for column in own:
            model.fix(int(column), float(values[model.cells[column]]))
        near = np.unique(sparse.csr_array(model.neighbours[own]).indices)
        for other in near[(owners[near] != unit) & primary[model.cells[near]]]:
            cell = int(model.cells[other])
            low, high = model.interval(int(other))
            one = np.array([low]), np.array([high])
            if not _reaches(*one, need_low[[cell]], need_high[[cell]], values[[cell]])[0]:
                failing.append(cell)
        for column in own:
            model.fix(int(column), None)
    return failing


def as_ids(mask: npt.NDArray[np.bool_]) -> IntArray:
    """Return the ids of the cells set in a mask."""
    return np.flatnonzero(mask).astype(np.int64)
