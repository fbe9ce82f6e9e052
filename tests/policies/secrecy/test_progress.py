"""The engine's progress: every stage said in order, a fraction that never goes back."""

import numpy as np

from policies.secrecy import Options, protect
from policies.secrecy.progress import SPANS, Stage, Step, advance, listening
from tests.policies.secrecy.test_traps import COLS, ROWS, VALUES, _grid


def _protect_heard() -> list[Step]:
    heard: list[Step] = []
    freq = np.full((4, 4), 9)
    freq[0, 0] = freq[2, 1] = freq[3, 3] = 2  # three primary cells: rounds of secondaries
    with listening(heard.append):
        result = protect([ROWS, COLS], _grid(VALUES, freq), rules=["FREQ(3,10)"], options=Options())
    assert result.ok
    return heard


def test_stages_are_said_in_order_with_a_growing_fraction() -> None:
    heard = _protect_heard()
    stages = [step.stage for step in heard]
    assert stages[0] is Stage.PRIMARY and stages[-1] is Stage.AUDIT
    order = list(Stage)
    assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages)
    assert {Stage.SECONDARY, Stage.PRUNING} <= set(stages)
    fractions = [step.fraction for step in heard]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(set(fractions)) >= 4  # intermediate values, not 0 then 1
    for step in heard:
        start, end = SPANS[step.stage]
        assert start <= step.fraction <= end
    rounds = [step for step in heard if step.stage is Stage.SECONDARY]
    assert all(step.unprotected is not None for step in rounds)
    assert rounds[-1].fraction == SPANS[Stage.SECONDARY][1]


def test_a_later_stage_reporting_less_does_not_take_the_fraction_back() -> None:
    heard: list[Step] = []
    with listening(heard.append):
        advance(Stage.SECONDARY, 0.5, 3)
        advance(Stage.SECONDARY, 0.2, 5)  # a nested grow (exact mode) starts its rounds again
        advance(Stage.PRUNING, 1.0)
    assert [round(s.fraction, 6) for s in heard] == [0.4, 0.4, 0.9]


def test_nothing_is_heard_outside_the_block_and_the_result_is_the_same() -> None:
    heard: list[Step] = []
    with listening(heard.append):
        pass
    advance(Stage.AUDIT, 1.0)  # nobody listens: nothing happens
    freq = np.full((4, 4), 9)
    freq[0, 0] = 2
    quiet = protect([ROWS, COLS], _grid(VALUES, freq), rules=["FREQ(3,10)"])
    with listening(heard.append):
        loud = protect([ROWS, COLS], _grid(VALUES, freq), rules=["FREQ(3,10)"])
    assert heard and quiet.cells.equals(loud.cells)
