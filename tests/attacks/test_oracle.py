"""The oracle itself: it must catch a textbook differencing, and pass an innocent release."""

from __future__ import annotations

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.domain import GeoLevel
from policies.geography import Geography
from policies.secrecy import TOTAL
from tests.attacks.oracle import Truth, attack
from tests.attacks.player import Observation
from tests.attacks.sequences import epcis_inside


def _difference(
    geography: Geography, store: CellStore, catalogue: Catalogue
) -> tuple[frozenset[str], frozenset[str], Truth]:
    """Find an EPCI of the Lozère with an unsafe commune; return the EPCI, the commune, truth."""
    truth = Truth(store, catalogue, "RSA", 2023, ())
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
