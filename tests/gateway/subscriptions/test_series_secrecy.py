"""A series stays consistent from one delivery to the next: month 2 of a subscription, on a
new data vintage, is protected against month 1 (and against what the requester received in
between), so that no unsafe cell can be recomputed from the two."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.reference.geography import load_geography
from gateway.services.subscriptions.runner import run_due
from gateway.state import app_state
from gateway.store import CellStore
from gateway.store.writer import publish
from policies.domain import GeoLevel
from tests.attacks.player import Observation, Player
from tests.attacks.verdict import describe
from tests.attacks.world import conventioned_departement, judge
from tests.conftest import make_app

#: Children under 6 by age in the 20 communes of a Lozère EPCI, with their total: small
#: cells, a third withheld, not so many that the table is refused as too fine.
EPCI = "200069185"
SERIES: dict[str, Any] = {
    "indicators": ["ENF_MOINS_6"],
    "breakdowns": ["age_jeune_enfant"],
    "use": "usage_final",
    "territories": {"parent_level": "epci", "parent_code": EPCI, "level": "commune"},
    "periods": [2023],
    "totals": True,
    "format": "json",
}


@pytest.fixture
def own_store_app(sqlite_url: str, tmp_path: Path, demo_store_dir: Path) -> Iterator[Flask]:
    """An app on a store of its own (hard links of the test store), to publish a vintage."""
    store_dir = tmp_path / "cells"
    shutil.copytree(demo_store_dir, store_dir, symlinks=True, copy_function=os.link)
    app = make_app(sqlite_url, tmp_path, store_dir=store_dir)
    yield app
    app_state(app).database.dispose()


def _history(client: Any, player: Player) -> Any:
    (subscription,) = client.get("/api/v1/abonnements", headers=player.headers).get_json()["items"]
    return subscription["derniere_livraison"]


def _delivered(player: Player, client: Any, label: str) -> tuple[str, set[Observation]]:
    """Read the newest delivery of the subscription as the requester downloads it: its own
    cells, which the player (everything the requester received) keeps too."""
    (subscription,) = client.get("/api/v1/abonnements", headers=player.headers).get_json()["items"]
    delivery = subscription["derniere_livraison"]
    assert delivery["statut"] == "livre", delivery
    response = client.get(delivery["liens"]["telechargement"], headers=player.headers)
    month = Player(client, player.geography, player.headers, player.requester_id)
    for reader in (month, player):
        reader.read_extract(label, response.status_code, response.get_json(), SERIES)
    return delivery["extrait"], month.observations


def test_month_two_cannot_be_differenced_against_month_one(own_store_app: Flask) -> None:
    app = own_store_app
    state = app_state(app)
    geography = load_geography(REPO_ROOT / "data" / "reference")
    requester = conventioned_departement(app, "48")
    client = app.test_client()
    player = Player(client, geography, requester.headers, requester.id)
    with app.app_context():
        created = client.post(
            "/api/v1/abonnements",
            json={"demande": SERIES, "rythme": "millesime"},
            headers=player.headers,
        )
        assert created.status_code == 201, created.get_json()
        assert run_due(state).delivered == 1, _history(client, player)
        first_id, month_1 = _delivered(player, client, "mois 1")
        # In between, the same requester asks the EPCI and its neighbour as wholes.
        between = {**SERIES, "territories": {"level": "epci", "codes": [EPCI, "200069268"]}}
        assert player.extract(between, "entre-deux").status == 200
        # A new data vintage is published: the subscription is due again.
        communes = geography.codes(GeoLevel.COMMUNE)
        publish(state.store.root, [], communes)
        assert run_due(state).delivered == 1, _history(client, player)
        second_id, month_2 = _delivered(player, client, "mois 2")
    assert second_id != first_id  # a new extract of the new vintage, not the first served again
    secret_1 = {(o.communes, o.category) for o in month_1 if not o.published}
    secret_2 = {(o.communes, o.category) for o in month_2 if not o.published}
    assert secret_1, "month 1 withheld nothing: the series tested nothing"
    assert secret_1 <= secret_2  # withheld once, withheld again
    shown_1 = {(o.communes, o.category): o.value for o in month_1 if o.published}
    shown_2 = {(o.communes, o.category): o.value for o in month_2 if o.published}
    assert all(shown_2.get(key, value) == value for key, value in shown_1.items())
    # The attacker's linear programs on everything received (both months, the extract in
    # between, the public socle): no unsafe cell is bounded within its protection interval.
    verdict = judge(app, player, CellStore(state.store.root), load_catalogue())
    assert verdict.unsafe > 0, "the attack bounded no unsafe cell: nothing was tested"
    assert not verdict.disclosures, describe(verdict)
