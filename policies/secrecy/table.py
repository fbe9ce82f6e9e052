"""The full cross-classified table: every margin, its statistics and its linear relations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

import numpy as np
import pandas as pd
from scipy import sparse

from policies.errors import InvalidInput
from policies.secrecy.dimensions import CodeIndex, Dimension, compile_dimension
from policies.secrecy.rules import BoolArray, CellStats, FloatArray, IntArray

# Candidate contributions merged at once when a margin's largest are taken (rows x columns):
# 2 million float64 (16 MB) per temporary array, whatever the table and the number kept.
_MERGE_CHUNK = 2_000_000


@dataclass(frozen=True)
class Table:
    """Every cell of the table (C-order over the code indexes of each dimension)."""

    dims: tuple[CodeIndex, ...]
    stats: CellStats
    relations: sparse.csr_array

    @property
    def shape(self) -> tuple[int, ...]:
        """Return the number of codes of each dimension."""
        return tuple(len(d.codes) for d in self.dims)

    @property
    def size(self) -> int:
        """Return the number of cells."""
        return prod(self.shape)

    def keys(self) -> pd.DataFrame:
        """Return the codes of every cell, one column per dimension."""
        grid = np.indices(self.shape).reshape(len(self.dims), -1)
        columns = {
            d.name: np.asarray(d.codes, dtype=object)[g]
            for d, g in zip(self.dims, grid, strict=True)
        }
        return pd.DataFrame(columns)

    def cell_id(self, coordinate: Sequence[str]) -> int:
        """Return the id of the cell at a coordinate (one code per dimension)."""
        if len(coordinate) != len(self.dims):
            raise InvalidInput(f"Coordonnée {tuple(coordinate)} : un code par dimension attendu.")
        try:
            index = tuple(d.position[code] for d, code in zip(self.dims, coordinate, strict=True))
        except KeyError as missing:
            raise InvalidInput(
                f"Coordonnée {tuple(coordinate)} : code inconnu {missing}."
            ) from None
        return int(np.ravel_multi_index(index, self.shape))


def build_table(
    dims: Sequence[Dimension],
    cells: pd.DataFrame,
    source: str = "cellules",
    tops: int | None = None,
) -> Table:
    """Build the full table from leaf cells: value, freq and optional top1, top2... columns.

    ``tops``: how many of the largest unit contributions to keep per cell (None: as many
    ``top<i>`` columns as the input has; 0: none, when the rules only count units). Units are
    taken as distinct across leaves: a margin's largest contributions are the largest of its
    leaves'. A unit spanning several leaves (a foyer in two age bands) is counted once only
    from its contributions (``build_from_microdata``).
    """
    index = tuple(compile_dimension(d) for d in dims)
    leaf_shape = tuple(len(d.leaf_codes) for d in index)
    flat = _leaf_positions(index, cells, source)
    freq = cells["freq"].to_numpy(dtype=np.float64)
    if (freq < 0).any():
        raise InvalidInput(f"{source}, {_line(int(np.argmax(freq < 0)))} : effectif négatif.")
    tensors = {}
    for column in ("value", "freq"):
        dense = np.zeros(prod(leaf_shape), dtype=np.float64)
        dense[flat] = cells[column].to_numpy(dtype=np.float64)
        tensors[column] = dense.reshape(leaf_shape)
    value = _aggregate(index, tensors["value"])
    count = _aggregate(index, tensors["freq"])
    top = _leaf_tops(cells, flat, leaf_shape, _top_columns(cells, tops), source)
    if top.shape[-1]:
        for axis, dim in enumerate(index):
            top = _top_along(dim.membership, top, axis)
    freq_cells = count.ravel().round().astype(np.int64)
    # A singleton cell has exactly one non-empty leaf below it: that leaf names its unit.
    lone = np.where(tensors["freq"] == 1, np.arange(prod(leaf_shape)).reshape(leaf_shape), 0)
    owner = np.where(freq_cells == 1, _aggregate(index, lone.astype(np.float64)).ravel(), -1)
    top = top.reshape(value.size, top.shape[-1]) if top.shape[-1] else np.zeros((value.size, 0))
    stats = _stats(value.ravel(), freq_cells, top, owner)
    return Table(index, stats, relation_matrix(index))


def build_from_microdata(
    dims: Sequence[Dimension],
    micro: pd.DataFrame,
    holding: str,
    source: str = "microdonnées",
    tops: int = 2,
) -> Table:
    """Build the full table from contributions: units are holdings, summed before counting.

    One row per contribution (leaf codes, ``value``, the holding): a holding (the foyer
    allocataire) contributing to several leaves, or several times to one, is one unit of every
    cell above them, with the sum of its contributions there. ``tops``: how many of the
    largest unit contributions to keep per cell (at least two).
    """
    index = tuple(compile_dimension(d) for d in dims)
    rows = np.arange(len(micro))
    cells = np.zeros(len(micro), dtype=np.int64)
    flat = _leaf_positions(index, micro, source, unique=False)
    leaf_idx = np.unravel_index(flat, tuple(len(d.leaf_codes) for d in index))
    shape = tuple(len(d.codes) for d in index)
    for axis, dim in enumerate(index):
        ancestors = dim.membership.T.tocsr()
        leaf = leaf_idx[axis][rows]
        counts = np.diff(ancestors.indptr)[leaf]
        starts = np.repeat(ancestors.indptr[leaf], counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        rows, cells = np.repeat(rows, counts), np.repeat(cells, counts) * shape[axis]
        cells = cells + ancestors.indices[starts + offsets]
    holdings = pd.factorize(micro[holding])[0]
    units = pd.DataFrame({"cell": cells, "unit": holdings[rows]})
    units["value"] = micro["value"].to_numpy(dtype=np.float64)[rows]
    per_unit = units.groupby(["cell", "unit"], sort=False)["value"].sum().reset_index()
    stats = _unit_stats(per_unit, prod(shape), max(2, tops))
    return Table(index, stats, relation_matrix(index))


def _unit_stats(per_unit: pd.DataFrame, size: int, tops: int) -> CellStats:
    """Sum, count and take the largest unit contributions of every cell."""
    ordered = per_unit.sort_values(["cell", "value"], ascending=[True, False], kind="stable")
    cell = ordered["cell"].to_numpy()
    amount = ordered["value"].to_numpy()
    first = np.r_[True, cell[1:] != cell[:-1]]
    # Rank of each unit in its cell, largest first: the first `tops` ranks are kept.
    rank = np.arange(len(cell)) - np.maximum.accumulate(np.where(first, np.arange(len(cell)), 0))
    value, freq = np.zeros(size), np.zeros(size, dtype=np.int64)
    np.add.at(value, cell, amount)
    np.add.at(freq, cell, 1)
    top = np.zeros((size, tops))
    kept = rank < tops
    top[cell[kept], rank[kept]] = amount[kept]
    owner = np.full(size, -1, dtype=np.int64)
    owner[cell[first]] = ordered["unit"].to_numpy()[first]
    owner[freq != 1] = -1
    return _stats(value, freq, top, owner)


def _stats(value: FloatArray, freq: IntArray, top: FloatArray, owner: IntArray) -> CellStats:
    """Lay out cell statistics, the largest contributions as top1, top2 and the rest."""
    if top.shape[1] < 2:
        top = np.hstack([top, np.zeros((top.shape[0], 2 - top.shape[1]))])
    more = np.ascontiguousarray(top[:, 2:]) if top.shape[1] > 2 else None
    return CellStats(
        value,
        freq,
        np.ascontiguousarray(top[:, 0]),
        np.ascontiguousarray(top[:, 1]),
        owner.astype(np.int64),
        more,
    )


def _top_columns(cells: pd.DataFrame, tops: int | None) -> list[str]:
    """Name the top contribution columns to read: top1, top2... (as many as asked or given)."""
    if tops is None:
        tops = 0
        while f"top{tops + 1}" in cells:
            tops += 1
    return [f"top{i}" for i in range(1, tops + 1)]


def _leaf_tops(
    cells: pd.DataFrame,
    flat: IntArray,
    leaf_shape: tuple[int, ...],
    columns: list[str],
    source: str,
) -> FloatArray:
    """Return the leaves' largest contributions as a (leaves..., k) tensor, checking order."""
    top = np.zeros((prod(leaf_shape), len(columns)))
    for k, column in enumerate(columns):
        if column not in cells:
            raise InvalidInput(f"{source} : colonne « {column} » absente.")
        top[flat, k] = cells[column].to_numpy(dtype=np.float64)
    rising: BoolArray = np.asarray((np.diff(top[flat], axis=1) > 0).any(axis=1), dtype=bool)
    if rising.any():
        row = int(np.argmax(rising))
        raise InvalidInput(
            f"{source}, {_line(row)} : contributions top1, top2... attendues décroissantes."
        )
    return top.reshape((*leaf_shape, len(columns)))


def _line(row: int) -> str:
    """Name a data row as a file line (the header is line 1)."""
    return f"ligne {row + 2}"


def _leaf_positions(
    index: tuple[CodeIndex, ...], frame: pd.DataFrame, source: str, unique: bool = True
) -> IntArray:
    """Return the flat leaf position of every row, refusing unknown and duplicated cells."""
    positions = []
    for dim in index:
        if dim.name not in frame:
            raise InvalidInput(f"{source} : colonne « {dim.name} » absente.")
        leaves = pd.Index([dim.codes[i] for i in dim.leaf_codes])
        found = leaves.get_indexer(frame[dim.name].astype(str))
        if (found < 0).any():
            row = int(np.argmax(found < 0))
            code = frame[dim.name].iloc[row]
            raise InvalidInput(f"{source}, {_line(row)} : code « {code} » inconnu ({dim.name}).")
        positions.append(found)
    shape = tuple(len(d.leaf_codes) for d in index)
    flat = np.ravel_multi_index(tuple(positions), shape) if positions else np.zeros(0, np.int64)
    if unique:
        duplicated = pd.Series(flat).duplicated().to_numpy()
        if duplicated.any():
            raise InvalidInput(
                f"{source}, {_line(int(np.argmax(duplicated)))} : cellule en double."
            )
    return np.asarray(flat, dtype=np.int64)


def _along(matrix: sparse.csr_array, tensor: FloatArray, axis: int) -> FloatArray:
    """Apply a (codes x leaves) sparse matrix along one axis of a dense tensor."""
    moved = np.moveaxis(tensor, axis, 0)
    result = np.asarray(matrix @ moved.reshape(moved.shape[0], -1))
    return np.moveaxis(result.reshape((matrix.shape[0], *moved.shape[1:])), 0, axis)


def _aggregate(index: tuple[CodeIndex, ...], tensor: FloatArray) -> FloatArray:
    """Sum a leaf tensor into every margin of every dimension."""
    for axis, dim in enumerate(index):
        tensor = _along(dim.membership, tensor, axis)
    return tensor


def _top_along(matrix: sparse.csr_array, top: FloatArray, axis: int) -> FloatArray:
    """Merge the k largest contributions over each code's leaves along one axis.

    ``top`` has the k largest contributions of every cell on its last axis, largest first;
    each code's k largest are the k largest of its members' (units distinct across leaves).
    Columns (the other axes) are merged in slices, bounding the temporary arrays.
    """
    k = top.shape[-1]
    moved = np.moveaxis(top, axis, 0)
    rest = moved.shape[1:-1]
    # One row per (member, rank), grouped by code: candidates as columns over the other axes.
    candidates = np.moveaxis(moved[matrix.indices], -1, 1).reshape(len(matrix.indices) * k, -1)
    merged = np.empty((matrix.shape[0], k, candidates.shape[1]))
    step = max(1, _MERGE_CHUNK // max(1, len(candidates)))
    for first in range(0, candidates.shape[1], step):
        columns = slice(first, first + step)
        merged[:, :, columns] = _largest(candidates[:, columns], matrix.indptr, k)
    merged = np.moveaxis(merged.reshape((matrix.shape[0], k, *rest)), 1, -1)
    return np.moveaxis(merged, 0, axis)


def _largest(candidates: FloatArray, indptr: IntArray, k: int) -> FloatArray:
    """Return each code's k largest candidates (codes x k x columns), largest first.

    k passes, each taking every code's maximum and knocking out one occurrence of it, so a tie
    between two members stays two units.
    """
    candidates = candidates.copy()
    sizes, starts = np.diff(indptr) * k, indptr[:-1] * k
    result = np.empty((len(starts), k, candidates.shape[1]))
    for rank in range(k):
        best = np.maximum.reduceat(candidates, starts, axis=0)
        result[:, rank] = best
        if rank == k - 1:
            break
        hit = candidates == np.repeat(best, sizes, axis=0)
        seen = np.cumsum(hit, axis=0, dtype=np.int32)
        before = np.repeat(np.concatenate([np.zeros_like(seen[:1]), seen])[starts], sizes, 0)
        candidates[hit & (seen - before == 1)] = -np.inf
    return result


def relation_matrix(index: tuple[CodeIndex, ...]) -> sparse.csr_array:
    """Return every relation of the table as rows: children +1, parent -1."""
    shape = tuple(len(d.codes) for d in index)
    blocks: list[sparse.coo_array] = []
    for axis, dim in enumerate(index):
        rel, code, coef = _entries(dim)
        others = [n for k, n in enumerate(shape) if k != axis]
        width = prod(others)
        grid = list(np.indices(others).reshape(len(others), -1)) if others else []
        coords = [np.tile(g, len(rel)) for g in grid]
        coords.insert(axis, np.repeat(code, width))
        cols = np.ravel_multi_index(tuple(coords), shape)
        rows = (np.repeat(rel, width) * width + np.tile(np.arange(width), len(rel))).astype(
            np.int64
        )
        n_rows = len(dim.relations) * width
        blocks.append(
            sparse.coo_array((np.repeat(coef, width), (rows, cols)), (n_rows, prod(shape)))
        )
    return sparse.csr_array(sparse.vstack(blocks, format="csr"))


def _entries(dim: CodeIndex) -> tuple[IntArray, IntArray, FloatArray]:
    """List (relation, code, coefficient) entries of one dimension's relations."""
    rel, code, coef = [], [], []
    for r, (parent, children) in enumerate(dim.relations):
        rel += [r] * (len(children) + 1)
        code += [parent, *children]
        coef += [-1.0] + [1.0] * len(children)
    return np.array(rel, np.int64), np.array(code, np.int64), np.array(coef, np.float64)
