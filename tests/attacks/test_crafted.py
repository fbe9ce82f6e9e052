"""Crafted differencing attacks: no unsafe cell may be bounded within its protection interval."""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from tests.attacks.player import Player
from tests.attacks.sequences import CRAFTED
from tests.attacks.verdict import describe
from tests.attacks.world import judge

CASES = [
    ("48", "RSA"),
    ("48", "ENF_MOINS_3"),
    ("48", "AL_MONTANT"),
]


@pytest.mark.parametrize("departement,indicator", CASES)
@pytest.mark.parametrize("sequence", sorted(CRAFTED))
def test_crafted_sequence_discloses_nothing(
    sequence: str,
    departement: str,
    indicator: str,
    lozere: Player,
    sqlite_app: Flask,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    CRAFTED[sequence](lozere, departement, indicator, 2023)
    assert not lozere.unexpected(), lozere.unexpected()
    verdict = judge(sqlite_app, lozere, store, catalogue)
    print(sequence, indicator, [(o.label, o.status, o.rules) for o in lozere.log])
    print(describe(verdict))
    assert verdict.unsafe > 0, "the attack bounded no unsafe cell: nothing was tested"
    assert not verdict.disclosures, describe(verdict)
