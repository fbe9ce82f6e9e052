"""Exact mode: minimum-cost patterns, checked against brute force over every subset.

On tiny tables every subset of the cells that may be withheld is tried, cheapest first, with
the interval audit (itself checked against scipy's linprog by the property tests): the first
protected one has the optimum cost, which the exact mode must reach. On small tables the
exact pattern is audited safe and never costs more than the heuristic's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from bench.secrecy_data import cells, communes, dimensions
from policies.errors import InvalidInput
from policies.secrecy import (
    Apriori,
    CostMode,
    Dimension,
    Hierarchy,
    Options,
    audit_pattern,
    protect,
)
from policies.secrecy.cli import main
from policies.secrecy.cuts import separate
from policies.secrecy.singletons import Singletons
from policies.secrecy.status import Status

ROWS = Dimension("r", ["r1", "r2", "r3"])
COLS = Dimension("c", ["c1", "c2", "c3"])
# Five communes grouped two ways that do not nest (départements, EPCIs), by two age bands.
GEO = Dimension(
    "g",
    ["g1", "g2", "g3", "g4", "g5"],
    [
        Hierarchy.from_parents(
            {"g1": "D1", "g2": "D1", "g3": "D2", "g4": "D2", "g5": "D2"}
            | {"D1": "Total", "D2": "Total"}
        ),
        Hierarchy.from_parents(
            {"g1": "E1", "g3": "E1", "g2": "E2", "g4": "E2", "g5": "E2"}
            | {"E1": "Total", "E2": "Total"}
        ),
    ],
)
AGES = Dimension("a", ["a1", "a2"])


def _leaves(dims: list[Dimension], seed: int) -> pd.DataFrame:
    """Draw a magnitude table: values 1..40, 1 to 9 units per leaf."""
    rng = np.random.default_rng(seed)
    keys = pd.MultiIndex.from_product([d.leaves for d in dims]).to_frame(index=False)
    keys.columns = [d.name for d in dims]
    keys["value"] = rng.integers(1, 41, len(keys)).astype(float)
    keys["freq"] = rng.integers(1, 10, len(keys))
    return keys


def _cost(frame: pd.DataFrame, mode: CostMode) -> float:
    """Return what the secondary suppressions of a protected table cost."""
    chosen = frame[frame["status"] == Status.SECONDARY.value]
    if mode is CostMode.UNITY:
        return float(len(chosen))
    return float(chosen["value" if mode is CostMode.VALUE else "freq"].sum())


def _protected(
    relations: np.ndarray,
    values: np.ndarray,
    pattern: np.ndarray,
    primary: np.ndarray,
    percent: float,
    owner: np.ndarray | None,
) -> bool:
    """Tell whether a pattern protects every primary cell, by scipy's linprog alone."""
    hidden = np.flatnonzero(pattern)
    rows = relations[np.abs(relations[:, hidden]).sum(axis=1) > 0]
    a_eq = rows[:, hidden]
    b_eq = -(rows[:, ~pattern] @ values[~pattern])
    for cell in np.flatnonzero(primary):
        column = int(np.searchsorted(hidden, cell))
        v = values[cell]
        need = (v - abs(v) * percent / 100, 1e-6 if v == 0 else v + abs(v) * percent / 100)
        bounds = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(hidden))
            cost[column] = sign
            res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            assert res.status in (0, 3), res.message
            bounds.append(sign * res.fun if res.status == 0 else -sign * np.inf)
        tol = 1e-7 * max(1.0, abs(v))
        if not (bounds[0] <= need[0] + tol and bounds[1] >= need[1] - tol):
            return False
        if bounds[1] - bounds[0] <= tol:
            return False
    if owner is None:
        return True
    for row in relations:
        inside = np.flatnonzero((row != 0) & pattern)
        if len(inside) == 2:
            for a, b in (inside, inside[::-1]):
                if owner[a] >= 0 and owner[a] != owner[b] and primary[b]:
                    return False
    return True


def _brute_force(result, options: Options) -> float:  # type: ignore[no-untyped-def]
    """Return the optimum cost over every subset of the safe cells (cheapest first)."""
    table, frame = result.table, result.cells
    status = frame["status"].to_numpy()
    primary = status == Status.PRIMARY.value
    free = np.flatnonzero((status == Status.SAFE.value) | (status == Status.SECONDARY.value))
    unit = {
        CostMode.VALUE: table.stats.value,
        CostMode.FREQ: table.stats.freq.astype(float),
        CostMode.UNITY: np.ones(table.size),
    }[options.cost][free]
    subsets = (np.arange(2 ** len(free))[:, None] >> np.arange(len(free))) & 1
    # A relation holding a withheld primary cell needs another withheld cell: filter first.
    relations = table.relations.toarray()
    incidence = (relations != 0).astype(np.int64)
    fixed = incidence[:, primary].sum(axis=1)
    needy = fixed >= 1
    counts = subsets @ incidence[needy][:, free].T + fixed[needy]
    feasible = np.flatnonzero((counts >= 2).all(axis=1))
    costs = subsets[feasible] @ unit
    owner = table.stats.owner if options.singleton else None
    for k in feasible[np.argsort(costs, kind="stable")]:
        pattern = primary.copy()
        pattern[free[subsets[k] == 1]] = True
        if _protected(
            relations, table.stats.value, pattern, primary, options.interval_percent, owner
        ):
            return float(subsets[k] @ unit)
    return np.inf


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cost", list(CostMode))
def test_exact_reaches_the_brute_force_optimum_on_3x3_with_margins(
    seed: int, cost: CostMode
) -> None:
    rng = np.random.default_rng(100 + seed)
    dims = [ROWS, COLS]
    codes = [(*d.leaves, "Total") for d in dims]
    picks = rng.choice(16, size=1 + seed % 3, replace=False)
    apriori: dict[tuple[str, ...], Apriori] = {
        (codes[0][k // 4], codes[1][k % 4]): Apriori.SUPPRESSED for k in picks
    }
    options = Options(singleton=False, interval_percent=10.0 + 5 * (seed % 3), cost=cost)
    result = protect(dims, _leaves(dims, seed), options=options, apriori=apriori, mode="exact")
    assert result.ok
    assert _cost(result.cells, cost) == pytest.approx(_brute_force(result, options))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("singleton", [False, True])
def test_exact_reaches_the_brute_force_optimum_with_non_nested_hierarchies(
    seed: int, singleton: bool
) -> None:
    """Two hierarchies that do not nest, FREQ(4,10) primaries, the singleton rule or not."""
    dims = [GEO]
    leaves = _leaves(dims, 50 + seed)
    leaves = leaves.iloc[[k for k in range(len(leaves)) if (k + seed) % 4]]  # some empty
    options = Options(singleton=singleton)
    result = protect(dims, leaves, rules=["FREQ(4,10)"], options=options, mode="exact")
    optimum = _brute_force(result, options)
    assert result.ok == np.isfinite(optimum)
    if result.ok:
        assert _cost(result.cells, options.cost) == pytest.approx(optimum)


@pytest.mark.parametrize("departement", ["13", "48"])
def test_exact_is_audited_safe_and_never_dearer_than_the_heuristic(departement: str) -> None:
    frame = communes((departement,))
    leaves, dims = cells(frame), dimensions(frame)
    exact = protect(dims, leaves, rules=["FREQ(5,10)"], mode="exact")
    heuristic = protect(dims, leaves, rules=["FREQ(5,10)"], mode="heuristic")
    assert exact.ok and heuristic.ok
    assert _cost(exact.cells, CostMode.VALUE) <= _cost(heuristic.cells, CostMode.VALUE)
    pattern = exact.cells["status"].isin([Status.PRIMARY.value, Status.SECONDARY.value])
    primary = (exact.cells["status"] == Status.PRIMARY.value).to_numpy()
    table = exact.table
    report = audit_pattern(
        table.relations,
        table.stats.value,
        pattern.to_numpy(),
        primary,
        10.0,
        Singletons(table.stats.owner, table.stats.freq),
    )
    assert report.ok
    # The same input gives the same mask.
    again = protect(
        dims, leaves.sample(frac=1.0, random_state=1), rules=["FREQ(5,10)"], mode="exact"
    )
    pd.testing.assert_frame_equal(again.cells, exact.cells)


def test_time_limit_keeps_a_protected_pattern() -> None:
    """With no time at all the heuristic's pattern (or a cheaper completed one) stands."""
    frame = communes(("13",))
    leaves, dims = cells(frame), dimensions(frame)
    rushed = protect(dims, leaves, rules=["FREQ(5,10)"], mode="exact", time_limit=0.0)
    heuristic = protect(dims, leaves, rules=["FREQ(5,10)"], mode="heuristic")
    assert rushed.ok
    assert _cost(rushed.cells, CostMode.VALUE) <= _cost(heuristic.cells, CostMode.VALUE)


def test_apriori_statuses_bind_the_exact_pattern() -> None:
    """A published cell stays published even where it is the cheapest partner."""
    dims = [ROWS, COLS]
    leaves = _leaves(dims, 3)
    free = protect(
        dims, leaves, options=Options(singleton=False), apriori={("r1", "c1"): "suppressed"}
    )
    chosen = free.cells[free.cells["status"] == Status.SECONDARY.value]
    first = (chosen.iloc[0]["r"], chosen.iloc[0]["c"])
    bound = protect(
        dims,
        leaves,
        options=Options(singleton=False),
        apriori={("r1", "c1"): Apriori.SUPPRESSED, first: Apriori.PUBLISHED},
        mode="exact",
    )
    assert bound.ok
    status = bound.cells.set_index(["r", "c"])["status"]
    assert status[first] == Status.APRIORI_PUBLISHED.value
    assert status[("r1", "c1")] == Status.PRIMARY.value


def test_cuts_exclude_the_pattern_they_come_from() -> None:
    """Each cut of an unprotected pattern is violated by it (the LP dual's sign is right)."""
    dims = [ROWS, COLS]
    result = protect(
        dims,
        _leaves(dims, 4),
        options=Options(singleton=False),
        apriori={("r2", "c2"): "suppressed"},
    )
    table = result.table
    primary = (result.cells["status"] == Status.PRIMARY.value).to_numpy()
    # r2 c2 and r2 c3 withheld: each column relation computes them.
    pattern = primary.copy()
    pattern[table.cell_id(("r2", "c3"))] = True
    found = separate(table.relations, table.stats.value, pattern, primary, 10.0, None)
    assert found
    for cut in found:
        assert cut.coefs @ pattern[cut.cells] < cut.rhs
    # The protected pattern of protect() leaves nothing to cut.
    safe = result.cells["status"].isin([Status.PRIMARY.value, Status.SECONDARY.value]).to_numpy()
    assert separate(table.relations, table.stats.value, safe, primary, 10.0, None) == []


def test_unknown_mode_is_refused_in_french() -> None:
    with pytest.raises(InvalidInput, match="Mode de suppression inconnu"):
        protect([ROWS], _leaves([ROWS], 1), mode="optimal")


def test_cli_mode_reaches_protect(tmp_path: Path) -> None:
    """--mode exact gives a protected table no dearer than --mode heuristic."""
    leaves = _leaves([GEO], 7)
    leaves.to_csv(tmp_path / "cells.csv", index=False)
    value = protect([GEO], leaves).cells.set_index("g")["value"]
    costs = {}
    for mode in ("heuristic", "exact"):
        out = tmp_path / f"{mode}.csv"
        code = main(
            [
                "protect",
                f"--cells={tmp_path / 'cells.csv'}",
                "--dim=g",
                "--value=value",
                "--freq=freq",
                "--rule=FREQ(4,10)",
                "--no-singleton",
                f"--mode={mode}",
                f"--out={out}",
            ]
        )
        assert code == 0
        frame = pd.read_csv(out, dtype={"g": str}, keep_default_na=False)
        hidden = frame[frame["status"] == Status.SECONDARY.value]["g"]
        costs[mode] = float(value[hidden].sum())
        assert (frame["status"] == Status.PRIMARY.value).any()
    assert costs["exact"] <= costs["heuristic"]


def test_zero_interval_asks_for_width_either_way() -> None:
    """Found by the property test: with a zero interval the audit only asks that a primary
    is not a single value. g0 (= Z) can only fall, since g1, g3, g4 are 0 and the total is
    published: that suffices, yet the exact mode used to ask for an upward move too and
    withheld g2 (145) where the heuristic withheld nothing more.
    """
    geo = Dimension("g", ["g0", "g1", "g2", "g3", "g4"], groups={"Z": ["g0"]})
    leaves = pd.DataFrame(
        [("g0", 28.0, 1, 28.0, 0.0), ("g2", 145.0, 5, 57.0, 45.0)],
        columns=["g", "value", "freq", "top1", "top2"],
    )
    options = Options(zero_unsafe=True, singleton=True, interval_percent=0.0)
    found = {
        mode: protect([geo], leaves, options=options, mode=mode) for mode in ("exact", "heuristic")
    }
    assert found["exact"].ok and found["heuristic"].ok
    status = found["exact"].cells.set_index("g")["status"]
    assert status["g2"] == Status.SAFE.value
    assert _cost(found["exact"].cells, CostMode.VALUE) <= _cost(
        found["heuristic"].cells, CostMode.VALUE
    )
