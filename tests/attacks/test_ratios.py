"""Ratios: a published ratio and its published terms never give a withheld term.

PART_ALLOC_RSA = RSA / ALLOC x 100 and TAUX_COUV_EAJE = PLACES_EAJE / ENF_MOINS_3 x 100 are
delivered rounded to four decimals: with one term published, the other is known within that
rounding. The attacker's programs hold every published ratio as two inequalities tying its
terms (through the catalogue's relations: ENF_MOINS_3 is the 0_2 category of ENF_MOINS_6),
and the gateway's ledger must hold both terms of every ratio it published as released.
"""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from tests.attacks.player import Player
from tests.attacks.scenarios import body, communes_of
from tests.attacks.verdict import describe
from tests.attacks.world import assert_nothing_disclosed, ratio_leaks

CASES = [
    ("PART_ALLOC_RSA", "RSA", "ALLOC_SITFAM"),  # the denominator's family, broken down
    ("TAUX_COUV_EAJE", "PLACES_EAJE", "ENF_MOINS_6"),  # the denominator is a category
    ("TAUX_COUV_ASSMAT", "PLACES_ASSMAT", "ENF_MOINS_3"),
]


@pytest.mark.parametrize("indicators", CASES)
def test_ratio_with_its_terms_discloses_nothing(
    indicators: tuple[str, ...],
    lozere: Player,
    sqlite_app: Flask,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    if indicators[0] == "PART_ALLOC_RSA":  # a socle ratio: the public département too
        lozere.socle("PART_ALLOC_RSA", level="departement", codes="48", periods=[2023])
    lozere.extract(body(indicators, communes_of("departement", "48"), [2023], totals=True))
    verdict = assert_nothing_disclosed(sqlite_app, lozere, store, catalogue)
    assert verdict.ratios > 0, describe(verdict)
    assert not ratio_leaks(sqlite_app, lozere, catalogue)
