"""Vectorised numpy kernels behind the store's reads: row ranges and grouped top-2."""

from __future__ import annotations

import numpy as np


def expand_ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the row numbers of every [start, end) range and the range each row came from."""
    lengths = (ends - starts).astype(np.int64)
    owner = np.repeat(np.arange(len(starts), dtype=np.int64), lengths)
    first = np.cumsum(lengths) - lengths
    rows = starts.astype(np.int64)[owner] + (np.arange(len(owner), dtype=np.int64) - first[owner])
    return rows, owner


def grouped_sum(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum values per dense key."""
    return np.bincount(keys, weights=values, minlength=size)[:size]


def grouped_max(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Return the maximum per dense key, 0 for keys without rows."""
    out = np.full(size, -np.inf)
    np.maximum.at(out, keys, values)
    out[np.isneginf(out)] = 0.0
    return out


def grouped_top2(
    keys: np.ndarray, top1: np.ndarray, top2: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the two largest single contributions per key over the members' top1 and top2.

    Members are disjoint sets of units, so the union's largest unit is the largest
    top1, and its second is either a tie for that top1, the winner's own top2, or
    another member's top1.
    """
    best = grouped_max(keys, top1, size)
    at_best = top1 == best[keys]
    ties = np.bincount(keys[at_best], minlength=size)[:size]
    # Rows holding the maximum offer their top2; the others offer their top1.
    offered = np.where(at_best, top2, top1)
    second = grouped_max(keys, offered, size)
    second = np.where(ties >= 2, best, second)
    return best, second
