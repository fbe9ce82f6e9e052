"""Link a new table to everything released before, through the communes each cell covers.

Every released or requested territory cell is a set of communes (a commune, an EPCI, a
département, a custom zone...). The finest partition those sets induce, the *atoms*, are the
leaves of one territory dimension; every set is then the sum of its atoms, so cells released
for different territory definitions become linear relations of one table that the engine
protects at once. Cells that exist in the table but are not released are *hidden*: withheld
without needing protection of their own (unless the rules make them primary).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from policies.secrecy.dimensions import TOTAL, Dimension
from policies.secrecy.status import Apriori

Communes = frozenset[str]
Coordinate = tuple[str, ...]


@dataclass(frozen=True)
class KnownCell:
    """A cell released earlier: its communes, its category (TOTAL for all) and whether shown.

    `value` is the figure published (None when withheld, or unknown).
    """

    communes: Communes
    category: str
    published: bool
    value: float | None = None


@dataclass(frozen=True)
class LinkedTable:
    """The dimensions of a linked table and how territory sets map onto its codes."""

    dimensions: tuple[Dimension, ...]
    atoms: Mapping[str, Communes]  # atom code -> its communes
    codes: Mapping[Communes, str]  # every territory set of the table -> its code
    categories: tuple[str, ...]  # () when the indicator has no breakdown

    def coordinate(self, communes: Communes, category: str = TOTAL) -> Coordinate:
        """Return the table coordinate of a territory set (and category)."""
        code = self.codes[communes]
        return (code, category) if self.categories else (code,)

    def all_coordinates(self) -> Iterable[Coordinate]:
        """Yield every coordinate of the table: territory codes x categories and their total."""
        territory_codes = sorted(set(self.codes.values()) | set(self.atoms) | {TOTAL})
        for code in territory_codes:
            if self.categories:
                for category in (*self.categories, TOTAL):
                    yield (code, category)
            else:
                yield (code,)


def atoms_of(sets: Iterable[Communes]) -> dict[str, Communes]:
    """Partition the union of the sets by membership signature; name atoms deterministically."""
    return dict(_partition(_ordered(sets))[0])


def _ordered(sets: Iterable[Communes]) -> tuple[Communes, ...]:
    """Return the distinct sets in a deterministic order (size, then members)."""
    return _sorted_sets(frozenset(sets))


@lru_cache(maxsize=64)
def _sorted_sets(sets: frozenset[Communes]) -> tuple[Communes, ...]:
    return tuple(sorted(sets, key=set_order))


def set_order(communes: Communes) -> tuple[int, tuple[str, ...]]:
    """Return a deterministic sort key of a commune set: its size, then its members."""
    return len(communes), sorted_members(communes)


@lru_cache(maxsize=8192)  # the same territories (France, régions...) come back all the time
def sorted_members(communes: Communes) -> tuple[str, ...]:
    """Return the members of a commune set in order (sums then add up in one order)."""
    return tuple(sorted(communes))


@lru_cache(maxsize=64)  # the same territories come back for every period and related set
def _partition(unique: tuple[Communes, ...]) -> tuple[dict[str, Communes], dict[str, int]]:
    """Return the atoms and, per atom, the bit set of the (ordered) sets that contain it.

    A commune's signature is an integer with bit p set when set p contains it: one pass over
    the members, then atoms are the communes of equal signature (France-wide: 0.1 s).
    """
    signature: dict[str, int] = {}
    for position, members in enumerate(unique):
        bit = 1 << position
        for commune in members:
            signature[commune] = signature.get(commune, 0) | bit
    groups: dict[int, list[str]] = {}
    for commune, bits in signature.items():
        groups.setdefault(bits, []).append(commune)
    ordered = sorted(((sorted(c), bits) for bits, c in groups.items()), key=lambda a: a[0][0])
    atoms = {f"a{i:05d}": frozenset(communes) for i, (communes, _) in enumerate(ordered)}
    return atoms, {f"a{i:05d}": bits for i, (_, bits) in enumerate(ordered)}


def link(
    requested: Sequence[Communes], known: Sequence[KnownCell], categories: Sequence[str] = ()
) -> LinkedTable:
    """Build the linked table of the requested sets and the sets of the known cells.

    A requested set equal to a known cell's is taken as that cell's instance: the known
    cells' sets are the same objects from one request to the next, so the caches and the
    table's codes then find them by identity rather than member by member (France: 35,000).
    """
    same = {cell.communes: cell.communes for cell in known}
    requested = [same.get(communes, communes) for communes in requested]
    return _link(tuple(requested), tuple(known), tuple(categories))


@lru_cache(maxsize=32)  # one table per related set and period often shares its territories
def _link(
    requested: tuple[Communes, ...], known: tuple[KnownCell, ...], categories: tuple[str, ...]
) -> LinkedTable:
    unique = _ordered([*requested, *(cell.communes for cell in known)])
    atoms, bits = _partition(unique)
    parts_of: list[list[str]] = [[] for _ in unique]
    for atom in sorted(bits):  # each atom into the sets its signature names
        signature = bits[atom]
        while signature:
            lowest = signature & -signature
            parts_of[lowest.bit_length() - 1].append(atom)
            signature ^= lowest
    everything = sum(len(members) for members in atoms.values())
    codes: dict[Communes, str] = {}
    groups: dict[str, list[str]] = {}
    for members, parts in zip(unique, parts_of, strict=True):
        if len(members) == everything:
            codes[members] = TOTAL  # the set covers every atom: the table's total
        elif len(parts) == 1:
            codes[members] = parts[0]
        else:
            code = f"g{len(groups):05d}"
            groups[code] = parts
            codes[members] = code
    territory = Dimension("territoire", sorted(atoms), groups=groups)
    dims: tuple[Dimension, ...] = (territory,)
    if categories:
        dims = (territory, Dimension("categorie", list(categories)))
    return LinkedTable(dims, atoms, codes, categories)


def reduce_known(known: Sequence[KnownCell], requested: Communes) -> list[KnownCell]:
    """Subtract from each known cell the published cells it contains outside `requested`.

    A cell published outside the requested communes is a constant to the attacker: a known
    cell S containing it tells exactly what S minus it tells (same category, published or
    withheld alike: S is computable iff S minus a published constant is). Reducing every
    known cell so keeps the attacker's linear system the same while the table shrinks to the
    requested communes and what truly links to them: the France total, once the other
    départements are published, is the requested département's total. Cells left without a
    commune, or no longer connected to the requested communes, drop out.
    """
    requested = _canonical(requested)  # the caches below then find it by identity
    constants: dict[str, list[KnownCell]] = {}
    for cell in known:
        if cell.published and cell.value is not None and cell.communes.isdisjoint(requested):
            constants.setdefault(cell.category, []).append(cell)
    for cells in constants.values():
        cells.sort(key=lambda c: (-len(c.communes), sorted_members(c.communes)))
    shapes = {category: tuple(c.communes for c in cells) for category, cells in constants.items()}
    reduced = []
    for cell in known:
        if cell.communes.isdisjoint(requested):  # kept whole while something links it
            reduced.append(cell)
            continue
        inside, outside = _split(cell.communes, requested)
        outside, used = _cover(outside, shapes.get(cell.category, ()))
        if not used:
            reduced.append(cell)
            continue
        value = cell.value
        if value is not None:
            value -= sum(constants[cell.category][i].value or 0.0 for i in used)
        members = inside | outside
        reduced.append(KnownCell(members, cell.category, cell.published, value))
    return _still_connected(reduced, requested)


@lru_cache(maxsize=64)
def _canonical(communes: Communes) -> Communes:
    """Return the first instance seen of a set equal to `communes` (one per distinct set).

    Each request builds its requested communes anew: as part of a cache key, an equal but
    distinct France-wide set is compared member by member (35,000 names) at every hit, once
    per known cell; the same instance is found by identity.
    """
    return communes


@lru_cache(maxsize=4096)  # the socle's sets recur for every category and period
def _split(communes: Communes, requested: Communes) -> tuple[Communes, Communes]:
    """Return the communes of a set inside and outside the requested ones."""
    return communes & requested, communes - requested


@lru_cache(maxsize=4096)
def _cover(outside: Communes, constants: tuple[Communes, ...]) -> tuple[Communes, tuple[int, ...]]:
    """Subtract the constants contained in `outside`, largest first; return what remains."""
    used = []
    for index, constant in enumerate(constants):
        if not outside:
            break
        if len(constant) <= len(outside) and constant <= outside:
            outside = outside - constant
            used.append(index)
    return outside, tuple(used)


def _still_connected(known: Sequence[KnownCell], requested: Communes) -> list[KnownCell]:
    reached = connected([cell.communes for cell in known], requested)
    return [cell for cell, keep in zip(known, reached, strict=True) if keep]


def connected(sets: Sequence[Communes], seed: Communes) -> list[bool]:
    """Tell, for each set, whether it is reachable from `seed` through shared communes.

    The sets are bit masks here: the France total meets every set, and growing a Python
    set of 35,000 names by each territory reached cost more than the rest of the ledger read.
    """
    masks = [_mask(members) for members in sets]
    covered, reached, grown = _mask(seed), [False] * len(sets), True
    while grown:
        grown = False
        for index, mask in enumerate(masks):
            if not reached[index] and covered & mask:
                reached[index], grown = True, True
                covered |= mask
    return reached


#: A bit per commune, in the order communes are first met (positions never change).
_BITS: dict[str, int] = {}
_BITS_LOCK = threading.Lock()


@lru_cache(maxsize=16384)  # the socle's territories come back for every period and set
def _mask(communes: Communes) -> int:
    """Return a commune set as an integer whose bits are its communes'."""
    if not communes:
        return 0
    with _BITS_LOCK:
        positions = [_BITS.setdefault(code, len(_BITS)) for code in communes]
    bits = np.zeros(max(positions) + 1, dtype=np.bool_)
    bits[positions] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def apriori_statuses(
    table: LinkedTable, delivered: Iterable[Coordinate], known: Sequence[KnownCell]
) -> dict[Coordinate, Apriori]:
    """Fix earlier releases and hide every cell that is neither delivered nor known."""
    statuses: dict[Coordinate, Apriori] = dict.fromkeys(table.all_coordinates(), Apriori.HIDDEN)
    for coordinate in delivered:
        statuses.pop(coordinate, None)
    # Withheld earlier wins over published earlier: never release what was once protected.
    # A cell withheld earlier stays withheld, but needs protection of its own only when the
    # rules make it unsafe (it may have been a secondary suppression): it is hidden.
    for cell in sorted(known, key=lambda c: c.published, reverse=True):
        coordinate = table.coordinate(cell.communes, cell.category)
        statuses[coordinate] = Apriori.PUBLISHED if cell.published else Apriori.HIDDEN
    return statuses
