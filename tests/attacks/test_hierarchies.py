"""Other ways two releases relate: crossed hierarchies, IMAJE screens against extracts.

- EPCI straddling two départements (89 in France): EPCI and département are two hierarchies
  over the communes; a national requester asks every EPCI touching a département, and each
  straddling EPCI's communes on this side, against the public départements;
- the IMAJE history of an EPCI (six years), then its communes but the smallest, each year;
- IMAJE comparisons: a study zone of every EPCI of a département but one against the
  département, then the last one.
"""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from tests.attacks.player import Player
from tests.attacks.scenarios import history_then_communes, nested_comparisons, straddling_epcis
from tests.attacks.world import assert_nothing_disclosed


@pytest.mark.parametrize(("departement", "indicator"), [("84", "RSA"), ("48", "AL_MONTANT")])
def test_straddling_epcis_disclose_nothing(
    departement: str,
    indicator: str,
    national: Player,
    sqlite_app: Flask,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    straddling_epcis(national, departement, indicator, 2023)
    assert_nothing_disclosed(sqlite_app, national, store, catalogue)


@pytest.mark.parametrize("indicator", ["RSA", "ENF_MOINS_3"])
def test_history_then_communes_discloses_nothing(
    indicator: str, lozere: Player, sqlite_app: Flask, store: CellStore, catalogue: Catalogue
) -> None:
    history_then_communes(lozere, "48", indicator, 2023)
    assert_nothing_disclosed(sqlite_app, lozere, store, catalogue)


def test_nested_comparisons_disclose_nothing(
    lozere: Player, sqlite_app: Flask, store: CellStore, catalogue: Catalogue
) -> None:
    nested_comparisons(lozere, "48", "ALLOC", 2023)
    assert_nothing_disclosed(sqlite_app, lozere, store, catalogue)
