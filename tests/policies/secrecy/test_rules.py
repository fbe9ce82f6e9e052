"""Primary rules: tau-Argus notation and the cells each rule makes unsafe."""

import numpy as np
import pytest

from policies.errors import InvalidInput
from policies.secrecy import DominanceRule, FreqRule, Options, PPercentRule, Reason, parse_rule
from policies.secrecy.rules import CellStats, primary_reasons
from policies.secrecy.status import REASONS


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("FREQ(5,10)", FreqRule(5, 10.0)),
        ("freq(3)", FreqRule(3, 0.0)),
        (" NK(1, 85) ", DominanceRule(1, 85.0)),
        ("NK(2,90)", DominanceRule(2, 90.0)),
        ("P(10,1)", PPercentRule(10.0, 1)),
    ],
)
def test_parse_rule(text: str, rule: object) -> None:
    assert parse_rule(text) == rule


@pytest.mark.parametrize(
    "text", ["FREQ", "FREQ(0,10)", "FREQ(2.5,1)", "NK(3,80)", "NK(1)", "P(10,2)", "DOM(1,2)", ""]
)
def test_malformed_rule_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="Règle"):
        parse_rule(text)


def _cells(value: float, freq: int, top1: float = 0.0, top2: float = 0.0) -> CellStats:
    arrays = (np.array([value]), np.array([freq]), np.array([top1]), np.array([top2]))
    return CellStats(*arrays, owner=np.array([-1]))


@pytest.mark.parametrize(
    ("rules", "options", "cell", "reason"),
    [
        (("FREQ(5,10)",), Options(singleton=False), (10.0, 4), Reason.FREQUENCY),
        (("FREQ(5,10)",), Options(singleton=False), (10.0, 5), Reason.NONE),
        (("FREQ(5,10)",), Options(), (10.0, 1), Reason.SINGLETON),
        (("FREQ(3,10)",), Options(pair=True), (10.0, 2), Reason.PAIR),
        ((), Options(pair=False), (10.0, 2), Reason.NONE),
        (("FREQ(5,10)",), Options(), (0.0, 0), Reason.NONE),
        (("FREQ(5,10)",), Options(zero_unsafe=True), (0.0, 0), Reason.ZERO),
        (("NK(1,85)",), Options(), (100.0, 9, 86.0, 5.0), Reason.DOMINANCE),
        (("NK(1,85)",), Options(), (100.0, 9, 85.0, 5.0), Reason.NONE),
        (("NK(2,90)",), Options(), (100.0, 9, 60.0, 31.0), Reason.DOMINANCE),
        (("P(10,1)",), Options(), (100.0, 9, 60.0, 35.0), Reason.P_PERCENT),
        (("P(10,1)",), Options(), (100.0, 9, 60.0, 30.0), Reason.NONE),
        (("FREQ(5,10)", "NK(1,85)"), Options(), (100.0, 3, 90.0, 5.0), Reason.FREQUENCY),
    ],
)
def test_primary_reason(
    rules: tuple[str, ...], options: Options, cell: tuple[float, ...], reason: Reason
) -> None:
    parsed = tuple(parse_rule(r) for r in rules)
    found = primary_reasons(_cells(*cell), parsed, options)  # type: ignore[arg-type]
    assert REASONS[found[0]] is reason


def test_interval_percent_is_bounded() -> None:
    with pytest.raises(InvalidInput):
        Options(interval_percent=150)
