"""The oracle itself: it must catch a textbook differencing, and pass an innocent release."""

from __future__ import annotations

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.domain import GeoLevel
from policies.geography import Geography
from policies.secrecy import TOTAL
from tests.attacks.families import families
from tests.attacks.oracle import attack
from tests.attacks.player import Observation
from tests.attacks.sequences import epcis_inside
from tests.attacks.truth import Truth


def _difference(
    geography: Geography, store: CellStore, catalogue: Catalogue
) -> tuple[frozenset[str], frozenset[str], Truth]:
    """Find an EPCI of the Lozère with an unsafe commune; return the EPCI, the commune, truth."""
    truth = Truth(store, catalogue, families(catalogue)["RSA"], 2023, ())
    for epci in epcis_inside(geography, "48"):
        members = frozenset(geography.communes_of(GeoLevel.EPCI, epci))
        singles = [frozenset([c]) for c in sorted(members)]
        unsafe = truth.unsafe(singles)
        target = next((s for s in singles if unsafe.get((s, TOTAL), 0) > 0), None)
        if target is not None:
            return members, target, truth
    raise AssertionError("no EPCI of the Lozère with an unsafe commune")


def _seen(truth: Truth, communes: frozenset[str]) -> Observation:
    value = truth.frame([communes])[(communes, TOTAL)][0]
    return Observation("RSA", 2023, TOTAL, communes, value)


def test_the_oracle_catches_an_epci_minus_one_commune(
    geography: Geography, store: CellStore, catalogue: Catalogue
) -> None:
    members, target, truth = _difference(geography, store, catalogue)
    seen = {_seen(truth, members), _seen(truth, members - target)}
    verdict = attack(seen, store, catalogue)
    disclosed = {b.communes for b in verdict.disclosures}
    assert target in disclosed
    assert verdict.tightest is not None and verdict.tightest.relative == 0


def test_the_oracle_passes_a_lone_safe_total(
    geography: Geography, store: CellStore, catalogue: Catalogue
) -> None:
    members, target, truth = _difference(geography, store, catalogue)
    verdict = attack({_seen(truth, members)}, store, catalogue, [target, members - target])
    assert verdict.unsafe > 0
    assert not verdict.disclosures


def _unsafe_commune(truth: Truth, geography: Geography, category: str) -> frozenset[str]:
    """Return a commune of the Lozère whose cell (category) is unsafe and not zero."""
    singles = [frozenset([c]) for c in sorted(geography.communes_of(GeoLevel.DEPARTEMENT, "48"))]
    unsafe = truth.unsafe(singles)
    return next(s for s in singles if unsafe.get((s, category), 0) > 0)


def test_the_oracle_reads_a_relation_of_the_catalogue(
    geography: Geography, store: CellStore, catalogue: Catalogue
) -> None:
    """ENF_MOINS_3 is the 0_2 category of ENF_MOINS_6: with its total, the 3_5 one follows."""
    family = families(catalogue)["ENF_MOINS_6"]
    truth = Truth(store, catalogue, family, 2023, family.categories)
    target = _unsafe_commune(truth, geography, "3_5")
    seen = {
        Observation("ENF_MOINS_3", 2023, TOTAL, target, truth.value(target, "0_2")),
        Observation("ENF_MOINS_6", 2023, TOTAL, target, truth.value(target, TOTAL)),
        Observation("ENF_MOINS_6", 2023, "3_5", target, None),
    }
    verdict = attack(seen, store, catalogue)
    assert (target, "3_5") in {(b.communes, b.category) for b in verdict.disclosures}


def test_the_oracle_reads_a_ratio_with_one_published_term(
    geography: Geography, store: CellStore, catalogue: Catalogue
) -> None:
    """PART_ALLOC_RSA x ALLOC / 100 = RSA within the ratio's rounding: RSA is disclosed."""
    by_member = families(catalogue)
    rsa = Truth(store, catalogue, by_member["RSA"], 2023, ())
    target = _unsafe_commune(rsa, geography, TOTAL)
    alloc = Truth(store, catalogue, by_member["ALLOC"], 2023, ()).value(target, TOTAL)
    ratio = round(rsa.value(target, TOTAL) / alloc * 100, 4)
    seen = {
        Observation("ALLOC", 2023, TOTAL, target, alloc),
        Observation("RSA", 2023, TOTAL, target, None),
        Observation("PART_ALLOC_RSA", 2023, TOTAL, target, ratio),
    }
    verdict = attack(seen, store, catalogue)
    assert verdict.ratios == 1
    assert (target, TOTAL) in {(b.communes, b.category) for b in verdict.disclosures}
