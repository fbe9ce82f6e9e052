"""HiGHS statuses that are neither optimal nor unbounded never certify protection."""

from __future__ import annotations

from collections.abc import Iterator

import highspy
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from policies.secrecy import Dimension, audit_pattern, protect
from policies.secrecy.lp import ComponentLP

# Total = a + b + c + d; a and b primary, c and d secondary: every interval is wide.
RELATIONS = sparse.csr_array(np.array([[-1.0, 1.0, 1.0, 1.0, 1.0]]))
VALUES = np.array([100.0, 3.0, 4.0, 40.0, 53.0])
SUPPRESSED = np.array([False, True, True, True, True])
PRIMARY = np.array([False, True, True, False, False])


@pytest.fixture
def unknown_solves(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Make the next N solves report "Unknown" (N set by the test); count the solves."""
    state = [0, 0]  # solves left to fail, solves seen
    real = highspy.Highs.getModelStatus

    def status(self: highspy.Highs) -> highspy.HighsModelStatus:
        if state[0] > 0:
            return highspy.HighsModelStatus.kUnknown
        return real(self)

    def run(self: highspy.Highs, original: object = highspy.Highs.run) -> object:
        state[1] += 1
        return original(self)  # type: ignore[operator]

    monkeypatch.setattr(highspy.Highs, "getModelStatus", status)
    monkeypatch.setattr(highspy.Highs, "run", run)
    yield state


def test_unknown_status_is_retried_from_scratch(unknown_solves: list[int]) -> None:
    model = ComponentLP(RELATIONS, VALUES, np.flatnonzero(SUPPRESSED))
    model.extreme(0, 1.0)
    unknown_solves[0] = 1

    def recover(self: highspy.Highs, original: object = highspy.Highs.clearSolver) -> object:
        unknown_solves[0] = 0  # the fresh solve succeeds
        return original(self)  # type: ignore[operator]

    solves = unknown_solves[1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(highspy.Highs, "clearSolver", recover)
        assert model.extreme(0, -1.0) == pytest.approx(100.0)
    assert unknown_solves[1] == solves + 2  # the failed solve, then one from scratch
    assert model.last_point is not None


def test_persistent_unknown_leaves_cells_uncertified(unknown_solves: list[int]) -> None:
    unknown_solves[0] = 10**9
    model = ComponentLP(RELATIONS, VALUES, np.flatnonzero(SUPPRESSED))
    assert np.isnan(model.extreme(0, 1.0))
    assert model.push(np.array([0, 1]), 1.0) is None
    assert model.attack() is None
    for exact in (True, False):
        report = audit_pattern(RELATIONS, VALUES, SUPPRESSED, PRIMARY, 10.0, exact=exact)
        # Never protected on an unproven interval: the release is refused.
        assert not report.ok
        assert set(report.unprotected.tolist()) == {1, 2}


def test_without_failures_the_same_pattern_is_protected() -> None:
    for exact in (True, False):
        report = audit_pattern(RELATIONS, VALUES, SUPPRESSED, PRIMARY, 10.0, exact=exact)
        assert report.ok


def test_protect_refuses_when_highs_cannot_tell(unknown_solves: list[int]) -> None:
    unknown_solves[0] = 10**9
    dims = [Dimension("commune", ["a", "b", "c", "d"]), Dimension("age", ["y", "o"])]
    leaves = pd.DataFrame(
        {
            "commune": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "age": ["y", "o"] * 4,
            "value": [2.0, 30.0, 25.0, 40.0, 33.0, 3.0, 50.0, 61.0],
            "freq": [2, 30, 25, 40, 33, 3, 50, 61],
        }
    )
    result = protect(dims, leaves, rules=["FREQ(5,10)"])
    assert not result.ok
