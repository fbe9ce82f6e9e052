"""Component models built faster (relations by cell, kept bases) solve the same programs."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from scipy import sparse

from bench.secrecy_data import cells, communes, dimensions
from policies.secrecy import Status, protect
from policies.secrecy.audit import components
from policies.secrecy.lp import ComponentLP, ModelCache
from policies.secrecy.repair import _neighbours

audit_module = importlib.import_module("policies.secrecy.audit")
repair_module = importlib.import_module("policies.secrecy.repair")


@pytest.fixture(scope="module")
def pattern() -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """Bouches-du-Rhône protected: relations, values and the suppressed cells."""
    frame = communes(("13",))
    result = protect(dimensions(frame), cells(frame), rules=["FREQ(5,10)"])
    status = result.cells["status"]
    hidden = status.isin([Status.PRIMARY.value, Status.SECONDARY.value]).to_numpy()
    return result.table.relations, result.table.stats.value.astype(np.float64), hidden


def _intervals(model: ComponentLP) -> np.ndarray:
    return np.array([model.interval(column) for column in range(len(model.cells))])


def test_model_from_relations_by_cell_is_the_same_program(
    pattern: tuple[sparse.csr_array, np.ndarray, np.ndarray],
) -> None:
    relations, values, hidden = pattern
    group = max(components(relations, hidden), key=len)
    plain = ComponentLP(relations, values, group)
    fast = ComponentLP(relations, values, group, sparse.csc_array(relations))
    assert np.array_equal(plain.rows, fast.rows)
    for name in ("col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(getattr(plain.highs.getLp(), name), getattr(fast.highs.getLp(), name))
    a, b = plain.highs.getLp().a_matrix_, fast.highs.getLp().a_matrix_
    for name in ("start_", "index_", "value_"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert np.allclose(_intervals(plain), _intervals(fast), equal_nan=True)


def test_grown_model_keeps_its_basis_and_finds_the_new_intervals(
    pattern: tuple[sparse.csr_array, np.ndarray, np.ndarray],
) -> None:
    """Half a component's cells, solved, then grown to all of them: same as a new model."""
    relations, values, hidden = pattern
    group = max(components(relations, hidden), key=len)
    half = group[::2]
    model = ComponentLP(relations, values, half)
    model.push(np.arange(len(half)), 1.0)
    grown = model.grown(group, sparse.csc_array(relations))
    assert np.array_equal(grown.cells, group)
    fresh = ComponentLP(relations, values, group)
    assert np.allclose(_intervals(grown), _intervals(fresh), equal_nan=True)


def test_cache_never_reuses_a_model_of_other_cells(
    pattern: tuple[sparse.csr_array, np.ndarray, np.ndarray],
) -> None:
    relations, values, hidden = pattern
    group = max(components(relations, hidden), key=len)
    cache = ModelCache(warm=True, minimum=1)
    first = cache.model(relations, values, group[:-1])
    # The kept model's cells are not all in this one: a new model, not the kept one.
    other = cache.model(relations, values, group[1:])
    assert other is not first
    assert np.array_equal(other.cells, group[1:])
    again = cache.model(relations, values, group)
    assert np.array_equal(again.cells, group)


def test_neighbours_by_slices_match_the_incidence_products() -> None:
    rng = np.random.default_rng(3)
    incidence = sparse.csr_array(sparse.random_array((40, 60), density=0.08, rng=rng) != 0)
    incidence = incidence.astype(np.float64)
    links = (incidence, sparse.csc_array(incidence))
    for _ in range(20):
        seed = rng.choice(60, size=int(rng.integers(1, 5)), replace=False)
        vector = np.zeros(60)
        vector[seed] = 1.0
        expected = incidence.T @ (incidence @ vector > 0).astype(np.float64) > 0
        assert np.array_equal(_neighbours(links, seed), expected)


def test_warm_models_audited_two_at_a_time_give_the_sequential_pattern(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kept models shared by the audit's two threads: the same pattern as one thread.

    Every component is big enough to be kept (minimum 1) and audited in parallel
    (PARALLEL_CELLS 1), over five départements: the first round's components are audited
    two at a time, the next round's merged component takes the bigger of their models.
    """
    monkeypatch.setattr(repair_module, "ModelCache", lambda warm: ModelCache(warm=warm, minimum=1))
    frame = communes(("04", "05", "15", "23", "48"))
    leaves, dims = cells(frame, scale=0.5), dimensions(frame)
    statuses = []
    for parallel in (1, 10**9):
        monkeypatch.setattr(audit_module, "PARALLEL_CELLS", parallel)
        result = protect(dims, leaves, rules=["FREQ(5,10)"], mode="heuristic")
        assert result.ok
        statuses.append(result.cells["status"].to_numpy())
    assert (statuses[0] == Status.SECONDARY.value).sum() > 0
    assert np.array_equal(statuses[0], statuses[1])
