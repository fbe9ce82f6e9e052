"""Protection intervals set by the dominance rules themselves (tau-Argus's protection levels).

NK(n,k): the cell must be uncertain up to 100/k (x1 + ... + xn) - X, what it lacks for its n
largest units to weigh k% of it; P(p,n): up to p/100 x1 - (X - x1 - ... - x(n+1)), what the
others lack to hide x1 within p% (libtauargus, Table.cpp, SetProtectionLevelCell).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policies.secrecy import Dimension, Options, audit, protect
from policies.secrecy.cli import main
from policies.secrecy.rules import CellStats, parse_rule, protection_percent
from policies.secrecy.status import Status


def _stats(value: float, top1: float, top2: float, freq: int = 5) -> CellStats:
    arrays = [np.array([x]) for x in (value, freq, top1, top2)]
    return CellStats(*arrays, owner=np.array([-1]))  # type: ignore[arg-type]


def test_each_rule_sets_what_the_cell_lacks_to_satisfy_it() -> None:
    cell = _stats(100.0, 90.0, 5.0)
    rules = (parse_rule("NK(1,85)"), parse_rule("P(10,1)"))
    derived = Options(rule_intervals=True)
    # NK(1,85): 100/85 x 90 - 100 = 5.88...; P(10,1): 10% x 90 - (100 - 95) = 4.
    assert protection_percent(cell, rules[:1], derived) == pytest.approx([100 / 85 * 90 - 100])
    assert protection_percent(cell, rules[1:], derived) == pytest.approx([4.0])
    assert protection_percent(cell, rules, derived) == pytest.approx([100 / 85 * 90 - 100])
    # Off (the default), the table's interval; a safe cell keeps it either way.
    assert protection_percent(cell, rules, Options()) == 10.0
    assert protection_percent(_stats(100.0, 40.0, 30.0), rules, derived) == pytest.approx([10.0])


def test_a_strongly_dominated_cell_needs_more_than_the_tables_interval() -> None:
    """x1 is 99 of 100: NK(1,85) asks 100/85 x 99 - 100 = 16.5, more than 10%. Withholding b
    (10) leaves a within [0, 110]: enough at 10%, short of 116.5 at the rule's level."""
    line = Dimension("x", ["a", "b", "c"])
    cells = pd.DataFrame(
        {
            "x": ["a", "b", "c"],
            "value": [100.0, 10.0, 80.0],
            "freq": [6, 8, 9],
            "top1": [99.0, 4.0, 20.0],
            "top2": [0.2, 3.0, 15.0],
        }
    )
    need = 100 / 85 * 99 - 100
    percent = np.array([need, 10.0, 10.0])  # the rows' intervals, a's set by its rule
    for mode in ("heuristic", "exact"):
        table_wide = protect([line], cells, rules=["NK(1,85)"], mode=mode)
        derived = protect(
            [line], cells, rules=["NK(1,85)"], options=Options(rule_intervals=True), mode=mode
        )
        assert table_wide.ok and derived.ok
        assert _secondaries(table_wide) == {"b"}
        assert _secondaries(derived) == {"c"}
        a = derived.table.cell_id(("a",))
        assert derived.report.lower[a] <= 100 - need + 1e-6
        assert derived.report.upper[a] >= 100 + need - 1e-6
        for result, safe in ((derived, True), (table_wide, False)):
            frame = result.cells[["x", "value", "freq", "status"]].reset_index(drop=True)
            rows = frame["x"].map({"a": 0, "b": 1, "c": 2, "Total": 1}).to_numpy()
            assert audit([line], frame, interval_percent=percent[rows]).ok is safe


def _secondaries(result) -> set[str]:  # type: ignore[no-untyped-def]
    frame = result.cells
    return set(frame.loc[frame["status"] == Status.SECONDARY.value, "x"])


def test_the_command_line_writes_the_rules_intervals(tmp_path: Path) -> None:
    (tmp_path / "cells.csv").write_text(
        "x,value,n,t1,t2\na,100,6,99,0.2\nb,60,8,15,10\nc,80,9,20,15\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    args = ["protect", f"--cells={tmp_path / 'cells.csv'}", "--value=value", "--freq=n"]
    args += ["--top=t1,t2", "--dim=x", "--rule=NK(1,85)", "--rule-intervals", f"--out={out}"]
    assert main(args) == 0
    written = pd.read_csv(out).set_index("x")
    assert written.loc["a", "interval_percent"] == pytest.approx(100 / 85 * 99 - 100)
    audit_args = ["audit", f"--cells={out}", "--value=value", "--dim=x"]
    assert main(audit_args) == 0  # the intervals written are the ones checked
