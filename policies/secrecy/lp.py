"""One HiGHS model over the suppressed cells of a component, re-solved per objective."""

from __future__ import annotations

import threading

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

    def __init__(
        self,
        relations: sparse.csr_array,
        values: FloatArray,
        cells: IntArray,
        by_cell: sparse.csc_array | None = None,
    ) -> None:
        """Build the model; `by_cell` (relations as CSC) makes it fast when given."""
        self.cells = cells
        self.values = values[cells]
        self.relations, self.all_values = relations, values
        # Slicing columns of a CSC matrix is cheap; of the CSR one, a pass over all of it.
        columns = sparse.csc_array(relations[:, cells] if by_cell is None else by_cell[:, cells])
        columns.sort_indices()
        rows = np.unique(columns.indices)
        # Position of each relation among the model's rows (-1: not in the model).
        self.row_at = np.full(relations.shape[0], -1, dtype=np.int64)
        self.row_at[rows] = np.arange(len(rows))
        self.rows = rows
        rhs = self._rhs(rows, cells)
        matrix = sparse.csc_array(
            (columns.data, self.row_at[columns.indices], columns.indptr),
            shape=(len(rows), len(cells)),
        )
        self._attack_block: tuple[IntArray, sparse.csr_array] | None = None
        # The last optimal solution, converted to arrays only when read (last_dual,
        # last_point): most bounds need neither, and on 60,000 cells each costs 1-2 ms.
        self._solution: highspy.HighsSolution | None = None
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

    def _rhs(self, rows: IntArray, cells: IntArray) -> FloatArray:
        """Return the right-hand sides of some relations: minus their published cells' sum."""
        block = sparse.csr_array(self.relations[rows])
        inside = np.zeros(block.shape[1], dtype=bool)
        inside[cells] = True
        rhs: FloatArray = -(block @ np.where(inside, 0.0, self.all_values))
        return rhs

    def grown(self, cells: IntArray, by_cell: sparse.csc_array | None = None) -> ComponentLP:
        """Return a model of more withheld cells (a grown pattern) that starts from this basis.

        Columns stay in cell order, as a new model's: the programs are those a new model would
        solve, only the cold start is saved. Their optimal duals (the attacks) may differ: the
        programs are degenerate and the path from another basis ends on another optimum.
        """
        model = ComponentLP(self.relations, self.all_values, cells, by_cell)
        old = self.highs.getBasis()
        if not old.valid:
            return model
        col_at = np.searchsorted(cells, self.cells)
        basis = highspy.HighsBasis()
        col_status = [highspy.HighsBasisStatus.kLower] * len(cells)
        for k, status in zip(col_at.tolist(), old.col_status, strict=True):
            col_status[k] = status
        row_status = [highspy.HighsBasisStatus.kBasic] * len(model.rows)
        for k, status in zip(model.row_at[self.rows].tolist(), old.row_status, strict=True):
            row_status[k] = status
        basis.col_status, basis.row_status, basis.valid = col_status, row_status, True
        if model.highs.setBasis(basis) == highspy.HighsStatus.kOk:
            model.programs = 1
            model.highs.setOptionValue("simplex_strategy", _WARM)
        return model

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
        self._solution = None
        if status == _OPTIMAL:
            self._solution = solution
            return float(sign * objective)
        if status == _UNBOUNDED:
            return -sign * np.inf
        return np.nan

    @property
    def last_dual(self) -> FloatArray | None:
        """Return the row duals of the last bound (None when it was not optimal)."""
        return None if self._solution is None else np.asarray(self._solution.row_dual)

    @property
    def last_point(self) -> FloatArray | None:
        """Return the optimal point of the last bound (None when it was not optimal)."""
        return None if self._solution is None else np.asarray(self._solution.col_value)

    def interval(self, column: int) -> tuple[float, float]:
        """Return the feasible [lower, upper] of one cell (NaN on a side HiGHS cannot solve)."""
        return self.extreme(column, 1.0), self.extreme(column, -1.0)

    def push(self, todo: IntArray, sign: float) -> FloatArray | None:
        """Move many cells at once towards one side; return the feasible point reached."""
        # Every cost is 0 between programs: only the pushed cells' costs change (and back).
        todo = np.asarray(todo, dtype=np.int32)
        self.highs.changeColsCost(len(todo), todo, np.full(len(todo), sign))
        status = self._run()
        point = np.asarray(self.highs.getSolution().col_value)
        self.highs.changeColsCost(len(todo), todo, np.zeros(len(todo)))
        return point if status == _OPTIMAL else None

    def attack(self) -> IntArray | None:
        """Return the cells of the dual combination of relations behind the last bound."""
        dual = self.last_dual
        if dual is None:
            return None
        weights = self.block_t @ dual
        support: IntArray = self.touched[np.abs(weights) > 1e-9].astype(np.int64)
        return support

    @property
    def touched(self) -> IntArray:
        """Return every cell (withheld or published) of the model's relations."""
        return self._attack_matrix()[0]

    @property
    def block_t(self) -> sparse.csr_array:
        """Return the model's relations over the touched cells, transposed (cells x rows)."""
        return self._attack_matrix()[1]

    def _attack_matrix(self) -> tuple[IntArray, sparse.csr_array]:
        """Build (once per set of cells) what attack() maps duals onto cells with."""
        if self._attack_block is None:
            block = sparse.csr_array(self.relations[self.rows])
            # Columns of the block in use (a count per column: np.unique sorts 10^6 ids).
            touched = np.flatnonzero(np.bincount(block.indices, minlength=block.shape[1]))
            self._attack_block = touched, sparse.csr_array(block[:, touched].T)
        return self._attack_block

    def publish(self, column: int) -> None:
        """Fix one cell at its true value, as if it were published."""
        value = float(self.values[column])
        self.highs.changeColBounds(column, value, value)

    def withhold(self, column: int) -> None:
        """Free one cell again (undo publish)."""
        self.highs.changeColBounds(column, float(self.lower_bound[column]), _INF)


class ModelCache:
    """Models for the audits of one pattern as it grows (the rounds of repairs).

    The relations by cell are built once for every model. With `warm`, the model of a big
    component is kept: the next round's component holds it plus the cells added, and its
    model starts from the kept basis instead of solving cold.

    The audit asks for two components' models at once (two threads). A pattern only grows,
    so each kept model lies in exactly one component of the next round: which models a
    component takes does not depend on the threads' order; the lock only guards the list.
    """

    def __init__(self, warm: bool = False, minimum: int = 2000) -> None:
        self.warm, self.minimum = warm, minimum
        self.models: list[ComponentLP] = []
        self.by_cell: sparse.csc_array | None = None
        self._lock = threading.Lock()

    def columns(self, relations: sparse.csr_array) -> sparse.csc_array:
        """Return the relations by cell (CSC), built once for every model."""
        if self.by_cell is None:
            self.by_cell = sparse.csc_array(relations)
        return self.by_cell

    def model(
        self, relations: sparse.csr_array, values: FloatArray, cells: IntArray
    ) -> ComponentLP:
        """Return a model of one component (never one whose cells are not all in it)."""
        self.columns(relations)
        if not self.warm or len(cells) < self.minimum:
            return ComponentLP(relations, values, cells, self.by_cell)
        with self._lock:
            inside = [m for m in self.models if np.isin(m.cells, cells).all()]
            self.models = [m for m in self.models if not any(m is k for k in inside)]
        if not inside:
            model = ComponentLP(relations, values, cells, self.by_cell)
        else:
            # The biggest kept model; between equal ones, the one with the smallest cell.
            start = max(inside, key=lambda m: (len(m.cells), -int(m.cells[0])))
            model = start.grown(cells, self.by_cell)
        with self._lock:
            self.models.append(model)
        return model
