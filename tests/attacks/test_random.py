"""Random sequences of requests: whatever a requester asks, nothing unsafe becomes computable."""

from __future__ import annotations

import random

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from tests.attacks.moves import play_random
from tests.attacks.player import Player
from tests.attacks.verdict import describe
from tests.attacks.world import judge

SEEDS = (1, 2, 3, 4)
REQUESTS = 8


@pytest.mark.parametrize("seed", SEEDS)
def test_random_sequence_discloses_nothing(
    seed: int, lozere: Player, sqlite_app: Flask, store: CellStore, catalogue: Catalogue
) -> None:
    play_random(lozere, "48", random.Random(seed), REQUESTS)
    assert not lozere.unexpected(), lozere.unexpected()
    verdict = judge(sqlite_app, lozere, store, catalogue)
    assert not verdict.disclosures, describe(verdict)
