"""Property tests of the exact mode against the independent LP oracle of test_properties.

For random tables (hierarchies, non-nested ones, groups, rules, options, a-priori statuses)
protected with ``mode="exact"`` and ``mode="heuristic"``: each report agrees with the oracle
(scipy's linprog on relations rebuilt from the dimensions), so ``ok`` implies protection;
a-priori statuses bind both; the exact pattern never costs more than the heuristic's when
both protect; the exact mask does not depend on the order of the input rows.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, event, given, settings

from policies.secrecy import CostMode, cell_ids, protect
from tests.policies.secrecy.test_properties import (
    Case,
    _statuses,
    cases,
    expected_status,
    margin,
    model,
    oracle,
)


def _cost(frame: pd.DataFrame, mode: CostMode) -> float:
    """Return what the secondary suppressions of a protected table cost."""
    chosen = frame[(frame["status"] == "M") & (frame["reason"] != "hidden")]
    if mode is CostMode.UNITY:
        return float(len(chosen))
    return float(chosen["value" if mode is CostMode.VALUE else "freq"].sum())


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(cases())
def test_exact_mode_properties(case: Case) -> None:
    m = model(case)
    names = [d.name for d in case.dims]
    expected = expected_status(m, case)
    percent = {key: margin(m, key, case.rules, case.options) for key in m.keys}
    found = {}
    for mode in ("exact", "heuristic"):
        result = protect(
            case.dims,
            case.leaves(),
            rules=case.rules,
            options=case.options,
            apriori=case.apriori,
            mode=mode,
        )
        frame = result.cells
        status = _statuses(frame, case.dims)
        # Primaries and a-priori statuses as the rules define; only safe cells are added.
        for key in m.keys:
            if expected[key] == "S":
                assert status[key] in ("S", "M"), key
            else:
                assert status[key] == expected[key], (mode, key, status[key], expected[key])
        failing, _ = oracle(m, status, percent, case.options.singleton)
        ids = dict(
            zip(
                zip(*(frame[n] for n in names), strict=True),
                cell_ids(case.dims, frame),
                strict=True,
            )
        )
        unprotected = set(result.report.unprotected)
        assert {key for key in m.keys if ids[key] in unprotected} == failing, mode
        found[mode] = result
    exact, heuristic = found["exact"], found["heuristic"]
    event(f"exact ok={exact.ok} heuristic ok={heuristic.ok}")
    assert exact.ok == heuristic.ok or exact.ok
    if exact.ok and heuristic.ok:
        cheaper = _cost(exact.cells, case.options.cost) < _cost(heuristic.cells, case.options.cost)
        event(f"exact cheaper={cheaper}")
        assert _cost(exact.cells, case.options.cost) <= _cost(
            heuristic.cells, case.options.cost
        ) + 1e-6 * max(1.0, _cost(heuristic.cells, case.options.cost))
    shuffled = case.leaves().sample(frac=1.0, random_state=5).reset_index(drop=True)
    again = protect(
        case.dims,
        shuffled,
        rules=case.rules,
        options=case.options,
        apriori=dict(reversed(list(case.apriori.items()))),
        mode="exact",
    )
    pd.testing.assert_frame_equal(again.cells, exact.cells)
