"""Operators' files: good ones load whole, bad ones are refused naming file, line and column."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gateway.store import CellStore
from gateway.store.import_checks import ImportRefused
from gateway.store.importers import import_cells, import_microdata
from policies.errors import InvalidInput
from tests.gateway.store.conftest import COMMUNES

SITFAM = ("isole", "monoparent", "couple_sans_enfant", "couple_avec_enfants")
CATALOGUE = {"ALLOC": {}, "ALLOC_SITFAM": {"situation_familiale": SITFAM}, "RSA_MONTANT": {}}
HEADER = "indicator,period,commune,situation_familiale,value,freq,top1,top2"
GOOD = [
    "ALLOC,2023,01001,,12,12,1,1",
    "ALLOC_SITFAM,2023,01001,isole,7,7,1,1",
    "ALLOC_SITFAM,2023,01001,monoparent,1,1,1,",
    "RSA_MONTANT,2023,13002,,1500.5,3,900,400.5",
]


def write(tmp_path: Path, lines: list[str], name: str = "cells.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(tmp_path: Path, lines: list[str]) -> CellStore:
    import_cells(write(tmp_path, lines), tmp_path / "store", CATALOGUE, COMMUNES)
    return CellStore(tmp_path / "store")


def test_a_good_file_loads_whole(tmp_path: Path) -> None:
    store = load(tmp_path, [HEADER, *GOOD])
    assert store.indicators() == ("ALLOC", "ALLOC_SITFAM", "RSA_MONTANT")
    leaves = store.leaf_cells("ALLOC_SITFAM", [2023], ["01001"])
    assert leaves[["situation_familiale", "value", "freq", "top2"]].values.tolist() == [
        ["isole", 7.0, 7, 1.0],
        ["monoparent", 1.0, 1, 0.0],
    ]
    meta = store.metadata("RSA_MONTANT")
    assert (meta.synthetic, meta.source) == (False, "cells.csv")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "ALLOC,2023,01001,,12,-3,1,1",
            "ligne 3, colonne freq : entier positif attendu, lu « -3 »",
        ),
        (
            "ALLOC,2023,01001,,12,2.5,1,1",
            "ligne 3, colonne freq : entier positif attendu, lu « 2.5 »",
        ),
        ("ALLOC,2023,01001,,douze,12,1,1", "ligne 3, colonne value : nombre attendu, lu « douze »"),
        (
            "PIB,2023,01001,,12,12,1,1",
            "ligne 3, colonne indicator : indicateur inconnu, lu « PIB »",
        ),
        ("ALLOC,2023,99999,,12,12,1,1", "colonne commune : code commune inconnu, lu « 99999 »"),
        ("ALLOC,23,01001,,12,12,1,1", "colonne period : année attendue (AAAA), lu « 23 »"),
        (
            "ALLOC_SITFAM,2023,01001,celibataire,1,1,1,0",
            "ligne 3, colonne situation_familiale : "
            "catégorie inconnue pour ALLOC_SITFAM, lu « celibataire »",
        ),
        ("ALLOC_SITFAM,2023,01001,,1,1,1,0", "colonne situation_familiale : catégorie inconnue"),
        ("ALLOC,2023,01001,,12,12,1,5", "ligne 3, colonne top2 : top2 supérieur à top1, lu « 5 »"),
        (
            "RSA_MONTANT,2023,13002,,100,2,150,10",
            "colonne top1 : plus gros contributeur supérieur à la valeur, lu « 150 »",
        ),
        (
            "ALLOC,2023,01001,,13,13,1,1",
            "ligne 3, colonnes indicator, period, commune, situation_familiale : "
            "cellule en double de la ligne 2",
        ),
        (  # a category on an indicator without breakdown is ignored, so still a duplicate
            "ALLOC,2023,01001,isole,13,13,1,1",
            "ligne 3, colonnes indicator, period, commune, situation_familiale : "
            "cellule en double de la ligne 2",
        ),
    ],
)
def test_malformed_rows_are_refused(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, [HEADER, GOOD[0], row, *GOOD[1:]])
    with pytest.raises(ImportRefused) as refused:
        import_cells(path, tmp_path / "store", CATALOGUE, COMMUNES)
    assert refused.value.detail.startswith("cells.csv, ligne ")
    assert message in refused.value.detail
    assert isinstance(refused.value, InvalidInput)
    assert not (tmp_path / "store" / "current").exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "indicator,period,commune,value,top1,top2",
            "cells.csv, ligne 1 : colonne manquante « freq »",
        ),
        (
            "indicator,period,commune,value,freq,top1,top2",
            "colonne manquante « situation_familiale » (ventilation de l’indicateur ALLOC_SITFAM)",
        ),
    ],
)
def test_missing_columns_are_refused(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, [header, "ALLOC_SITFAM,2023,01001,1,1,1,0"])
    with pytest.raises(ImportRefused, match=re.escape(message)):
        import_cells(path, tmp_path / "store", CATALOGUE, COMMUNES)


def test_a_refused_file_leaves_the_previous_store_unchanged(tmp_path: Path) -> None:
    store = load(tmp_path, [HEADER, *GOOD])
    before = (store.version(), store.leaf_cells("ALLOC", [2023], COMMUNES))
    bad = write(tmp_path, [HEADER, "ALLOC,2023,01001,,99,99,1,1", "ALLOC,2023,01002,,5,-1,1,1"])
    with pytest.raises(ImportRefused, match="ligne 3, colonne freq"):
        import_cells(bad, tmp_path / "store", CATALOGUE, COMMUNES)
    assert store.version() == before[0]
    assert store.leaf_cells("ALLOC", [2023], COMMUNES).equals(before[1])


def test_semicolons_and_parquet_are_read_alike(tmp_path: Path) -> None:
    semicolons = [line.replace(",", ";") for line in [HEADER, *GOOD]]
    import_cells(write(tmp_path, semicolons), tmp_path / "a", CATALOGUE, COMMUNES)
    frame = pd.read_csv(write(tmp_path, [HEADER, *GOOD]), dtype=str)
    frame.to_parquet(tmp_path / "cells.parquet")
    import_cells(tmp_path / "cells.parquet", tmp_path / "b", CATALOGUE, COMMUNES)
    a, b = CellStore(tmp_path / "a"), CellStore(tmp_path / "b")
    for indicator in CATALOGUE:
        assert a.leaf_cells(indicator, [2023], COMMUNES).equals(
            b.leaf_cells(indicator, [2023], COMMUNES)
        )


UNITS = [
    "indicator,period,commune,situation_familiale,holding,value",
    "RSA_MONTANT,2023,01001,,f1,300",
    "RSA_MONTANT,2023,01001,,f1,200",  # same foyer, two payments: one contributor
    "RSA_MONTANT,2023,01001,,f2,450",
    "RSA_MONTANT,2023,01001,,f3,100",
    "RSA_MONTANT,2023,13002,,f4,700",
    "ALLOC_SITFAM,2023,01001,isole,f5,1",
    "ALLOC_SITFAM,2023,01001,isole,f6,1",
]


def test_microdata_are_summarised_per_holding(tmp_path: Path) -> None:
    import_microdata(write(tmp_path, UNITS, "units.csv"), tmp_path / "s", CATALOGUE, COMMUNES)
    store = CellStore(tmp_path / "s")
    rsa = store.leaf_cells("RSA_MONTANT", [2023], COMMUNES)
    assert rsa[["commune", "value", "freq", "top1", "top2"]].values.tolist() == [
        ["01001", 1050.0, 3, 500.0, 450.0],
        ["13002", 700.0, 1, 700.0, 0.0],
    ]
    sitfam = store.leaf_cells("ALLOC_SITFAM", [2023], ["01001"])
    assert sitfam[["situation_familiale", "value", "freq"]].values.tolist() == [["isole", 2.0, 2]]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "RSA_MONTANT,2023,01001,,,300",
            "units.csv, ligne 9, colonne holding : identifiant d’unité attendu",
        ),
        (
            "RSA_MONTANT,2023,01001,,f9,beaucoup",
            "units.csv, ligne 9, colonne value : nombre attendu",
        ),
        (
            "RSA_MONTANT,2023,2A999,,f9,3",
            "units.csv, ligne 9, colonne commune : code commune inconnu",
        ),
    ],
)
def test_malformed_microdata_are_refused(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        import_microdata(
            write(tmp_path, [*UNITS, row], "units.csv"), tmp_path / "s", CATALOGUE, COMMUNES
        )


def test_microdata_summaries_match_a_brute_force_count(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    units = pd.DataFrame(
        {
            "indicator": "RSA_MONTANT",
            "period": "2022",
            "commune": rng.choice(COMMUNES[:5], n),
            "holding": rng.integers(0, 300, n).astype(str),
            "value": rng.integers(1, 1_000, n).astype(str),
        }
    )
    units.to_csv(tmp_path / "units.csv", index=False)
    import_microdata(tmp_path / "units.csv", tmp_path / "s", CATALOGUE, COMMUNES)
    got = CellStore(tmp_path / "s").leaf_cells("RSA_MONTANT", [2022], COMMUNES).set_index("commune")
    units["value"] = units["value"].astype(float)
    per_unit = units.groupby(["commune", "holding"])["value"].sum()
    for commune, values in per_unit.groupby(level="commune"):
        ranked = sorted(values, reverse=True)
        assert got.loc[commune, ["value", "freq", "top1", "top2"]].tolist() == [
            sum(ranked),
            len(ranked),
            ranked[0],
            ranked[1],
        ]
