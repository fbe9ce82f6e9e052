"""Linked tables: atoms partition the communes, every set is the sum of its atoms."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.secrecy import TOTAL, Apriori
from policies.secrecy.linked import KnownCell, apriori_statuses, atoms_of, connected, link

COMMUNES = [f"{n:05d}" for n in range(13001, 13021)]
sets = st.lists(
    st.frozensets(st.sampled_from(COMMUNES), min_size=1, max_size=12), min_size=1, max_size=8
)


@settings(max_examples=200, deadline=None)
@given(sets)
def test_atoms_partition_and_rebuild_every_set(territories: list[frozenset[str]]) -> None:
    atoms = atoms_of(territories)
    pieces = list(atoms.values())
    assert sum(len(p) for p in pieces) == len(frozenset().union(*territories))
    for territory in territories:
        inside = [p for p in pieces if p <= territory]
        assert frozenset().union(*inside) == territory
        assert all(p <= territory or not (p & territory) for p in pieces)


@settings(max_examples=100, deadline=None)
@given(sets)
def test_atoms_are_deterministic(territories: list[frozenset[str]]) -> None:
    assert atoms_of(territories) == atoms_of(list(reversed(territories)))


def test_zone_differing_by_one_commune_gets_its_own_atom() -> None:
    epci = frozenset(COMMUNES[:5])
    zone = frozenset(COMMUNES[:4])
    table = link([zone], [KnownCell(epci, TOTAL, True)])
    assert frozenset([COMMUNES[4]]) in table.atoms.values()
    # The EPCI is the whole table here, its grand total; the zone is one atom, the commune
    # the other: EPCI = zone + commune is a relation the engine sees.
    assert table.coordinate(epci) == (TOTAL,)
    assert table.atoms[table.coordinate(zone)[0]] == zone


def test_statuses_of_known_requested_and_hidden_cells() -> None:
    a, b = frozenset(COMMUNES[:2]), frozenset(COMMUNES[2:4])
    known = [KnownCell(a, TOTAL, True), KnownCell(b, TOTAL, False), KnownCell(a, "0_2", False)]
    table = link([a, b], known, categories=("0_2", "3_5"))
    statuses = apriori_statuses(table, [table.coordinate(a, "3_5")], known)
    assert statuses[table.coordinate(a)] is Apriori.PUBLISHED
    assert statuses[table.coordinate(b)] is Apriori.HIDDEN  # withheld earlier: stays withheld
    assert statuses[table.coordinate(a, "0_2")] is Apriori.HIDDEN
    assert table.coordinate(a, "3_5") not in statuses  # requested: the engine decides
    assert statuses[table.coordinate(b, "3_5")] is Apriori.HIDDEN  # not requested, not known


def test_published_cells_outside_the_request_are_subtracted() -> None:
    """France minus the other published départements is the requested département's total."""
    from policies.secrecy.linked import reduce_known

    dep13, dep84, dep48 = frozenset({"a", "b"}), frozenset({"c"}), frozenset({"d", "e"})
    region = dep13 | dep84
    france = region | dep48
    known = [
        KnownCell(france, TOTAL, True, 100.0),
        KnownCell(region, TOTAL, True, 60.0),
        KnownCell(dep84, TOTAL, True, 15.0),
        KnownCell(dep48, TOTAL, True, 40.0),
        KnownCell(dep48 | frozenset({"b"}), TOTAL, False),  # withheld: reduced, still withheld
        KnownCell(dep48, "0_2", True, 9.0),  # another category: no constant for TOTAL cells
    ]
    reduced = reduce_known(known, dep13)
    assert KnownCell(dep13, TOTAL, True, 45.0) in reduced  # region minus 84
    assert KnownCell(dep13, TOTAL, True, 60.0) not in reduced
    assert KnownCell(frozenset({"b"}), TOTAL, False) in reduced
    # France minus 48 is the region, minus 84 is the département: 100 - 40 - 15.
    assert reduced.count(KnownCell(dep13, TOTAL, True, 45.0)) == 2
    assert all(not cell.communes.isdisjoint(dep13) for cell in reduced)


def test_unpublished_parts_outside_keep_their_links() -> None:
    from policies.secrecy.linked import reduce_known

    zone, other, far = frozenset({"a"}), frozenset({"x"}), frozenset({"y"})
    known = [
        KnownCell(zone | other, TOTAL, True, 10.0),  # "x" is not published alone: kept
        KnownCell(other | far, TOTAL, True, 7.0),  # linked through "x": kept
        KnownCell(frozenset({"z"}), TOTAL, True, 3.0),  # unrelated: dropped
    ]
    assert reduce_known(known, zone) == known[:2]


def _closure(sets: list[frozenset[str]], seed: frozenset[str]) -> list[bool]:
    """The plain definition: grow the covered communes until nothing new meets them."""
    covered, reached = set(seed), [False] * len(sets)
    while True:
        new = [i for i, s in enumerate(sets) if not reached[i] and covered & s]
        if not new:
            return reached
        for index in new:
            reached[index] = True
            covered |= sets[index]


@settings(max_examples=200)
@given(
    st.lists(st.frozensets(st.sampled_from([f"c{i}" for i in range(40)]), max_size=8), max_size=12),
    st.frozensets(st.sampled_from([f"c{i}" for i in range(40)]), max_size=5),
)
def test_connected_is_the_closure_through_shared_communes(
    sets: list[frozenset[str]], seed: frozenset[str]
) -> None:
    assert connected(sets, seed) == _closure(sets, seed)


def test_connected_reaches_through_a_chain_only() -> None:
    chain = [frozenset({"b", "c"}), frozenset({"c", "d"}), frozenset({"x"}), frozenset()]
    assert connected(chain, frozenset({"a", "b"})) == [True, True, False, False]


class _Counted(frozenset[str]):
    """A commune set that counts how often it is compared with another (member by member)."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        type(self).compared += 1
        return frozenset.__eq__(self, other)

    __hash__ = frozenset.__hash__


def _socle_like() -> tuple[frozenset[str], list[KnownCell]]:
    """A France of 20 départements of 100 communes, published by 3 categories, and a region."""
    departements = [frozenset(f"{d:02d}{c:03d}" for c in range(100)) for d in range(20)]
    france = frozenset().union(*departements)
    known = [
        KnownCell(communes, category, True, float(len(communes)))
        for communes in (france, departements[0] | departements[1], *departements)
        for category in ("0_2", "3_5", TOTAL)
    ]
    return france, known


def test_reducing_against_an_equal_request_compares_no_sets_member_by_member() -> None:
    """Each request builds its communes anew: the caches find them by identity, not by members.

    A France-wide request compared its 35,000 communes with the cached key's at every known
    cell (2.6 s of a France-level IMAJE screen); the result must not depend on the instance.
    """
    from policies.secrecy.linked import reduce_known

    france, known = _socle_like()
    expected = reduce_known(known, france)
    assert expected == known  # nothing published lies outside France: nothing to subtract
    _Counted.compared = 0
    for _ in range(5):
        assert reduce_known(known, _Counted(france)) == expected
    assert _Counted.compared <= 5  # at most once per call (finding its one instance)


def test_reduction_is_the_same_with_cold_and_warm_caches() -> None:
    from policies.secrecy import linked

    france, known = _socle_like()
    departement = next(c.communes for c in known if len(c.communes) == 100)
    warm = {r: linked.reduce_known(known, frozenset(set(r))) for r in (france, departement)}
    for cache in (linked._canonical, linked._split, linked._cover, linked._mask):
        cache.cache_clear()
    for requested, reduced in warm.items():
        assert linked.reduce_known(known, requested) == reduced
    # A département: France minus the 19 others published is that département (value 100).
    assert KnownCell(departement, TOTAL, True, 100.0) in warm[departement]


def test_a_requested_set_equal_to_a_known_one_is_linked_as_that_instance() -> None:
    france, known = _socle_like()
    copy = frozenset(set(france))
    table = link([copy], known, ("0_2", "3_5"))
    assert table == link([france], known, ("0_2", "3_5"))
    assert table.coordinate(copy) == table.coordinate(france) == (TOTAL, TOTAL)
    assert any(code is france for code in table.codes)  # the known cells' instance
