"""Draw cell summaries (value, top1, top2) for n units without drawing every unit.

Continuous amounts: the largest of n iid draws has CDF F^n, so it is
F^-1(U^(1/n)); the second largest, given the largest m, is the largest of n-1
draws below m. Both are exact for any n; the sum of the other units is drawn
unit by unit when few, else approximated (normal, moments truncated below the
second largest). Discrete contributions (children per foyer, places per
assistante maternelle) are drawn exactly as multinomial counts.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.special import ndtr, ndtri

EXACT_REST = 20  # below this many remaining units, draw each one


def _order_uniforms(rng: np.random.Generator, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return U^(1/n) and V^(1/(n-1)): the quantile levels of the two largest units."""
    u1 = rng.random(n.shape) ** (1.0 / np.maximum(n, 1))
    u2 = rng.random(n.shape) ** (1.0 / np.maximum(n - 1, 1))
    return u1, u2


def discrete_cells(
    rng: np.random.Generator, n: np.ndarray, distribution: Mapping[int, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Summarise n units, each contributing a value drawn from {value: probability}.

    Exact: how many units take each value is one multinomial draw.
    """
    values = np.array(sorted(distribution), dtype=np.float64)
    probs = np.array([distribution[v] for v in sorted(distribution)])
    counts = rng.multinomial(n, probs / probs.sum())
    # Count units from the largest value down: the top unit is where this reaches 1.
    from_top = np.cumsum(counts[..., ::-1], axis=-1)
    largest = values[::-1]
    top1 = np.where(n >= 1, largest[np.argmax(from_top >= 1, axis=-1)], 0.0)
    top2 = np.where(n >= 2, largest[np.argmax(from_top >= 2, axis=-1)], 0.0)
    return counts @ values, top1, top2


def lognormal_cells(
    rng: np.random.Generator,
    n: np.ndarray,
    mean: float | np.ndarray,
    cv: float,
    cap: float | np.ndarray = np.inf,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Summarise n units with lognormal amounts (this mean and cv), capped at benefit ceilings."""
    sigma = np.sqrt(np.log1p(cv**2))
    mu = np.log(mean) - sigma**2 / 2
    u1, u2 = _order_uniforms(rng, n)
    z1 = ndtri(np.clip(u1, 1e-12, 1 - 1e-16))
    z2 = ndtri(np.clip(ndtr(z1) * u2, 1e-12, 1 - 1e-16))
    top1 = np.where(n >= 1, np.minimum(np.exp(mu + sigma * z1), cap), 0.0)
    top2 = np.where(n >= 2, np.minimum(np.exp(mu + sigma * z2), cap), 0.0)
    rest = np.minimum(
        _lognormal_rest(rng, np.maximum(n - 2, 0), mu, sigma, z2), top2 * (n - 2).clip(0)
    )
    return np.round(top1 + top2 + rest, 2), np.round(top1, 2), np.round(top2, 2)


def _lognormal_rest(
    rng: np.random.Generator,
    count: np.ndarray,
    mu: float | np.ndarray,
    sigma: float,
    z_cap: np.ndarray,
) -> np.ndarray:
    """Sum `count` lognormal units below the second largest: exactly when few, else normal."""
    mu = np.broadcast_to(mu, count.shape)
    small = (count > 0) & (count <= EXACT_REST)
    owner = np.repeat(np.flatnonzero(small), count[small])
    levels = ndtr(z_cap.ravel()[owner]) * rng.random(len(owner))
    units = np.exp(mu.ravel()[owner] + sigma * ndtri(np.clip(levels, 1e-12, None)))
    rest = np.bincount(owner, weights=units, minlength=count.size).reshape(count.shape)
    # Many units: normal approximation with the moments truncated below the cap.
    large = count > EXACT_REST
    below = np.maximum(ndtr(z_cap), 1e-12)
    mean_unit = np.exp(mu + sigma**2 / 2) * ndtr(z_cap - sigma) / below
    square_unit = np.exp(2 * mu + 2 * sigma**2) * ndtr(z_cap - 2 * sigma) / below
    sd_unit = np.sqrt(np.maximum(square_unit - mean_unit**2, 0.0))
    approx = count * mean_unit + np.sqrt(count) * sd_unit * rng.standard_normal(count.shape)
    cap = np.exp(mu + sigma * z_cap) * count
    return np.where(large, np.clip(approx, 0.0, cap), rest)


def unit_cells(n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Summarise n units that each count for one (a foyer, an assistante maternelle)."""
    n = n.astype(np.float64)
    return n, np.minimum(n, 1.0), np.minimum(np.maximum(n - 1, 0.0), 1.0)


def union_cells(
    a: tuple[np.ndarray, np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Combine two cells over disjoint units: sums add, the top two are merged."""
    top1 = np.maximum(a[1], b[1])
    top2 = np.maximum(np.minimum(a[1], b[1]), np.maximum(a[2], b[2]))
    return a[0] + b[0], top1, top2


def poisson_siblings(lam: float, largest: int = 8) -> dict[int, float]:
    """Return the distribution of 1 + Poisson(lam) children, truncated at `largest`."""
    k = np.arange(largest)
    probs = np.exp(-lam) * lam**k / np.cumprod(np.r_[1, np.arange(1, largest)])
    return {int(i) + 1: float(p) for i, p in enumerate(probs)}
