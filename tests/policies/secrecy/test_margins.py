"""FREQ(n,r): the cells the rule makes primary are protected with r%, whatever the table's."""

import pandas as pd
import pytest

from policies.secrecy import Dimension, Options, protect

GEO = Dimension("geo", ["a", "b", "c"])
# a (2 units) is primary by FREQ(3,r); withholding c (1) lets a range over [0, 11]: enough for
# a 5 % interval around 10, not for 20 % (12): then b (100) is withheld instead.
CELLS = pd.DataFrame({"geo": ["a", "b", "c"], "value": [10.0, 100.0, 1.0], "freq": [2, 40, 5]})


def _statuses(rule: str, interval: float) -> dict[str, str]:
    options = Options(singleton=False, interval_percent=interval, cost="value")
    result = protect([GEO], CELLS, rules=[rule], options=options)
    assert result.ok
    return dict(zip(result.cells["geo"], result.cells["status"], strict=True))


@pytest.mark.parametrize(
    ("rule", "interval", "withheld"),
    [
        ("FREQ(3,5)", 20.0, "c"),  # the rule's 5 %, not the table's 20 %
        ("FREQ(3,20)", 5.0, "b"),  # the rule's 20 %, not the table's 5 %
        ("FREQ(3,5)", 5.0, "c"),
        ("FREQ(3,20)", 20.0, "b"),
    ],
)
def test_a_freq_cell_needs_the_rules_margin(rule: str, interval: float, withheld: str) -> None:
    statuses = _statuses(rule, interval)
    assert statuses["a"] == "U"
    assert {code for code in "bc" if statuses[code] == "M"} == {withheld}


def test_a_cell_dominated_too_needs_the_larger_margin() -> None:
    """a is also dominated (NK(1,50): its largest unit gives 9 of 10): 20 % wins over 5 %."""
    cells = CELLS.assign(top1=[9.0, 5.0, 1.0])
    options = Options(singleton=False, interval_percent=20.0)
    result = protect([GEO], cells, rules=["FREQ(3,5)", "NK(1,50)"], options=options)
    statuses = dict(zip(result.cells["geo"], result.cells["status"], strict=True))
    assert result.ok and statuses["a"] == "U" and statuses["b"] == "M"
