"""Dimensions: leaf codes, non-nested hierarchies over them and extra groups (custom zones)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from policies.errors import InvalidInput

TOTAL = "Total"


@dataclass(frozen=True)
class Hierarchy:
    """A tree over the leaves of a dimension, given as child -> parent (top nodes -> Total)."""

    parents: Mapping[str, str]
    name: str = "hiérarchie"
    lines: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_hrc(cls, text: str, name: str = "hiérarchie") -> Hierarchy:
        """Parse tau-Argus .hrc text: one code a line, one more '@' per level of depth."""
        parents: dict[str, str] = {}
        lines: dict[str, int] = {}
        stack: list[str] = [TOTAL]
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            code = raw.strip().lstrip("@").strip()
            depth = len(raw.strip()) - len(raw.strip().lstrip("@"))
            if not code or depth > len(stack) - 1 or code == TOTAL:
                raise InvalidInput(f"{name}, ligne {number} : niveau ou code invalide « {raw} ».")
            if code in parents:
                raise InvalidInput(f"{name}, ligne {number} : code « {code} » en double.")
            del stack[depth + 1 :]
            parents[code], lines[code] = stack[-1], number
            stack.append(code)
        if not parents:
            raise InvalidInput(f"{name} : aucun code.")
        return cls(parents, name, lines)

    @classmethod
    def from_parents(cls, parents: Mapping[str, str], name: str = "hiérarchie") -> Hierarchy:
        """Build from a mapping code -> parent code (top-level codes map to Total)."""
        return cls(dict(parents), name)

    def children(self) -> dict[str, list[str]]:
        """Return each internal node's children, in declaration order."""
        kids: dict[str, list[str]] = {}
        for code, parent in self.parents.items():
            kids.setdefault(parent, []).append(code)
        missing = [p for p in kids if p != TOTAL and p not in self.parents]
        if missing:
            raise InvalidInput(f"{self.name} : parent inconnu « {missing[0]} ».")
        return kids

    def leaves(self) -> list[str]:
        """Return the codes that have no children."""
        kids = self.children()
        return [code for code in self.parents if code not in kids]


@dataclass(frozen=True)
class Dimension:
    """A dimension: its leaf codes, hierarchies over them and extra groups of leaves."""

    name: str
    leaves: Sequence[str]
    hierarchies: Sequence[Hierarchy] = ()
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CodeIndex:
    """Every code of one dimension with its leaf membership and additive relations."""

    name: str
    codes: tuple[str, ...]
    position: Mapping[str, int]
    membership: sparse.csr_array
    relations: tuple[tuple[int, tuple[int, ...]], ...]
    leaf_codes: npt.NDArray[np.int64]


def compile_dimension(dim: Dimension) -> CodeIndex:
    """Index every code of a dimension and list its relations parent = sum of children."""
    leaves = list(dim.leaves)
    if not leaves:
        raise InvalidInput(f"Dimension {dim.name} : aucun code feuille.")
    if len(set(leaves)) != len(leaves) or TOTAL in leaves:
        raise InvalidInput(f"Dimension {dim.name} : codes feuilles en double ou réservés.")
    leaf_set = set(leaves)
    members: dict[str, frozenset[str]] = {TOTAL: frozenset(leaves)}
    relations: list[tuple[str, tuple[str, ...]]] = []
    for hierarchy in dim.hierarchies:
        kids = hierarchy.children()
        _check_leaves(dim.name, hierarchy, leaf_set, kids)
        for code in _postorder(kids):
            sets = [members[k] if k in kids else frozenset([k]) for k in kids[code]]
            _merge(members, code, frozenset().union(*sets), dim.name)
            relations.append((code, tuple(kids[code])))
    for group, group_members in dim.groups.items():
        unknown = [m for m in group_members if m not in leaf_set]
        if unknown or not group_members:
            raise InvalidInput(f"Dimension {dim.name}, groupe {group} : code inconnu {unknown}.")
        _merge(members, group, frozenset(group_members), dim.name)
        relations.append((group, tuple(dict.fromkeys(group_members))))
    if not dim.hierarchies:
        relations.append((TOTAL, tuple(leaves)))
    return _index(dim.name, leaves, members, relations)


def _check_leaves(
    name: str, hierarchy: Hierarchy, leaf_set: set[str], kids: Mapping[str, list[str]]
) -> None:
    """Refuse a hierarchy whose leaves differ from the dimension's leaves (`kids`: its
    children, already built: France's 35,000 communes take 0.1 s a pass)."""
    leaves = [code for code in hierarchy.parents if code not in kids]
    for code in leaves:
        if code not in leaf_set:
            where = f", ligne {hierarchy.lines[code]}" if code in hierarchy.lines else ""
            raise InvalidInput(f"{hierarchy.name}{where} : code inconnu « {code} » ({name}).")
    absent = sorted(leaf_set.difference(leaves))
    if absent:
        raise InvalidInput(f"{hierarchy.name} : la feuille « {absent[0]} » de {name} est absente.")


def _postorder(kids: Mapping[str, list[str]]) -> list[str]:
    """Return the internal nodes so that children come before their parents."""
    order: list[str] = []
    stack: list[tuple[str, bool]] = [(TOTAL, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(kids[node]) if k in kids)
    return order


def _merge(members: dict[str, frozenset[str]], code: str, leaves: frozenset[str], dim: str) -> None:
    """Record a code's leaf set, refusing one code that denotes two different sets."""
    if code in members and members[code] != leaves:
        raise InvalidInput(f"Dimension {dim} : le code « {code} » désigne deux ensembles.")
    members[code] = leaves


def _index(
    name: str,
    leaves: list[str],
    members: dict[str, frozenset[str]],
    relations: list[tuple[str, tuple[str, ...]]],
) -> CodeIndex:
    """Number the codes (Total, margins and groups, then leaves) and build the membership."""
    leaf_set = set(leaves)
    codes = [c for c in members if c not in leaf_set] + leaves
    position = {code: i for i, code in enumerate(codes)}
    leaf_pos = {leaf: i for i, leaf in enumerate(leaves)}
    rows: list[int] = []
    cols: list[int] = []
    for code in codes:
        below = members.get(code)
        if below is None:  # a leaf: itself
            rows.append(position[code])
            cols.append(leaf_pos[code])
        else:
            rows.extend([position[code]] * len(below))
            cols.extend(map(leaf_pos.__getitem__, below))
    data = np.ones(len(rows), dtype=np.float64)
    shape = (len(codes), len(leaves))
    membership = sparse.csr_array((data, (rows, cols)), shape=shape)
    unique = dict.fromkeys((position[p], tuple(position[c] for c in kids)) for p, kids in relations)
    leaf_codes = np.array([position[leaf] for leaf in leaves], dtype=np.int64)
    return CodeIndex(name, tuple(codes), position, membership, tuple(unique), leaf_codes)
