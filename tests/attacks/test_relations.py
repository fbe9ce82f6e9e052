"""Related indicators: one table for the attacker, whatever the combination asked.

The catalogue declares ENF_MOINS_3 to be the 0_2 category of ENF_MOINS_6, and ALLOC the
total of ALLOC_SITFAM. The issue's reproduction: the Lozère asks ENF_MOINS_3 and ENF_MOINS_6
for its communes, with totals; protected as two tables, a pair withheld in one was published
in the other.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.geography import Geography
from policies.secrecy import TOTAL
from tests.attacks.families import families
from tests.attacks.player import Player
from tests.attacks.scenarios import body, communes_of, related_in_turn
from tests.attacks.sequences import epcis_inside
from tests.attacks.world import assert_nothing_disclosed


def test_every_declared_relation_places_its_indicator_in_one_table(catalogue: Catalogue) -> None:
    by_member = families(catalogue)
    declared = [i for i in catalogue if not i.is_ratio and i.relation is not None]
    assert {i.code for i in declared} >= {"ENF_MOINS_3", "ALLOC"}
    for indicator in declared:
        relation = indicator.relation
        assert relation is not None
        family = by_member[indicator.code]
        if relation.category_of:
            assert family is by_member[relation.category_of]
            assert family.place(indicator.code, TOTAL) == relation.category
        else:
            assert family.place(indicator.code, TOTAL) == TOTAL
            assert all(family.place(t, TOTAL) == t for t in relation.sum_of)
    assert by_member["ENF_MOINS_3"].place("ENF_MOINS_3", TOTAL) == "0_2"
    assert by_member["ALLOC"].place("ALLOC", TOTAL) == TOTAL
    assert by_member["ALLOC"].code == "ALLOC_SITFAM"


def _epci(geography: Geography) -> dict[str, Any]:
    return communes_of("epci", epcis_inside(geography, "48")[3])


@pytest.mark.parametrize(
    "pair",
    [
        ("ENF_MOINS_3", "ENF_MOINS_6"),  # the reproduction
        ("ALLOC", "ALLOC_SITFAM"),
    ],
)
def test_related_indicators_in_one_extract(
    pair: tuple[str, str],
    lozere: Player,
    sqlite_app: Flask,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    lozere.extract(body(pair, communes_of("departement", "48"), [2023, 2024], totals=True))
    assert_nothing_disclosed(sqlite_app, lozere, store, catalogue)


@pytest.mark.parametrize(
    "pair",
    [
        ("ENF_MOINS_3", "ENF_MOINS_6"),
        ("ENF_MOINS_6", "ENF_MOINS_3"),
        ("ALLOC_SITFAM", "ALLOC"),
    ],
)
def test_related_indicators_one_after_the_other(
    pair: tuple[str, str],
    lozere: Player,
    geography: Geography,
    sqlite_app: Flask,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    related_in_turn(lozere, _epci(geography), pair, 2023)
    assert_nothing_disclosed(sqlite_app, lozere, store, catalogue)
