"""tau-Argus (pytauargus, HiGHS) as the field's reference, on small tables.

tau-Argus and our engine protect the same tables with FREQ(5,10); both patterns must pass our
interval audit and both engines must mark the same primary cells. tau-Argus takes one
hierarchy per explanatory variable: a table also published by EPCI (a hierarchy that does not
nest in the départements) is given to tau-Argus with the département hierarchy only, and its
pattern then discloses cells through the EPCI totals, which our audit detects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.secrecy_vs_tauargus import collapse, extend, run_tauargus
from policies.secrecy import Dimension, Hierarchy, audit, cell_ids, protect
from policies.secrecy.status import Status

pytest.importorskip("pytauargus")

RULE = "FREQ(5,10)"
COMMUNES = ["c1", "c2", "c3", "c4", "c5", "c6"]
AGES = Dimension("age", ["a1", "a2", "a3", "a4"])
DEPARTEMENTS = Hierarchy.from_parents(
    {"R": "Total", "D1": "R", "D2": "R"}
    | dict.fromkeys(COMMUNES[:3], "D1")
    | dict.fromkeys(COMMUNES[3:], "D2"),
    "géographie",
)
# Each EPCI joins one commune of D1 and one of D2: it nests in no département.
EPCI = Hierarchy.from_parents(
    {"E1": "Total", "E2": "Total", "E3": "Total"}
    | {"c1": "E1", "c4": "E1", "c2": "E2", "c5": "E2", "c3": "E3", "c6": "E3"},
    "epci",
)
SAME = [Dimension("commune", COMMUNES, [DEPARTEMENTS]), AGES]
BOTH = [Dimension("commune", COMMUNES, [DEPARTEMENTS, EPCI]), AGES]
# Foyer counts: the unsafe cells (fewer than 5 foyers) all lie in département D1.
COUNTS = np.array(
    [
        [3, 21, 34, 18],
        [26, 2, 29, 40],
        [31, 24, 4, 27],
        [22, 35, 28, 30],
        [38, 25, 33, 19],
        [27, 41, 23, 36],
    ]
)


def _leaves(counts: np.ndarray) -> pd.DataFrame:
    rows = [
        (commune, age, float(counts[i, j]), int(counts[i, j]))
        for i, commune in enumerate(COMMUNES)
        for j, age in enumerate(AGES.leaves)
    ]
    return pd.DataFrame(rows, columns=["commune", "age", "value", "freq"])


def _primary(frame: pd.DataFrame) -> set[tuple[str, str]]:
    chosen = frame[frame["status"] == Status.PRIMARY.value]
    return set(zip(chosen["commune"], chosen["age"], strict=True))


@pytest.fixture(scope="module")
def tauargus() -> dict[str, pd.DataFrame]:
    """tau-Argus OPT and MOD patterns of the table, département hierarchy only."""
    return {m: run_tauargus(SAME, _leaves(COUNTS), m, rule=RULE).cells for m in ("OPT", "MOD")}


def test_collapse_removes_single_child_nodes() -> None:
    parents = {"R": "Total", "D": "R", "x": "D", "y": "D", "E": "D", "z": "E"}
    reduced, alias = collapse(parents)
    # R is the total (its only child D is then the total), E is z.
    assert alias == {"D": "Total", "E": "z", "R": "Total"}
    assert reduced == {"x": "Total", "y": "Total", "z": "Total"}


@pytest.mark.parametrize("method", ["OPT", "MOD"])
def test_same_table_both_patterns_pass_our_audit(
    tauargus: dict[str, pd.DataFrame], method: str
) -> None:
    ours = protect(SAME, _leaves(COUNTS), rules=[RULE])
    assert ours.ok
    assert audit(SAME, ours.cells, interval_percent=10).ok
    theirs = extend(SAME, _leaves(COUNTS), tauargus[method])
    # tau-Argus's output lists every cell of the table (the région R duplicates the total).
    assert len(tauargus[method]) == len(ours.cells)
    assert _primary(theirs) == _primary(ours.cells) == {("c1", "a1"), ("c2", "a2"), ("c3", "a3")}
    # Its pattern passes our interval audit on the table it saw.
    assert audit(SAME, theirs, interval_percent=10, singleton=False).ok
    suppressed = theirs["status"].isin(["U", "M"])
    assert (theirs.loc[suppressed, "commune"].isin(["c1", "c2", "c3", "D1"])).all()


@pytest.mark.parametrize("method", ["OPT", "MOD"])
def test_epci_totals_disclose_the_tauargus_pattern(
    tauargus: dict[str, pd.DataFrame], method: str
) -> None:
    leaves = _leaves(COUNTS)
    ours = protect(BOTH, leaves, rules=[RULE])
    assert ours.ok
    assert audit(BOTH, ours.cells, interval_percent=10).ok
    assert _primary(ours.cells) >= {("c1", "a1"), ("c2", "a2"), ("c3", "a3")}

    # tau-Argus's pattern, published along with the true EPCI totals.
    theirs = extend(BOTH, leaves, tauargus[method])
    report = audit(BOTH, theirs, interval_percent=10, singleton=False)
    assert not report.ok
    ids = pd.Series(
        cell_ids(BOTH, theirs), index=pd.MultiIndex.from_frame(theirs[["commune", "age"]])
    )
    # Every unsafe cell is exactly computable: E1 x a1 = c1 x a1 + c4 x a1, c4 x a1 published.
    for commune, age in [("c1", "a1"), ("c2", "a2"), ("c3", "a3")]:
        cell = ids[(commune, age)]
        assert cell in report.unprotected
        value = COUNTS[COMMUNES.index(commune), AGES.leaves.index(age)]
        assert report.lower[cell] == pytest.approx(value)
        assert report.upper[cell] == pytest.approx(value)


def test_one_dimension_flat_table() -> None:
    """A 1-D table without hierarchy: both engines suppress a second cell and agree."""
    leaves = pd.DataFrame(
        {"commune": COMMUNES, "value": [3.0, 12, 30, 7, 25, 40], "freq": [3, 12, 30, 7, 25, 40]}
    )
    dims = [Dimension("commune", COMMUNES)]
    ours = protect(dims, leaves, rules=[RULE])
    assert ours.ok
    for method in ("OPT", "MOD"):
        theirs = extend(dims, leaves, run_tauargus(dims, leaves, method, rule=RULE).cells)
        assert set(theirs.loc[theirs["status"] == "U", "commune"]) == {"c1"}
        assert audit(dims, theirs, interval_percent=10, singleton=False).ok
        # The cheapest complement: the smallest cell (7) covers 10% of 3.
        assert set(theirs.loc[theirs["status"] == "M", "commune"]) == {"c4"}
    assert set(ours.cells.loc[ours.cells["status"] == "M", "commune"]) == {"c4"}
