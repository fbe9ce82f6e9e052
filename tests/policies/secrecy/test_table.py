"""Building the full table: margins of every hierarchy and group, top contributions."""

import numpy as np
import pandas as pd
import pytest

from policies.errors import InvalidInput
from policies.secrecy import (
    Dimension,
    Hierarchy,
    Options,
    build_from_microdata,
    build_table,
    protect,
)

GEO_HRC = "D1\n@a\n@b\nD2\n@c\n"
GEO = Dimension(
    "geo",
    ["a", "b", "c"],
    [
        Hierarchy.from_hrc(GEO_HRC),
        Hierarchy.from_parents({"a": "E", "b": "F", "c": "F", "E": "Total", "F": "Total"}),
    ],
    {"Z": ["a", "c"]},
)
AGE = Dimension("age", ["y", "o"])
CELLS = pd.DataFrame(
    {
        "geo": ["a", "a", "b", "c"],
        "age": ["y", "o", "y", "o"],
        "value": [10.0, 5.0, 3.0, 7.0],
        "freq": [2, 1, 1, 3],
        "top1": [6.0, 5.0, 3.0, 4.0],
        "top2": [4.0, 0.0, 0.0, 2.0],
    }
)


def _stats(table: object) -> pd.DataFrame:
    frame = table.keys()  # type: ignore[attr-defined]
    stats = table.stats  # type: ignore[attr-defined]
    for name in ("value", "freq", "top1", "top2"):
        frame[name] = getattr(stats, name)
    return frame.set_index(["geo", "age"])


@pytest.mark.parametrize(
    ("cell", "value", "freq", "top1", "top2"),
    [
        (("Total", "Total"), 25.0, 7, 6.0, 5.0),
        (("D1", "Total"), 18.0, 4, 6.0, 5.0),
        (("F", "Total"), 10.0, 4, 4.0, 3.0),
        (("Z", "y"), 10.0, 2, 6.0, 4.0),
        (("D2", "y"), 0.0, 0, 0.0, 0.0),
        (("b", "o"), 0.0, 0, 0.0, 0.0),
    ],
)
def test_margins(cell: tuple[str, str], value: float, freq: int, top1: float, top2: float) -> None:
    row = _stats(build_table([GEO, AGE], CELLS)).loc[cell]
    assert (row["value"], row["freq"], row["top1"], row["top2"]) == (value, freq, top1, top2)


def test_every_relation_holds_and_every_code_is_crossed() -> None:
    table = build_table([GEO, AGE], CELLS)
    assert table.size == len(table.keys()) == (1 + 2 + 2 + 1 + 3) * 3
    assert np.allclose(table.relations @ table.stats.value, 0.0)
    assert np.allclose(table.relations @ table.stats.freq, 0.0)


def test_microdata_counts_holdings_not_rows() -> None:
    micro = pd.DataFrame(
        {
            "geo": ["a", "a", "a", "b", "c", "c"],
            "age": ["y", "y", "o", "y", "o", "o"],
            "value": [6.0, 4.0, 5.0, 3.0, 4.0, 3.0],
            "h": [1, 2, 1, 3, 4, 4],
        }
    )
    stats = _stats(build_from_microdata([GEO, AGE], micro, "h"))
    # Holding 1 contributes 6 + 5 to commune a: one unit of 11, dominant in the margin.
    assert tuple(stats.loc[("a", "Total"), ["value", "freq", "top1", "top2"]]) == (15, 2, 11, 4)
    assert tuple(stats.loc[("c", "o"), ["value", "freq", "top1"]]) == (7, 1, 7)
    assert stats.loc[("Total", "Total"), "freq"] == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("D1\n@@a\n", "ligne 2"),
        ("D1\n@a\n@a\n", "double"),
        ("D1\n@a\n@b\n@c\n@x\n", "ligne 5 : code inconnu « x »"),
        ("D1\n@a\n@b\n", "« c » de geo est absente"),
    ],
)
def test_bad_hierarchy_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        dim = Dimension("geo", ["a", "b", "c"], [Hierarchy.from_hrc(text, name="geo.hrc")])
        build_table([dim, AGE], CELLS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"geo": ["a", "a", "b", "x"]}, "ligne 5 : code « x » inconnu"),
        ({"age": ["y", "y", "y", "o"]}, "ligne 3 : cellule en double"),
        ({"freq": [2, -1, 1, 3]}, "ligne 3 : effectif négatif"),
    ],
)
def test_bad_cells_are_refused(change: dict[str, list[object]], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        build_table([GEO, AGE], CELLS.assign(**change))


def test_a_dimension_without_codes_is_refused() -> None:
    """No leaf code (an empty cells file, an empty hierarchy): refused, not a KeyError."""
    with pytest.raises(InvalidInput, match="Dimension geo : aucun code feuille"):
        build_table([Dimension("geo", []), AGE], CELLS.iloc[:0])
    with pytest.raises(InvalidInput, match=r"geo\.hrc : aucun code"):
        Hierarchy.from_hrc("\n", name="geo.hrc")


def test_a_code_naming_two_sets_is_refused() -> None:
    dim = Dimension("geo", ["a", "b", "c"], [Hierarchy.from_hrc(GEO_HRC)], {"D1": ["a"]})
    with pytest.raises(InvalidInput, match="deux ensembles"):
        build_table([dim, AGE], CELLS)


# --- the n largest contributions, n > 2 ------------------------------------------------------

# Units per leaf (distinct across leaves), largest first; top1..top3 as a leaf file gives them.
UNITS = {
    ("a", "y"): [6.0, 3.0, 1.0],
    ("a", "o"): [5.0],
    ("b", "y"): [3.0, 3.0],
    ("c", "o"): [4.0, 2.0, 1.0],
}
THREE = pd.DataFrame(
    [
        (geo, age, sum(units), len(units), *[*sorted(units, reverse=True), 0.0, 0.0][:3])
        for (geo, age), units in UNITS.items()
    ],
    columns=["geo", "age", "value", "freq", "top1", "top2", "top3"],
)


def _largest(table: object, cell: tuple[str, str], n: int) -> list[float]:
    stats = table.stats  # type: ignore[attr-defined]
    row = _stats(table).index.get_loc(cell)
    columns = [stats.top1, stats.top2] + ([] if stats.more is None else list(stats.more.T))
    return [float(column[row]) for column in columns[:n]]


@pytest.mark.parametrize(
    ("cell", "largest"),
    [
        (("Total", "Total"), [6.0, 5.0, 4.0]),
        (("D1", "y"), [6.0, 3.0, 3.0]),  # a tie across two leaves is two units
        (("D1", "Total"), [6.0, 5.0, 3.0]),
        (("F", "Total"), [4.0, 3.0, 3.0]),
        (("Z", "o"), [5.0, 4.0, 2.0]),
        (("c", "Total"), [4.0, 2.0, 1.0]),
        (("b", "o"), [0.0, 0.0, 0.0]),
    ],
)
def test_three_largest_from_leaf_cells(cell: tuple[str, str], largest: list[float]) -> None:
    assert _largest(build_table([GEO, AGE], THREE), cell, 3) == largest


def test_microdata_keeps_as_many_largest_as_asked() -> None:
    micro = pd.DataFrame(
        [
            (geo, age, amount, f"{geo}{age}{k}")
            for (geo, age), units in UNITS.items()
            for k, amount in enumerate(units)
        ],
        columns=["geo", "age", "value", "h"],
    )
    table = build_from_microdata([GEO, AGE], micro, "h", tops=4)
    assert _largest(table, ("Total", "Total"), 4) == [6.0, 5.0, 4.0, 3.0]
    assert _largest(table, ("D1", "y"), 4) == [6.0, 3.0, 3.0, 3.0]


def test_a_holding_spanning_leaves_is_one_unit_of_each_margin() -> None:
    """Foyer h1 has 4 in (a, y), 3 in (b, y) and 2 in (c, o): one unit of 9 in the total."""
    micro = pd.DataFrame(
        {
            "geo": ["a", "b", "c", "a", "b", "c", "c"],
            "age": ["y", "y", "o", "y", "y", "o", "o"],
            "value": [4.0, 3.0, 2.0, 5.0, 1.0, 2.0, 1.5],
            "h": ["h1", "h1", "h1", "h2", "h3", "h4", "h5"],
        }
    )
    table = build_from_microdata([GEO, AGE], micro, "h", tops=3)
    stats = _stats(table)
    assert stats.loc[("Total", "Total"), "freq"] == 5  # seven lines, five foyers
    assert _largest(table, ("Total", "Total"), 3) == [9.0, 5.0, 2.0]
    assert stats.loc[("D1", "y"), "freq"] == 3  # h1 (4 + 3), h2, h3
    assert _largest(table, ("D1", "y"), 3) == [7.0, 5.0, 1.0]
    # On the total, 9 + 5 + 2 = 16 of 18.5 is 86 %: NK(3,85) flags it, NK(3,90) does not.
    result = protect(
        [GEO, AGE],
        microdata=micro,
        holding="h",
        rules=["NK(3,85)"],
        options=Options(singleton=False),
    )
    got = result.cells.set_index(["geo", "age"])
    assert got.loc[("Total", "Total"), "reason"] == "dominance"
    result = protect(
        [GEO, AGE],
        microdata=micro,
        holding="h",
        rules=["NK(3,90)"],
        options=Options(singleton=False),
    )
    assert result.cells.set_index(["geo", "age"]).loc[("Total", "Total"), "status"] != "U"


def test_rising_tops_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"ligne 3 : contributions top1, top2\.\.\. attendues"):
        build_table([GEO, AGE], THREE.assign(top3=[1.0, 2.0, 0.0, 1.0]))


def test_a_rule_reading_three_needs_top3() -> None:
    with pytest.raises(InvalidInput, match="colonne top3"):
        protect([GEO, AGE], THREE.drop(columns="top3"), rules=["NK(3,90)"])
