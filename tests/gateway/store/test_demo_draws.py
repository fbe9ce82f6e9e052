"""Order-statistic draws match brute-force simulation of every unit."""

from __future__ import annotations

import numpy as np
import pytest

from gateway.store.demo_draws import discrete_cells, lognormal_cells, union_cells, unit_cells

TRIALS = 4_000


def brute_lognormal(rng: np.random.Generator, n: int, mean: float, cv: float) -> np.ndarray:
    sigma = np.sqrt(np.log1p(cv**2))
    units = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, (TRIALS, n))
    ranked = np.sort(units, axis=1)[:, ::-1]
    return np.stack([units.sum(axis=1), ranked[:, 0], ranked[:, 1]])


@pytest.mark.parametrize("n", [2, 3, 10, 60])
def test_lognormal_summaries_have_the_brute_force_distribution(n: int) -> None:
    rng = np.random.default_rng(n)
    drawn = np.stack(lognormal_cells(rng, np.full(TRIALS, n), 300.0, 0.6))
    brute = brute_lognormal(rng, n, 300.0, 0.6)
    for got, expected in zip(drawn, brute, strict=True):
        np.testing.assert_allclose(np.median(got), np.median(expected), rtol=0.05)
        np.testing.assert_allclose(np.quantile(got, 0.9), np.quantile(expected, 0.9), rtol=0.08)


@pytest.mark.parametrize("n", [2, 5, 40])
def test_discrete_summaries_have_the_brute_force_means(n: int) -> None:
    rng = np.random.default_rng(n)
    distribution = {1: 0.7, 2: 0.2, 3: 0.1}
    drawn = np.stack(discrete_cells(rng, np.full(TRIALS, n), distribution))
    units = rng.choice([1, 2, 3], p=[0.7, 0.2, 0.1], size=(TRIALS, n))
    ranked = np.sort(units, axis=1)[:, ::-1]
    brute = np.stack([units.sum(axis=1), ranked[:, 0], ranked[:, 1]])
    np.testing.assert_allclose(drawn.mean(axis=1), brute.mean(axis=1), rtol=0.03)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, (0, 0, 0)), (1, (1, 1, 0)), (2, (2, 1, 1)), (7, (7, 1, 1))],
)
def test_unit_cells(n: int, expected: tuple[int, int, int]) -> None:
    assert tuple(float(a[0]) for a in unit_cells(np.array([n]))) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((10, 6, 4), (5, 5, 0), (15, 6, 5)),
        ((10, 6, 4), (0, 0, 0), (10, 6, 4)),
        ((9, 5, 4), (8, 7, 1), (17, 7, 5)),
    ],
)
def test_union_of_disjoint_cells(
    a: tuple[int, int, int], b: tuple[int, int, int], expected: tuple[int, int, int]
) -> None:
    merged = union_cells(tuple(np.array([x]) for x in a), tuple(np.array([x]) for x in b))  # type: ignore[arg-type]
    assert tuple(int(m[0]) for m in merged) == expected
