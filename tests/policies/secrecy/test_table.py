"""Building the full table: margins of every hierarchy and group, top contributions."""

import numpy as np
import pandas as pd
import pytest

from policies.errors import InvalidInput
from policies.secrecy import Dimension, Hierarchy, build_from_microdata, build_table

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


def test_a_code_naming_two_sets_is_refused() -> None:
    dim = Dimension("geo", ["a", "b", "c"], [Hierarchy.from_hrc(GEO_HRC)], {"D1": ["a"]})
    with pytest.raises(InvalidInput, match="deux ensembles"):
        build_table([dim, AGE], CELLS)
