"""Classic traps of secondary suppression, each built by hand."""

import numpy as np
import pandas as pd

from policies.secrecy import (
    Apriori,
    Dimension,
    Hierarchy,
    Options,
    audit,
    audit_pattern,
    build_table,
    protect,
)
from policies.secrecy.status import Status

ROWS = Dimension("r", ["r1", "r2", "r3", "r4"])
COLS = Dimension("c", ["c1", "c2", "c3", "c4"])
VALUES = np.array([[20, 30, 25, 40], [35, 22, 28, 31], [27, 33, 24, 36], [29, 26, 38, 21]])


def _grid(values: np.ndarray, freq: np.ndarray | None = None) -> pd.DataFrame:
    rows = [
        (
            f"r{i + 1}",
            f"c{j + 1}",
            float(values[i, j]),
            int(values[i, j] if freq is None else freq[i, j]),
        )
        for i in range(values.shape[0])
        for j in range(values.shape[1])
    ]
    return pd.DataFrame(rows, columns=["r", "c", "value", "freq"])


def _status(
    frame: pd.DataFrame, suppressed: set[tuple[str, str]], primary: tuple[str, str]
) -> pd.DataFrame:
    frame = frame.copy()
    keys = list(zip(frame["r"], frame["c"], strict=True))
    frame["status"] = ["U" if k == primary else "M" if k in suppressed else "S" for k in keys]
    return frame


def test_four_by_four_with_two_per_line_can_still_disclose() -> None:
    table = build_table([ROWS, COLS], _grid(VALUES))
    frame = table.keys().assign(value=table.stats.value, freq=table.stats.freq)
    # Two closed 2x2 blocks joined by one bridge cell: every row and column holds at least
    # two suppressed cells, yet the bridge is recomputable from the margins.
    blocks = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    blocks |= {("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4")}
    report = audit(
        [ROWS, COLS], _status(frame, blocks | {("r1", "c3")}, ("r1", "c3")), interval_percent=10
    )
    bridge = table.cell_id(("r1", "c3"))
    assert not report.ok
    assert report.lower[bridge] == report.upper[bridge] == VALUES[0, 2]
    result = protect(
        [ROWS, COLS], _grid(VALUES), rules=["FREQ(21,10)"], options=Options(singleton=False)
    )
    assert result.ok
    assert audit([ROWS, COLS], result.cells, interval_percent=10).ok


def test_two_singletons_in_one_relation_are_not_left_alone() -> None:
    freq = np.full((4, 4), 9)
    freq[0, 0] = freq[0, 1] = 1
    result = protect([ROWS, COLS], _grid(VALUES, freq), rules=["FREQ(3,10)"])
    cells = result.cells.set_index(["r", "c"])
    assert set(cells.index[cells["status"] == Status.PRIMARY.value]) == {("r1", "c1"), ("r1", "c2")}
    # Row r1 must hold a third suppressed cell: otherwise each singleton recomputes the other.
    row = cells.loc["r1"].drop(index="Total")
    assert (row["status"].isin(["U", "M"])).sum() >= 3
    assert result.ok


def test_custom_zone_differing_from_epci_by_one_small_commune() -> None:
    geo = Dimension(
        "geo",
        ["a", "b", "c", "d"],
        [
            Hierarchy.from_parents(
                {"a": "E1", "b": "E1", "c": "E1", "d": "E2", "E1": "Total", "E2": "Total"}
            )
        ],
        {"Z": ["a", "b"]},
    )
    age = Dimension("age", ["y", "o"])
    cells = pd.DataFrame(
        {
            "geo": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "age": ["y", "o"] * 4,
            "value": [40.0, 50, 30, 45, 2, 3, 60, 70],
            "freq": [40, 50, 30, 45, 2, 3, 60, 70],
        }
    )
    result = protect([geo, age], cells, rules=["FREQ(5,10)"], options=Options(singleton=False))
    out = result.cells.set_index(["geo", "age"])
    # E1 - Z = commune c: publishing both would disclose c.
    assert out.loc[("c", "y"), "status"] == "U"
    assert out.loc[("E1", "y"), "status"] in ("M", "U") or out.loc[("Z", "y"), "status"] in (
        "M",
        "U",
    )
    assert result.ok


def test_dominant_unit_spread_over_cells_is_caught_from_microdata() -> None:
    rows = Dimension("r", ["r1", "r2"])
    cols = Dimension("c", ["c1", "c2", "c3"])
    micro = pd.DataFrame(
        {
            "r": ["r1", "r1", "r1", "r1", "r2", "r2", "r2", "r2", "r2"],
            "c": ["c1", "c2", "c3", "c1", "c1", "c2", "c3", "c2", "c3"],
            "value": [50.0, 45.0, 40.0, 6.0, 20.0, 22.0, 21.0, 19.0, 18.0],
            "holding": ["big", "big", "big", "x", "y", "z", "w", "v", "u"],
        }
    )
    result = protect([rows, cols], microdata=micro, holding="holding", rules=["NK(1,85)"])
    out = result.cells.set_index(["r", "c"])
    # The big holding is 135 of 141 in row r1: the row margin is dominated, not just its cells.
    assert out.loc[("r1", "Total"), "reason"] == "dominance"
    assert result.ok


def test_linked_tables_safe_alone_disclose_together() -> None:
    # Two tables share the commune totals: age x commune and sex x commune.
    geo = Dimension("geo", ["a", "b", "c"])
    age = Dimension("age", ["y", "o"])
    first = protect(
        [geo, age],
        pd.DataFrame(
            {
                "geo": list("abbcc"),
                "age": ["y", "y", "o", "y", "o"],
                "value": [50.0, 80, 70, 60, 90],
                "freq": [2, 8, 7, 6, 9],
            }
        ),
        rules=["FREQ(3,10)"],
        options=Options(singleton=False),
    )
    assert first.ok
    # Whatever the first table withheld among commune totals must be withheld again in the
    # second one; the a-priori statuses carry that over and the combined audit passes.
    shown = first.cells[first.cells["age"] == "Total"].set_index("geo")["status"]
    apriori = {
        (g, "Total"): Apriori.SUPPRESSED if s in ("U", "M") else Apriori.PUBLISHED
        for g, s in shown.items()
    }
    # The second table is a magnitude table under NK(1,85): commune a's total is safe there,
    # while the first table must withhold it (it equals the unsafe cell a,y).
    sex = Dimension("sex", ["f", "m"])
    second_cells = pd.DataFrame(
        {
            "geo": list("aabbcc"),
            "sex": ["f", "m"] * 3,
            "value": [30.0, 20, 70, 80, 70, 80],
            "freq": [1, 1, 7, 8, 7, 8],
            "top1": [30.0, 20, 10, 10, 10, 10],
            "top2": [0.0, 0, 10, 10, 10, 10],
        }
    )
    second = protect(
        [geo, sex],
        second_cells,
        rules=["NK(1,85)"],
        options=Options(singleton=False),
        apriori=apriori,
    )
    assert second.ok
    naive = protect([geo, sex], second_cells, rules=["NK(1,85)"], options=Options(singleton=False))
    for other, expect in ((naive, False), (second, True)):
        relations, values, hidden, primary = _combine(first, other)
        report = audit_pattern(relations, values, hidden, primary, 10.0)
        assert report.ok is expect


def _combine(first, second):  # type: ignore[no-untyped-def]
    """Stack two tables' relations, identifying their shared (commune, Total) cells."""
    from scipy import sparse

    n1 = first.table.size
    keys2 = second.cells
    shared = {
        i: first.table.cell_id((g, "Total"))
        for i, (g, s) in enumerate(zip(keys2["geo"], keys2["sex"], strict=True))
        if s == "Total"
    }
    mapping = np.array([shared.get(i, n1 + i) for i in range(second.table.size)])
    r2 = sparse.coo_array(second.table.relations)
    r2 = sparse.coo_array(
        (r2.data, (r2.row, mapping[r2.col])), shape=(r2.shape[0], n1 + second.table.size)
    )
    r1 = sparse.coo_array(first.table.relations)
    r1 = sparse.coo_array((r1.data, (r1.row, r1.col)), shape=(r1.shape[0], n1 + second.table.size))
    relations = sparse.csr_array(sparse.vstack([r1, r2]))
    values = np.zeros(n1 + second.table.size)
    shown = np.zeros(values.size, dtype=bool)
    primary = np.zeros(values.size, dtype=bool)
    for result, ids in ((second, mapping), (first, np.arange(n1))):
        values[ids] = result.cells["value"].to_numpy()
        # A shared cell published by either table is known to everybody.
        shown[ids] |= ~result.cells["status"].isin(["U", "M"]).to_numpy()
        primary[ids] |= (result.cells["status"] == "U").to_numpy()
    return relations, values, ~shown, primary
