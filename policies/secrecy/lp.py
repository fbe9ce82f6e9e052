"""One HiGHS model over the suppressed cells of a component, re-solved per objective."""

from __future__ import annotations

import highspy
import numpy as np
from scipy import sparse

from policies.secrecy.rules import FloatArray, IntArray

_INF = highspy.kHighsInf
_SETTINGS = (("output_flag", False), ("threads", 1), ("presolve", "off"))
# The first solve of a model starts cold: dual simplex is faster there (3x on 60,000 cells).
# Afterwards only the objective changes, the basis stays primal feasible, and primal simplex
# re-solves from it about 3x faster than dual simplex.
_COLD, _WARM = 1, 4
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_UNBOUNDED = highspy.HighsModelStatus.kUnbounded


class ComponentLP:
    """Suppressed cells of one component as LP variables; published cells are constants.

    The true values are always feasible. A solve that ends neither optimal nor unbounded
    (HiGHS "Unknown", iteration limit...) is retried from scratch with the other simplex;
    if it still fails, callers get no bound (NaN, no point): the cell stays uncertified,
    so the engine suppresses more or refuses, never trusts an unproven interval.
    """

    def __init__(self, relations: sparse.csr_array, values: FloatArray, cells: IntArray) -> None:
        self.cells = cells
        self.values = values[cells]
        rows = np.unique(sparse.csc_array(relations[:, cells]).indices)
        block = sparse.csr_array(relations[rows])
        inside = np.zeros(block.shape[1], dtype=bool)
        inside[cells] = True
        rhs = -(block @ np.where(inside, 0.0, values))
        matrix = sparse.csc_array(block[:, cells])
        self.touched = np.unique(block.indices)
        self.block_t = sparse.csr_array(block[:, self.touched].T)
        self.last_dual: FloatArray | None = None
        self.last_point: FloatArray | None = None
        self.lower_bound = np.where(self.values < 0, -_INF, 0.0)
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        for name, setting in _SETTINGS:
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
        self.highs.setOptionValue("simplex_strategy", _COLD)
        self.programs = 0

    def _run(self) -> highspy.HighsModelStatus:
        """Solve the current program; later solves start from this one's basis."""
        self.highs.run()
        if self.programs == 0:
            self.highs.setOptionValue("simplex_strategy", _WARM)
        self.programs += 1
        status = self.highs.getModelStatus()
        if status in (_OPTIMAL, _UNBOUNDED):
            return status
        # A stalled warm start (or a cold one) may succeed from scratch with the other method.
        self.highs.clearSolver()
        self.highs.setOptionValue("simplex_strategy", _COLD if self.programs > 1 else _WARM)
        self.highs.run()
        self.highs.setOptionValue("simplex_strategy", _WARM)
        self.programs += 1
        return self.highs.getModelStatus()

    def extreme(self, column: int, sign: float) -> float:
        """Return min (sign 1) or max (sign -1) of one cell; NaN when HiGHS cannot tell."""
        self.highs.changeColCost(column, sign)
        status = self._run()
        # Changing the model resets its status: read the result first.
        objective = self.highs.getInfo().objective_function_value
        solution = self.highs.getSolution()
        self.highs.changeColCost(column, 0.0)
        self.last_dual = self.last_point = None
        if status == _OPTIMAL:
            self.last_dual = np.asarray(solution.row_dual)
            self.last_point = np.asarray(solution.col_value)
            return float(sign * objective)
        if status == _UNBOUNDED:
            return -sign * np.inf
        return np.nan

    def interval(self, column: int) -> tuple[float, float]:
        """Return the feasible [lower, upper] of one cell (NaN on a side HiGHS cannot solve)."""
        return self.extreme(column, 1.0), self.extreme(column, -1.0)

    def push(self, todo: IntArray, sign: float) -> FloatArray | None:
        """Move many cells at once towards one side; return the feasible point reached."""
        cost = np.zeros(len(self.cells))
        cost[todo] = sign
        every = np.arange(len(self.cells))
        self.highs.changeColsCost(len(self.cells), every, cost)
        status = self._run()
        point = np.asarray(self.highs.getSolution().col_value)
        self.highs.changeColsCost(len(self.cells), every, np.zeros(len(cost)))
        return point if status == _OPTIMAL else None

    def attack(self) -> IntArray | None:
        """Return the cells of the dual combination of relations behind the last bound."""
        if self.last_dual is None:
            return None
        weights = self.block_t @ self.last_dual
        support: IntArray = self.touched[np.abs(weights) > 1e-9].astype(np.int64)
        return support

    def publish(self, column: int) -> None:
        """Fix one cell at its true value, as if it were published."""
        value = float(self.values[column])
        self.highs.changeColBounds(column, value, value)

    def withhold(self, column: int) -> None:
        """Free one cell again (undo publish)."""
        self.highs.changeColBounds(column, float(self.lower_bound[column]), _INF)
