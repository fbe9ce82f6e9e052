"""Primary rules: tau-Argus notation and the cells each rule makes unsafe."""

import pickle
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policies.errors import InvalidInput
from policies.secrecy import (
    RULE_KINDS,
    DominanceRule,
    FreqRule,
    MalformedRule,
    Options,
    PPercentRule,
    Reason,
    Rule,
    RuleError,
    UnsupportedRule,
    parse_rule,
)
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


# --- one notation: every kind reads back what it writes ------------------------------------


def _parameter(whole: bool) -> st.SearchStrategy[float]:
    """Any parameter a rule might hold: small and large counts, percentages and beyond."""
    if whole:
        return st.one_of(st.just(1), st.just(2), st.integers(0, 10**9))
    return st.one_of(st.integers(0, 100).map(float), st.floats(0, 120, allow_nan=False))


@st.composite
def _rules(draw: st.DrawFn, kind: type[Rule]) -> Rule:
    values = {f.name: draw(_parameter(f.type in (int, "int"))) for f in fields(kind)}
    try:
        return kind(**values)
    except UnsupportedRule:
        assume(False)
        raise


@pytest.mark.parametrize("kind", RULE_KINDS.values(), ids=lambda kind: kind.name())
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_rule_reads_back_what_it_writes(kind: type[Rule], data: st.DataObject) -> None:
    rule = data.draw(_rules(kind))
    written = str(rule)
    assert parse_rule(written) == rule
    assert " " not in written and written.startswith(f"{kind.name()}(")
    assert parse_rule(f" {written.lower().replace(',', ' , ')} ") == rule


@pytest.mark.parametrize("kind", RULE_KINDS.values(), ids=lambda kind: kind.name())
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_rule_explains_itself_in_french(kind: type[Rule], data: st.DataObject) -> None:
    rule = data.draw(_rules(kind))
    text = rule.explain_fr("foyers contributeurs")
    assert text.startswith(f"{rule} : une cellule ") and text.endswith(").")
    assert "." not in text.removeprefix(str(rule))[:-1]  # decimals in French: 85,5


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("FREQ(3", MalformedRule),
        ("NK(1)", MalformedRule),
        ("FREQ(2.5,1)", MalformedRule),
        ("FREQ(1.2.3)", MalformedRule),
        ("FREQ(0,10)", UnsupportedRule),
        ("NK(1,150)", UnsupportedRule),
        ("P(10,2)", UnsupportedRule),
    ],
)
def test_faults_are_told_apart(text: str, error: type[RuleError]) -> None:
    with pytest.raises(error) as caught:
        parse_rule(text)
    assert caught.value.text == text
    assert pickle.loads(pickle.dumps(caught.value)).detail == caught.value.detail


@pytest.mark.parametrize(
    ("rule", "tops", "reason"),
    [
        (FreqRule(5, 10.0), 0, Reason.FREQUENCY),
        (DominanceRule(1, 85.0), 1, Reason.DOMINANCE),
        (DominanceRule(2, 90.0), 2, Reason.DOMINANCE),
        (PPercentRule(10.0, 1), 2, Reason.P_PERCENT),
    ],
)
def test_what_each_rule_reads_and_names(rule: Rule, tops: int, reason: Reason) -> None:
    assert (rule.top_units, rule.reason) == (tops, reason)
