"""Cheapest deviations (paths.py): the cheapest cells that unpin a side, and their effect."""

from __future__ import annotations

import importlib
from itertools import combinations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from bench.secrecy_data import cells, communes, dimensions
from policies.secrecy import Status, protect
from policies.secrecy.paths import Deviations

paths_module = importlib.import_module("policies.secrecy.paths")


def _table(seed: int) -> tuple[sparse.csr_array, np.ndarray]:
    """A 3 x 3 table with its margins: cell (i, j) is 4 i + j, totals in row and column 3."""
    rng = np.random.default_rng(seed)
    inner = rng.integers(1, 40, size=(3, 3)).astype(np.float64)
    full = np.zeros((4, 4))
    full[:3, :3] = inner
    full[:3, 3], full[3, :3], full[3, 3] = inner.sum(1), inner.sum(0), inner.sum()
    rows: list[dict[int, float]] = []
    for k in range(4):
        rows.append({**{4 * k + j: 1.0 for j in range(3)}, 4 * k + 3: -1.0})
        rows.append({**{4 * i + k: 1.0 for i in range(3)}, 12 + k: -1.0})
    data = [(r, c, v) for r, row in enumerate(rows) for c, v in row.items()]
    r, c, v = zip(*data, strict=True)
    return sparse.csr_array((v, (r, c)), shape=(len(rows), 16)), full.ravel()


def _solver(relations: sparse.csr_array, values: np.ndarray) -> Deviations:
    """Return the deviations of a table whose suppression cost is its values."""
    incidence = sparse.csc_array((relations != 0).astype(np.float64))
    return Deviations(relations, sparse.csc_array(relations), incidence, values, values.copy())


def _reaches(
    relations: sparse.csr_array,
    values: np.ndarray,
    hidden: set[int],
    cell: int,
    move: float | None = None,
) -> bool:
    """Tell, by an LP of scipy's (not HiGHS's bindings), whether `cell` can move by `move`
    (by default down to 90 %)."""
    move = -0.1 * values[cell] if move is None else move
    free = sorted(hidden)
    fixed = np.array([c not in hidden for c in range(values.size)])
    dense = relations.toarray()
    rhs = -dense[:, fixed] @ values[fixed]
    sign = 1.0 if move < 0 else -1.0  # minimise the cell going down, maximise going up
    cost = np.zeros(len(free))
    cost[free.index(cell)] = sign
    found = linprog(cost, A_eq=dense[:, free], b_eq=rhs, bounds=(0, None), method="highs")
    return bool(found.status == 0 and found.fun <= sign * (values[cell] + move) + 1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_cheapest_deviation_costs_what_the_cheapest_protecting_cells_cost(seed: int) -> None:
    """One primary cell, every other cell published: the deviation's cells cost the least
    of every set of cells (up to three) that lets the cell reach its lower bound."""
    relations, values = _table(seed)
    cell = 5  # inner cell (1, 1)
    suppressed = np.zeros(16, dtype=bool)
    suppressed[cell] = True
    candidate = ~suppressed
    solver = _solver(relations, values)
    sides = solver.cheapest(cell, [-0.1 * values[cell]], suppressed, candidate)
    assert sides is not None
    found = sides[0]
    assert _reaches(relations, values, {cell, *found.tolist()}, cell)
    best = min(
        values[list(subset)].sum()
        for size in (1, 2, 3)
        for subset in combinations(np.flatnonzero(candidate).tolist(), size)
        if _reaches(relations, values, {cell, *subset}, cell)
    )
    assert values[found].sum() == pytest.approx(best)


@pytest.mark.parametrize("seed", range(6))
def test_both_sides_in_one_program_cost_what_each_alone_costs(seed: int) -> None:
    """The second side, solved from the first's basis, is as cheap as when solved alone."""
    relations, values = _table(seed)
    suppressed = np.zeros(16, dtype=bool)
    suppressed[5] = True
    solver = _solver(relations, values)
    moves = [-0.1 * values[5], 0.1 * values[5]]
    both = solver.cheapest(5, moves, suppressed, ~suppressed)
    alone = [solver.cheapest(5, [move], suppressed, ~suppressed) for move in moves]
    assert both is not None and alone[0] is not None and alone[1] is not None
    for side, move in enumerate(moves):
        assert values[both[side]].sum() == pytest.approx(values[alone[side][0]].sum())
        assert _reaches(relations, values, {5, *both[side].tolist()}, 5, move)


def test_no_deviation_when_no_cell_may_be_withheld() -> None:
    """A cell whose neighbours may not be withheld has no deviation: None, not an empty set."""
    relations, values = _table(0)
    suppressed = np.zeros(16, dtype=bool)
    suppressed[5] = True
    solver = _solver(relations, values)
    assert solver.cheapest(5, [-1.0], suppressed, np.zeros(16, dtype=bool)) is None


def test_a_wide_relation_leads_only_to_its_suppressed_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every relation of the 3 x 3 table wide: a lone cell has no neighbourhood, hence no
    deviation; a suppressed rectangle is reached through the wide relations and protects
    the cell with nothing more withheld."""
    monkeypatch.setattr(paths_module, "WIDE_RELATION", 3)
    relations, values = _table(0)
    solver = _solver(relations, values)
    lone = np.zeros(16, dtype=bool)
    lone[5] = True
    assert solver.cheapest(5, [-1.0], lone, np.ones(16, dtype=bool)) is None
    rectangle = np.zeros(16, dtype=bool)
    rectangle[[5, 6, 9, 10]] = True
    found = solver.cheapest(5, [-1.0, 1.0], rectangle, np.ones(16, dtype=bool))
    assert found is not None and all(side.size == 0 for side in found)
    assert _reaches(relations, values, {5, 6, 9, 10}, 5, -1.0)


def _secondaries(frame_codes: tuple[str, ...]) -> tuple[int, float]:
    """Protect the communes of some départements; return the secondary cells and value."""
    frame = communes(frame_codes)
    result = protect(dimensions(frame), cells(frame), rules=["FREQ(5,10)"], mode="heuristic")
    assert result.ok
    secondary = result.cells["status"] == Status.SECONDARY.value
    return int(secondary.sum()), float(result.cells["value"][secondary].sum())


def test_repairs_by_deviation_withhold_less_than_breakers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five départements with communes alone in another département's EPCI: breakers alone
    withheld départements' totals (12,994 in all); deviations protect as well for far less,
    also when the départements' totals are wide relations, crossed through their suppressed
    cells only."""
    five = ("04", "05", "15", "23", "48")
    deviations, deviations_value = _secondaries(five)
    monkeypatch.setattr(paths_module, "WIDE_RELATION", 50)
    narrow, narrow_value = _secondaries(five)
    monkeypatch.setattr(Deviations, "cheapest", lambda *args, **kwargs: None)
    breakers, breakers_value = _secondaries(five)
    assert deviations <= breakers and narrow <= breakers
    assert deviations_value < 0.5 * breakers_value
    assert narrow_value < 0.5 * breakers_value
