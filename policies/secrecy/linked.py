"""Link a new table to everything released before, through the communes each cell covers.

Every released or requested territory cell is a set of communes (a commune, an EPCI, a
département, a custom zone...). The finest partition those sets induce, the *atoms*, are the
leaves of one territory dimension; every set is then the sum of its atoms, so cells released
for different territory definitions become linear relations of one table that the engine
protects at once. Cells that exist in the table but are not released are *hidden*: withheld
without needing protection of their own (unless the rules make them primary).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from policies.secrecy.dimensions import TOTAL, Dimension
from policies.secrecy.status import Apriori

Communes = frozenset[str]
Coordinate = tuple[str, ...]


@dataclass(frozen=True)
class KnownCell:
    """A cell released earlier: its communes, its category (TOTAL for all) and whether shown."""

    communes: Communes
    category: str
    published: bool


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
    unique = sorted(set(sets), key=lambda s: (len(s), sorted(s)))
    signature: dict[str, list[int]] = {}
    for position, members in enumerate(unique):
        for commune in members:
            signature.setdefault(commune, []).append(position)
    groups: dict[tuple[int, ...], list[str]] = {}
    for commune, positions in signature.items():
        groups.setdefault(tuple(positions), []).append(commune)
    ordered = sorted((sorted(communes) for communes in groups.values()), key=lambda c: c[0])
    return {f"a{index:05d}": frozenset(communes) for index, communes in enumerate(ordered)}


def link(
    requested: Sequence[Communes], known: Sequence[KnownCell], categories: Sequence[str] = ()
) -> LinkedTable:
    """Build the linked table of the requested sets and the sets of the known cells."""
    sets = [*requested, *(cell.communes for cell in known)]
    atoms = atoms_of(sets)
    atom_of = {commune: atom for atom, communes in atoms.items() for commune in communes}
    everything = frozenset(atom_of)
    codes: dict[Communes, str] = {}
    groups: dict[str, list[str]] = {}
    for members in sorted(set(sets), key=lambda s: (len(s), sorted(s))):
        parts = sorted({atom_of[c] for c in members})
        if members == everything:
            codes[members] = TOTAL
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
    return LinkedTable(dims, atoms, codes, tuple(categories))


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
