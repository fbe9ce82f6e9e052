"""Aggregation matches a brute-force pandas groupby on the leaves; lookups refuse unknowns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.store import CellStore
from gateway.store.kernels import grouped_top2
from policies.errors import InvalidInput, NotFound
from tests.gateway.store.conftest import COMMUNES, PERIODS

GROUPS = {
    "dep01": COMMUNES[:15],
    "dep13": COMMUNES[15:],
    "zone": (COMMUNES[3], COMMUNES[20], COMMUNES[21]),
    "overlap": COMMUNES[10:20],
    "vide": (),
}


def top_two(values: pd.Series) -> tuple[float, float]:
    ranked = [*sorted(values, reverse=True), 0.0, 0.0]
    return ranked[0], ranked[1]


def brute_force(
    store: CellStore, indicator: str, periods: list[int], keys: list[str]
) -> pd.DataFrame:
    parts = []
    for name, communes in GROUPS.items():
        leaves = store.leaf_cells(indicator, periods, communes)
        for key, cell in leaves.groupby(keys):
            top1, top2 = top_two(pd.concat([cell["top1"], cell["top2"]]))
            row = dict(zip(keys, key, strict=True)) | {"group": name, "top1": top1, "top2": top2}
            parts.append(row | {"value": cell["value"].sum(), "freq": cell["freq"].sum()})
    return pd.DataFrame(parts)


@pytest.mark.parametrize("periods", [[2019], [2019, 2021], list(PERIODS)])
def test_aggregate_matches_brute_force(store: CellStore, periods: list[int]) -> None:
    keys = ["period", "age"]
    expected = brute_force(store, "X", periods, keys).set_index(["group", *keys]).sort_index()
    got = store.aggregate("X", periods, GROUPS).set_index(["group", *keys]).sort_index()
    assert len(got) == len(GROUPS) * len(periods) * 3  # zero cells included
    nonzero = got.loc[expected.index]
    for column in ("value", "freq", "top1", "top2"):
        np.testing.assert_allclose(nonzero[column], expected[column], err_msg=column)
    assert (got.drop(expected.index)[["value", "freq", "top1", "top2"]] == 0).all().all()


def test_total_over_categories_sums_exclusive_units(store: CellStore) -> None:
    by_age = store.aggregate("X", PERIODS, GROUPS).groupby(["group", "period"]).sum()
    total = store.aggregate("X", PERIODS, GROUPS, by_breakdown=False).set_index(["group", "period"])
    np.testing.assert_allclose(total["value"], by_age.loc[total.index, "value"])
    np.testing.assert_array_equal(total["freq"], by_age.loc[total.index, "freq"])


def test_total_freq_is_a_lower_bound_when_units_span_categories(store: CellStore) -> None:
    leaves = store.leaf_cells("Y", [2020], GROUPS["dep13"])
    expected = leaves.groupby("commune")["freq"].max().sum()
    total = store.aggregate("Y", [2020], {"dep13": GROUPS["dep13"]}, by_breakdown=False)
    assert total["freq"].tolist() == [expected]
    assert expected < leaves["freq"].sum()


@given(
    st.lists(
        st.lists(st.integers(1, 1_000), min_size=0, max_size=6).map(sorted), min_size=1, max_size=8
    )
)
def test_top2_of_a_union_is_the_top2_of_all_its_units(members: list[list[int]]) -> None:
    tops = np.array([([*m[::-1], 0, 0])[:2] for m in members], dtype=float)
    keys = np.zeros(len(members), dtype=np.int64)
    top1, top2 = grouped_top2(keys, tops[:, 0], tops[:, 1], 1)
    units = [*sorted((u for m in members for u in m), reverse=True), 0, 0]
    assert (top1[0], top2[0]) == (units[0], units[1])


def test_leaf_cells_decode_codes(store: CellStore) -> None:
    leaves = store.leaf_cells("X", [2019], [COMMUNES[0], COMMUNES[29]])
    assert list(leaves.columns) == ["period", "commune", "age", "value", "freq", "top1", "top2"]
    assert set(leaves["commune"]) <= {COMMUNES[0], COMMUNES[29]}
    assert set(leaves["age"]) <= {"0_2", "3_5", "6_10"}
    assert (leaves["top1"] >= leaves["top2"]).all()


@pytest.mark.parametrize(
    ("indicator", "periods", "communes", "refusal"),
    [
        ("Z", [2019], ["01001"], (NotFound, "Indicateur absent")),
        ("X", [2018], ["01001"], (NotFound, "période 2018 non disponible")),
        ("X", [2019], ["99999"], (InvalidInput, "Code commune inconnu : « 99999 »")),
        ("X", [2019], ["010011"], (InvalidInput, "Code commune inconnu : « 010011 »")),
    ],
)
def test_unknown_inputs_are_refused(
    store: CellStore,
    indicator: str,
    periods: list[int],
    communes: list[str],
    refusal: tuple[type[Exception], str],
) -> None:
    with pytest.raises(refusal[0], match=refusal[1]):
        store.aggregate(indicator, periods, {"g": communes})


def test_metadata_lists_what_was_published(store: CellStore) -> None:
    assert store.indicators() == ("X", "Y")
    assert store.periods("X") == PERIODS
    meta = store.metadata("Y")
    assert (meta.synthetic, meta.categories_exclusive, meta.breakdowns["age"][0]) == (
        False,
        False,
        "0_2",
    )
    assert store.communes() == COMMUNES
