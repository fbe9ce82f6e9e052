"""Local programs (local.py) and the audit's use of them, against an independent LP oracle.

Random two-dimensional tables with two non-nested hierarchies (as communes < départements
and communes < EPCI) and random suppression patterns. The local programs may only say
"protected" when the whole component's program does, "unprotected" when it does not, and
their bounds must be feasible (inside the exact interval); the audit gives the same verdicts
with and without them, and with components audited two at a time.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from policies.secrecy import TOTAL, Dimension, Hierarchy, audit_pattern
from policies.secrecy.audit import components, required
from policies.secrecy.local import certify_local
from policies.secrecy.table import Table, build_table

audit_module = importlib.import_module("policies.secrecy.audit")


def _table(seed: int) -> tuple[Table, np.ndarray, np.ndarray]:
    """Return a random table, a suppression pattern and its primary cells."""
    rng = np.random.default_rng(seed)
    leaves = [f"c{i:02d}" for i in range(12)]
    departments = {leaf: f"d{i // 4}" for i, leaf in enumerate(leaves)}
    epci = {leaf: f"e{(i + 2) // 3}" for i, leaf in enumerate(leaves)}
    for parents in (departments, epci):
        parents.update(dict.fromkeys(set(parents.values()), TOTAL))
    dims = [
        Dimension(
            "geo",
            leaves,
            hierarchies=[Hierarchy.from_parents(departments), Hierarchy.from_parents(epci)],
        ),
        Dimension("age", ["a", "b", "c"]),
    ]
    rows = [(geo, age, float(rng.integers(1, 40)), 3) for geo in leaves for age in ("a", "b", "c")]
    table = build_table(dims, pd.DataFrame(rows, columns=["geo", "age", "value", "freq"]), tops=0)
    suppressed = rng.random(table.size) < 0.45
    primary = suppressed & (rng.random(table.size) < 0.5)
    return table, suppressed, primary


def _exact(table: Table, suppressed: np.ndarray, cell: int) -> tuple[float, float]:
    """Return the exact interval of one suppressed cell over the whole table, by linprog."""
    hidden = np.flatnonzero(suppressed)
    dense = table.relations.toarray()
    a_eq = dense[:, hidden]
    b_eq = -(dense[:, ~suppressed] @ table.stats.value[~suppressed])
    column = int(np.searchsorted(hidden, cell))
    bounds = []
    for sign in (1.0, -1.0):
        cost = np.zeros(len(hidden))
        cost[column] = sign
        res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
        assert res.status in (0, 3), res.message
        bounds.append(sign * res.fun if res.status == 0 else -sign * np.inf)
    return bounds[0], bounds[1]


@pytest.mark.parametrize("seed", range(12))
def test_local_verdicts_agree_with_the_whole_program(seed: int) -> None:
    table, suppressed, primary = _table(seed)
    values = table.stats.value
    need = required(values, 10.0)
    lower, upper = np.full(values.shape, np.nan), np.full(values.shape, np.nan)
    pending = np.flatnonzero(primary)
    by_cell = table.relations.tocsc()
    left, attacks, _ = certify_local(
        table.relations, by_cell, values, suppressed, pending, need, (lower, upper)
    )
    checked = pending[pending < left[0]] if left.size else pending
    for cell in checked.tolist():
        low, high = _exact(table, suppressed, cell)
        tol = 1e-6 * max(1.0, values[cell])
        protected = low <= need[0][cell] + tol and high >= need[1][cell] - tol
        assert protected == (cell not in attacks), cell
        # Bounds found are reached by feasible points: inside the exact interval.
        assert np.isnan(lower[cell]) or lower[cell] >= low - tol
        assert np.isnan(upper[cell]) or upper[cell] <= high + tol
        if cell in attacks:
            assert attacks[cell].size > 0


@pytest.mark.parametrize("seed", range(12))
def test_audit_verdicts_do_not_depend_on_local_programs_nor_threads(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    table, suppressed, primary = _table(seed)
    args = (table.relations, table.stats.value, suppressed, primary, 10.0, None, False)
    plain = audit_pattern(*args)
    monkeypatch.setattr(audit_module, "LOCAL_CELLS", 1)
    monkeypatch.setattr(audit_module, "PARALLEL_CELLS", 1)
    local = audit_pattern(*args)
    assert set(local.unprotected.tolist()) == set(plain.unprotected.tolist())
    # Every primary cell the local audit certifies has an interval inside the exact one.
    for cell in np.flatnonzero(primary & suppressed).tolist():
        low, high = _exact(table, suppressed, cell)
        tol = 1e-6 * max(1.0, table.stats.value[cell])
        assert local.lower[cell] >= low - tol and local.upper[cell] <= high + tol
    assert len(components(table.relations, suppressed)) == local.components
