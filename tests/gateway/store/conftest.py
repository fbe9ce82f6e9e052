"""Small random stores built through the public writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gateway.store import CellStore, IndicatorCells, IndicatorMetadata, publish

COMMUNES = tuple(f"{d:02d}{c:03d}" for d in (1, 13) for c in range(1, 16))
PERIODS = (2019, 2020, 2021)
AGES = ("0_2", "3_5", "6_10")


def random_cells(
    code: str, seed: int, periods: tuple[int, ...] = PERIODS, exclusive: bool = True
) -> IndicatorCells:
    """Draw a random indicator: about two thirds of the possible leaves, with top1 >= top2."""
    rng = np.random.default_rng(seed)
    grid = np.array(np.meshgrid(periods, range(len(COMMUNES)), range(len(AGES)))).reshape(3, -1)
    grid = grid[:, rng.random(grid.shape[1]) < 0.66]
    n = grid.shape[1]
    freq = rng.integers(1, 6, n)
    top1 = rng.integers(1, 50, n).astype(float)
    top2 = np.where(freq > 1, np.floor(top1 * rng.random(n)), 0.0)
    value = top1 + top2 + (freq - 2).clip(0) * rng.integers(0, 10, n)
    meta = IndicatorMetadata(
        code, periods, {"age": AGES}, False, "test", "2026-01-01T00:00:00+00:00",
        categories_exclusive=exclusive,
    )  # fmt: skip
    return IndicatorCells(meta, grid[0], grid[1], {"age": grid[2]}, value, freq, top1, top2)


@pytest.fixture
def store(tmp_path: Path) -> CellStore:
    publish(tmp_path, [random_cells("X", 1), random_cells("Y", 2, exclusive=False)], COMMUNES)
    return CellStore(tmp_path)
