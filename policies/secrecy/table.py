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
from policies.secrecy.rules import CellStats, FloatArray, IntArray


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


def build_table(dims: Sequence[Dimension], cells: pd.DataFrame, source: str = "cellules") -> Table:
    """Build the full table from leaf cells: value, freq and optional top1, top2 columns."""
    index = tuple(compile_dimension(d) for d in dims)
    leaf_shape = tuple(len(d.leaf_codes) for d in index)
    flat = _leaf_positions(index, cells, source)
    freq = cells["freq"].to_numpy(dtype=np.float64)
    if (freq < 0).any():
        raise InvalidInput(f"{source}, {_line(int(np.argmax(freq < 0)))} : effectif négatif.")
    tensors = {}
    for column in ("value", "freq", "top1", "top2"):
        dense = np.zeros(prod(leaf_shape), dtype=np.float64)
        if column in cells:
            dense[flat] = cells[column].to_numpy(dtype=np.float64)
        tensors[column] = dense.reshape(leaf_shape)
    value = _aggregate(index, tensors["value"])
    count = _aggregate(index, tensors["freq"])
    top1, top2 = tensors["top1"], tensors["top2"]
    for axis, dim in enumerate(index):
        top1, top2 = _top_along(dim.membership, top1, top2, axis)
    freq_cells = count.ravel().round().astype(np.int64)
    # A singleton cell has exactly one non-empty leaf below it: that leaf names its unit.
    lone = np.where(tensors["freq"] == 1, np.arange(prod(leaf_shape)).reshape(leaf_shape), 0)
    owner = np.where(freq_cells == 1, _aggregate(index, lone.astype(np.float64)).ravel(), -1)
    stats = CellStats(value.ravel(), freq_cells, top1.ravel(), top2.ravel(), owner.astype(np.int64))
    return Table(index, stats, relation_matrix(index))


def build_from_microdata(
    dims: Sequence[Dimension], micro: pd.DataFrame, holding: str, source: str = "microdonnées"
) -> Table:
    """Build the full table from contributions: units are holdings, summed before counting."""
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
    return Table(index, _unit_stats(per_unit, prod(shape)), relation_matrix(index))


def _unit_stats(per_unit: pd.DataFrame, size: int) -> CellStats:
    """Sum, count and take the two largest unit contributions of every cell."""
    ordered = per_unit.sort_values(["cell", "value"], ascending=[True, False], kind="stable")
    cell = ordered["cell"].to_numpy()
    amount = ordered["value"].to_numpy()
    first = np.r_[True, cell[1:] != cell[:-1]]
    second = np.r_[False, ~first[1:] & first[:-1]]
    value, freq = np.zeros(size), np.zeros(size, dtype=np.int64)
    top1, top2 = np.zeros(size), np.zeros(size)
    np.add.at(value, cell, amount)
    np.add.at(freq, cell, 1)
    top1[cell[first]] = amount[first]
    top2[cell[second]] = amount[second]
    owner = np.full(size, -1, dtype=np.int64)
    owner[cell[first]] = ordered["unit"].to_numpy()[first]
    owner[freq != 1] = -1
    return CellStats(value, freq, top1, top2, owner)


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


def _top_along(
    matrix: sparse.csr_array, top1: FloatArray, top2: FloatArray, axis: int
) -> tuple[FloatArray, FloatArray]:
    """Merge (largest, second largest) contributions over each code's leaves along one axis."""
    a = np.moveaxis(top1, axis, 0)
    b = np.moveaxis(top2, axis, 0)
    starts = matrix.indptr[:-1]
    ga, gb = a[matrix.indices], b[matrix.indices]
    best = np.maximum.reduceat(ga, starts, axis=0)
    # Knock out one occurrence of the largest: ties then keep it as second largest.
    hit = ga == np.repeat(best, np.diff(matrix.indptr), axis=0)
    seen = np.cumsum(hit, axis=0)
    before = np.repeat(
        np.concatenate([np.zeros_like(seen[:1]), seen], axis=0)[starts], np.diff(matrix.indptr), 0
    )
    second = np.maximum.reduceat(np.where(hit & (seen - before == 1), 0.0, ga), starts, axis=0)
    second = np.maximum(second, np.maximum.reduceat(gb, starts, axis=0))
    return np.moveaxis(best, 0, axis), np.moveaxis(second, 0, axis)


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
