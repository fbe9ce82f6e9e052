"""The demonstration generator: deterministic, coherent, calibrated on real magnitudes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gateway.reference.geography import load_geography
from gateway.store import CellStore
from gateway.store.demo import generate, load_demo
from gateway.store.demo_calibration import IRIS_SHARES, iris_shapes
from gateway.store.demo_catalogue import STORED
from policies.domain import PERIODS, GeoLevel
from policies.geography import Geography

IRIS = Path("/work/shared/data/caf-iris-2018.csv")
SUBSET = ("13", "48")  # Bouches-du-Rhône (urban) and Lozère (rural, small communes)


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


@pytest.fixture(scope="module")
def demo(geo: Geography, tmp_path_factory: pytest.TempPathFactory) -> CellStore:
    root = tmp_path_factory.mktemp("demo")
    load_demo(root, geo, seed=7, departements=SUBSET)
    return CellStore(root)


def total(store: CellStore, geo: Geography, indicator: str, departement: str) -> pd.DataFrame:
    communes = geo.communes_of(GeoLevel.DEPARTEMENT, departement)
    return store.aggregate(indicator, PERIODS, {departement: communes}, by_breakdown=False)


def test_same_seed_same_cells_whatever_else_is_generated(geo: Geography) -> None:
    alone = generate(geo, seed=7, departements=["48"])
    together = generate(geo, seed=7, departements=["13", "48"])
    for a, b in zip(alone, together, strict=True):
        keep = np.isin(b.commune, a.commune)
        for name, column in a.columns().items():
            np.testing.assert_array_equal(column, b.columns()[name][keep], err_msg=a.metadata.code)


def test_another_seed_other_cells(geo: Geography) -> None:
    first = generate(geo, seed=7, departements=["48"])[0]
    other = generate(geo, seed=8, departements=["48"])[0]
    assert not np.array_equal(first.value, other.value)


def test_metadata_says_synthetic(demo: CellStore) -> None:
    assert demo.indicators() == tuple(sorted(STORED))
    meta = demo.metadata("RSA_MONTANT")
    assert (meta.synthetic, meta.seed, meta.periods) == (True, 7, PERIODS)
    assert meta.note == "données de démonstration synthétiques"


@pytest.mark.parametrize(
    ("indicator", "low", "high"),
    [
        ("ALLOC", 300_000, 500_000),  # 378,450 allocataires for 1,835,407 inhabitants
        ("PERCOU", 700_000, 1_200_000),
        ("ENF_MOINS_3", 40_000, 90_000),
        ("PLACES_EAJE", 5_000, 15_000),  # 319,000 in France
        ("ENF_GARDES_ASSMAT", 5_000, 25_000),  # 473,601 in France
    ],
)
def test_bouches_du_rhone_orders_of_magnitude(
    demo: CellStore, geo: Geography, indicator: str, low: int, high: int
) -> None:
    assert low <= total(demo, geo, indicator, "13")["value"].iloc[0] <= high


def test_minimum_benefits_in_bouches_du_rhone(demo: CellStore, geo: Geography) -> None:
    minima = sum(total(demo, geo, i, "13")["value"].iloc[0] for i in ("RSA", "AAH"))
    assert 70_000 <= minima <= 150_000  # 100,609 recipients of minimum benefits


@pytest.mark.parametrize(
    ("indicator", "share_low"),
    [("AAH", 0.3), ("RSA", 0.3), ("ENF_MOINS_3", 0.3), ("ASSMAT_ACTIVES", 0.3)],
)
def test_small_communes_give_small_cells(
    demo: CellStore, geo: Geography, indicator: str, share_low: float
) -> None:
    communes = geo.communes_of(GeoLevel.DEPARTEMENT, "48")
    leaves = demo.leaf_cells(indicator, [2024], communes)
    small = (leaves["freq"] < 5).sum() + len(communes) - len(leaves)  # absent = zero cell
    assert small / len(communes) >= share_low


@pytest.mark.parametrize("indicator", sorted(STORED))
def test_cells_are_internally_consistent(demo: CellStore, geo: Geography, indicator: str) -> None:
    leaves = demo.leaf_cells(indicator, PERIODS, geo.communes_of(GeoLevel.DEPARTEMENT, "48"))
    assert (leaves["freq"] >= 1).all()
    assert (leaves["top1"] >= leaves["top2"]).all()
    assert (leaves["value"] >= leaves["top1"] + leaves["top2"] - 0.02).all()
    assert (leaves["value"] <= leaves["freq"] * leaves["top1"] + 0.02).all()
    assert ((leaves["freq"] == 1) == (leaves["top2"] == 0)).all()


@pytest.mark.parametrize(
    ("part", "whole"),
    [("AL", "ALLOC"), ("RSA", "ALLOC"), ("PAJE", "ALLOC"), ("ENF_MOINS_3", "ENF_MOINS_6")],
)
def test_parts_never_exceed_wholes(demo: CellStore, geo: Geography, part: str, whole: str) -> None:
    groups = {c: (c,) for c in geo.communes_of(GeoLevel.DEPARTEMENT, "13")}
    small = demo.aggregate(part, PERIODS, groups, by_breakdown=False)
    large = demo.aggregate(whole, PERIODS, groups, by_breakdown=False)
    assert (small["value"] <= large["value"]).all()


def test_creches_are_sparse_and_dominate_their_commune(demo: CellStore, geo: Geography) -> None:
    communes = geo.communes_of(GeoLevel.DEPARTEMENT, "48")
    leaves = demo.leaf_cells("PLACES_EAJE", [2024], communes)
    assert len(leaves) < 0.2 * len(communes)
    single = leaves[leaves["freq"] == 1]
    assert len(single) > 0 and (single["top1"] == single["value"]).all()


@pytest.mark.skipif(not IRIS.exists(), reason="fichier IRIS absent de cette machine")
def test_calibration_shapes_match_the_iris_file() -> None:
    assert iris_shapes(IRIS) == IRIS_SHARES
