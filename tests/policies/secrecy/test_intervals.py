"""Exact intervals with fewer programs: the same bounds as two programs per cell."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from policies.secrecy import Dimension, Hierarchy, build_table
from policies.secrecy.audit import audit_pattern, components
from policies.secrecy.intervals import ceilings, exact_intervals
from policies.secrecy.lp import ComponentLP
from tests.policies.secrecy.test_traps import COLS, ROWS, _grid

PARENTS = {"A": "Total", "B": "Total", "a1": "A", "a2": "A", "a3": "A"}
PARENTS |= {"b1": "B", "b2": "B", "b3": "B", "b4": "B"}
GEO = Dimension(
    "geo",
    ["a1", "a2", "a3", "b1", "b2", "b3", "b4"],
    hierarchies=[Hierarchy.from_parents(PARENTS)],
)
AGE = Dimension("age", ["y", "m", "o"])


def _two_programs_each(model: ComponentLP) -> tuple[np.ndarray, np.ndarray]:
    """The plain way: minimum and maximum of every cell, one program each."""
    bounds = [model.interval(column) for column in range(len(model.cells))]
    return np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])


def _tables(seed: int) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """A random two-level table and a random withheld pattern (a third of the cells)."""
    rng = np.random.default_rng(seed)
    leaves = [(g, a) for g in GEO.leaves for a in AGE.leaves]
    values = rng.integers(0, 40, len(leaves)).astype(float)
    if seed % 2:  # a table of signed values: no floor, every minimum takes its program
        values -= 20
    frame = pd.DataFrame(leaves, columns=["geo", "age"]).assign(value=values, freq=5)
    table = build_table([GEO, AGE], frame)
    pattern = rng.random(table.size) < 0.35
    return table.relations, table.stats.value, pattern


@pytest.mark.parametrize("seed", range(8))
def test_the_same_bounds_as_two_programs_per_cell(seed: int) -> None:
    relations, values, pattern = _tables(seed)
    for cells in components(relations, pattern):
        fast = ComponentLP(relations, values, cells)
        lower, upper = exact_intervals(fast)
        expected_lower, expected_upper = _two_programs_each(ComponentLP(relations, values, cells))
        np.testing.assert_allclose(lower, expected_lower, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(upper, expected_upper, rtol=1e-9, atol=1e-9)
        assert fast.programs <= 2 * len(cells)


def test_counts_need_far_fewer_programs() -> None:
    """Regression: the exact audit solved two programs per withheld cell (a département's
    extract: 8,974 programs for 4,487 cells); counts fall to 0 and reach their relation's cap."""
    table = build_table([ROWS, COLS], _grid(np.arange(16).reshape(4, 4) + 10))
    pattern = np.zeros(table.size, dtype=bool)
    for cell in [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r3", "c3")]:
        pattern[table.cell_id(cell)] = True
    pattern[table.cell_id(("r3", "c4"))] = pattern[table.cell_id(("r4", "c3"))] = True
    pattern[table.cell_id(("r4", "c4"))] = True
    primary = np.zeros(table.size, dtype=bool)
    values = table.stats.value
    report = audit_pattern(table.relations, values, pattern, primary, 10.0, exact=True)
    assert report.programs < 2 * pattern.sum()  # two per cell before: 16
    for cells in components(table.relations, pattern):
        lower, upper = _two_programs_each(ComponentLP(table.relations, values, cells))
        np.testing.assert_allclose(report.lower[cells], lower, atol=1e-9)
        np.testing.assert_allclose(report.upper[cells], upper, atol=1e-9)


def test_a_relation_caps_cells_that_can_only_take_from_one_another() -> None:
    # x0 + x1 = 10 caps both; x1 - x2 = 3 caps nothing (x2 may grow); -x3 - x4 = -7 caps both.
    matrix = sparse.csr_array(
        np.array([[1.0, 1.0, 0, 0, 0], [0, 1.0, -1.0, 0, 0], [0, 0, 0, -1.0, -1.0]])
    )
    rhs = np.array([10.0, 3.0, -7.0])
    floor = np.array([0.0, 0.0, 0.0, 0.0, -np.inf])
    cap = ceilings(matrix, rhs, floor)
    assert cap[0] == 10.0 and cap[1] == 10.0  # x1 also bounded by its first relation
    assert np.isinf(cap[2])
    assert np.isinf(cap[3])  # x4 has no floor: x3 is not capped by their relation
    assert cap[4] == 7.0  # x3 >= 0
