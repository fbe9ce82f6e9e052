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
from policies.secrecy.rules import CellStats, primary_reasons, protection_percent
from policies.secrecy.status import REASONS


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("FREQ(5,10)", FreqRule(5, 10.0)),
        ("freq(3)", FreqRule(3, 0.0)),
        (" NK(1, 85) ", DominanceRule(1, 85.0)),
        ("NK(2,90)", DominanceRule(2, 90.0)),
        ("P(10,1)", PPercentRule(10.0, 1)),
        ("NK(3,90)", DominanceRule(3, 90.0)),
        ("P(15, 2)", PPercentRule(15.0, 2)),
        ("p(10)", PPercentRule(10.0, 1)),
    ],
)
def test_parse_rule(text: str, rule: object) -> None:
    assert parse_rule(text) == rule


@pytest.mark.parametrize(
    "text",
    [
        "FREQ",
        "FREQ(0,10)",
        "FREQ(2.5,1)",
        "NK(0,80)",
        "NK(21,80)",
        "NK(1)",
        "P(10,0)",
        "DOM(1,2)",
        "",
    ],
)
def test_malformed_rule_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="Règle"):
        parse_rule(text)


def _cells(value: float, freq: int, top1: float = 0.0, top2: float = 0.0) -> CellStats:
    arrays = (np.array([value]), np.array([freq]), np.array([top1]), np.array([top2]))
    return CellStats(*arrays, owner=np.array([-1]))


def _units(*amounts: float) -> CellStats:
    """One cell from its units' contributions, every one of them kept (largest first)."""
    top = np.array([sorted(amounts, reverse=True) + [0.0] * (6 - len(amounts))])
    return CellStats(
        np.array([float(sum(amounts))]),
        np.array([len(amounts)]),
        top[:, 0],
        top[:, 1],
        np.array([-1]),
        top[:, 2:],
    )


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
        return st.one_of(st.just(1), st.just(2), st.integers(1, 25), st.integers(0, 10**9))
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
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=st.data())
def test_every_rule_reads_back_what_it_writes(kind: type[Rule], data: st.DataObject) -> None:
    rule = data.draw(_rules(kind))
    written = str(rule)
    assert parse_rule(written) == rule
    assert " " not in written and written.startswith(f"{kind.name()}(")
    assert parse_rule(f" {written.lower().replace(',', ' , ')} ") == rule


@pytest.mark.parametrize("kind", RULE_KINDS.values(), ids=lambda kind: kind.name())
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
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
        ("P(10,0)", UnsupportedRule),
        ("NK(21,80)", UnsupportedRule),
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
        (DominanceRule(3, 90.0), 3, Reason.DOMINANCE),
        (PPercentRule(15.0, 2), 3, Reason.P_PERCENT),
    ],
)
def test_what_each_rule_reads_and_names(rule: Rule, tops: int, reason: Reason) -> None:
    assert (rule.top_units, rule.reason) == (tops, reason)


# --- any n: hand-computed cells ------------------------------------------------------------

# One cell of five units: 40, 30, 20, 6, 4 (X = 100). NK(n,k) flags x1 + ... + xn > k% X; P(p,n)
# flags X - (x1 + ... + x(n+1)) < p% x1, the tau-Argus definitions (libtauargus, DataCell.cpp,
# GetPQCell with q = 100; sdcTable's p rule is P(p,1)).
FIVE = (40.0, 30.0, 20.0, 6.0, 4.0)


@pytest.mark.parametrize(
    ("rule", "amounts", "unsafe"),
    [
        ("NK(1,39)", FIVE, True),  # 40 > 39
        ("NK(2,70)", FIVE, False),  # 70 > 70: no
        ("NK(3,85)", FIVE, True),  # 90 > 85
        ("NK(3,90)", FIVE, False),  # 90 > 90: no
        ("NK(4,95)", FIVE, True),  # 96 > 95
        ("NK(5,99.9)", FIVE, True),  # a cell of n units or fewer is always dominated
        ("NK(6,99.9)", FIVE, True),
        ("NK(3,99)", (50.0, 50.0), True),
        ("P(10,1)", FIVE, False),  # 100 - 70 = 30 < 4: no
        ("P(30,2)", FIVE, True),  # 100 - 90 = 10 < 12
        ("P(25,2)", FIVE, False),  # 10 < 10: no
        ("P(10,3)", FIVE, False),  # 100 - 96 = 4 < 4: no
        ("P(11,3)", FIVE, True),  # 4 < 4.4
        ("P(1,4)", FIVE, True),  # the four others know everything: 0 < 0.4
        ("P(15,2)", (50.0, 20.0, 10.0, 10.0, 5.0, 5.0), False),  # 100 - 80 = 20 < 7.5: no
        ("P(50,2)", (50.0, 20.0, 10.0, 10.0, 5.0, 5.0), True),  # 20 < 25
    ],
)
def test_rules_with_any_n(rule: str, amounts: tuple[float, ...], unsafe: bool) -> None:
    assert bool(parse_rule(rule).unsafe(_units(*amounts))[0]) is unsafe


def test_a_rule_reading_more_contributions_than_kept_is_refused() -> None:
    with pytest.raises(InvalidInput, match="top1 à top3"):
        parse_rule("NK(3,90)").unsafe(_cells(100.0, 9, 60.0, 30.0))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("FREQ(0,10)", "n, le nombre minimal de contributeurs"),
        ("FREQ(5,100)", "r, la marge de protection en %"),
        ("FREQ(2.5,10)", "FREQ(n,r) : n doit être un nombre entier"),
        ("NK(0,80)", "n, le nombre de plus gros contributeurs"),
        ("NK(2.5,80)", "NK(n,k) : n doit être un nombre entier"),
        ("NK(3,0)", "k, le pourcentage de dominance"),
        ("P(0,2)", "p, la précision en %"),
        ("P(120,1)", "p, la précision en %"),
        ("P(10,0)", "n, le nombre de contributeurs de la coalition"),
        ("P(10,1.5)", "P(p,n) : n doit être un nombre entier"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_parameter(text: str, named: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    assert named in caught.value.detail and f"« {text} »" in caught.value.detail


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("NK(3,90)", "lorsque ses 3 plus gros contributeurs en représentent plus de 90 %"),
        ("P(10,1)", "lorsqu'un autre contributeur pourrait estimer"),
        ("P(15,2)", "lorsqu'une coalition de 2 autres foyers pourrait estimer"),
        ("FREQ(5,5)", "(marge de protection : 5 %)"),
    ],
)
def test_each_rule_explains_its_n(rule: str, expected: str) -> None:
    assert expected in parse_rule(rule).explain_fr("foyers")


# --- FREQ(n,r): r is the protection interval of the cells it makes primary -----------------


def _column(*cells: tuple[float, int, float]) -> CellStats:
    """Cells as (value, units, largest contribution)."""
    value, freq, top1 = (np.array(column) for column in zip(*cells, strict=True))
    return CellStats(value, freq.astype(np.int64), top1, np.zeros(len(cells)), -np.ones(3, int))


def test_each_primary_cell_needs_its_rules_margin() -> None:
    # FREQ only / FREQ and dominance / dominance only.
    cells = _column((10.0, 3, 2.0), (10.0, 3, 9.0), (100.0, 9, 90.0))
    rules = (parse_rule("FREQ(5,5)"), parse_rule("NK(1,85)"))
    percent = protection_percent(cells, rules, Options(interval_percent=10))
    assert list(np.asarray(percent)) == [5.0, 10.0, 10.0]
    # A margin above the table's interval wins where both apply.
    rules = (parse_rule("FREQ(5,20)"), parse_rule("NK(1,85)"))
    assert list(np.asarray(protection_percent(cells, rules, Options()))) == [20.0, 20.0, 10.0]


def test_one_margin_for_all_stays_one_number() -> None:
    cells = _column((10.0, 3, 2.0), (10.0, 3, 9.0), (100.0, 9, 90.0))
    rules = (parse_rule("FREQ(5,10)"), parse_rule("NK(1,85)"))
    assert protection_percent(cells, rules, Options(interval_percent=10)) == 10.0
