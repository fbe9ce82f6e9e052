"""Publication is all-or-nothing; republishing some periods keeps the others."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gateway.config import ConfigurationError
from gateway.store import CellStore, layout, publish
from gateway.store.writer import IndicatorCells
from policies.errors import Conflict, InvalidInput
from tests.gateway.store.conftest import COMMUNES, random_cells


def duplicated(code: str) -> IndicatorCells:
    cells = random_cells(code, 9)
    take = np.r_[np.arange(len(cells.period)), 0]  # the first leaf twice
    return IndicatorCells(
        cells.metadata,
        cells.period[take],
        cells.commune[take],
        {"age": cells.categories["age"][take]},
        *(getattr(cells, m)[take] for m in ("value", "freq", "top1", "top2")),
    )


@pytest.mark.parametrize(
    ("updates", "communes", "error"),
    [
        (["Z", "dup"], COMMUNES, InvalidInput),  # a good indicator, then a bad one
        (["Z"], COMMUNES[:-1], Conflict),  # the commune list changed
    ],
)
def test_failed_publication_leaves_the_previous_version(
    store: CellStore, tmp_path: Path, updates: list[str], communes: tuple[str, ...], error: type
) -> None:
    before = (store.version(), store.aggregate("X", [2019], {"g": COMMUNES}))
    cells = [duplicated("X") if u == "dup" else random_cells(u, 5) for u in updates]
    with pytest.raises(error):
        publish(tmp_path, cells, communes)
    assert store.version() == before[0]
    assert store.indicators() == ("X", "Y")
    assert store.aggregate("X", [2019], {"g": COMMUNES}).equals(before[1])
    assert not [p for p in (tmp_path / "versions").iterdir() if p.name.startswith(".")]


def test_republishing_some_periods_keeps_the_others(store: CellStore, tmp_path: Path) -> None:
    kept = store.leaf_cells("X", [2019, 2020], COMMUNES)
    publish(tmp_path, [random_cells("X", 7, periods=(2021, 2022))], COMMUNES)
    assert store.periods("X") == (2019, 2020, 2021, 2022)
    assert store.leaf_cells("X", [2019, 2020], COMMUNES).equals(kept)
    fresh = random_cells("X", 7, periods=(2021, 2022))
    assert len(store.leaf_cells("X", [2021, 2022], COMMUNES)) == len(fresh.period)


def test_an_open_reader_keeps_reading_while_versions_are_pruned(
    store: CellStore, tmp_path: Path
) -> None:
    first = store.aggregate("Y", [2020], {"g": COMMUNES})
    for seed in (11, 12, 13):
        publish(tmp_path, [random_cells("X", seed)], COMMUNES)
    assert len(list((tmp_path / "versions").iterdir())) == 2
    assert store.aggregate("Y", [2020], {"g": COMMUNES}).equals(first)  # Y carried over


def test_a_pointer_that_is_not_a_link_is_refused_in_french(tmp_path: Path) -> None:
    """A store copied without its links has a folder where the pointer was: said, no OSError."""
    (tmp_path / layout.POINTER).mkdir()
    with pytest.raises(ConfigurationError, match="devrait être un lien symbolique"):
        layout.current_version_dir(tmp_path)
