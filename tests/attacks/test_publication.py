"""Publication order: the public socle and a requester's extracts, in either order.

The issue's reproduction: the Bouches-du-Rhône receives its communes for PPA and PPA_MONTANT,
2023-2024, without totals; then anyone reads the département on the socle. Before the socle
was one publication protected first, the département minus the published communes gave the
withheld one. The mirror (socle first) and the socle indicators with a breakdown too.
"""

from __future__ import annotations

import pytest
from flask import Flask

from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.geography import Geography
from tests.attacks.player import Player
from tests.attacks.scenarios import private_then_public, public_then_private
from tests.attacks.world import assert_nothing_disclosed, conventioned_departement

ORDERS = {"prive_puis_public": private_then_public, "public_puis_prive": public_then_private}
CASES = [
    ("13", ("PPA", "PPA_MONTANT"), (2023, 2024), "prive_puis_public"),  # the issue's
    ("13", ("PPA", "PPA_MONTANT"), (2023, 2024), "public_puis_prive"),
    ("48", ("PPA", "PPA_MONTANT"), (2023, 2024), "prive_puis_public"),
    ("13", ("ALLOC_SITFAM",), (2024,), "prive_puis_public"),  # by situation familiale
    ("13", ("ENF_COUVERTS",), (2024,), "public_puis_prive"),  # by age
    ("48", ("ENF_COUVERTS",), (2024,), "prive_puis_public"),
]


@pytest.mark.parametrize(("departement", "indicators", "periods", "order"), CASES)
def test_publication_order_discloses_nothing(
    departement: str,
    indicators: tuple[str, ...],
    periods: tuple[int, ...],
    order: str,
    sqlite_app: Flask,
    geography: Geography,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    requester = conventioned_departement(sqlite_app, departement)
    player = Player(sqlite_app.test_client(), geography, requester.headers, requester.id)
    ORDERS[order](player, departement, indicators, periods)
    assert_nothing_disclosed(sqlite_app, player, store, catalogue)


def test_the_publication_alone_discloses_nothing(
    sqlite_app: Flask, geography: Geography, store: CellStore, catalogue: Catalogue
) -> None:
    """What anyone reads: the départements of the store, their régions, France."""
    player = Player(sqlite_app.test_client(), geography, {})
    for indicator, extra in (("RSA", {}), ("ALLOC_SITFAM", {"breakdowns": "situation_familiale"})):
        for level, codes in (("departement", "13,84,48"), ("region", "93,76"), ("france", "FR")):
            player.socle(indicator, level=level, codes=codes, periods=[2023], **extra)
    assert_nothing_disclosed(sqlite_app, player, store, catalogue)
