"""Requests in flight: one requester's requests at the same moment, against a served gateway.

gunicorn with two workers on 127.0.0.1, on each backend. The Bouches-du-Rhône asks, at the
same moment, the totals of two EPCI and their communes without totals: protected each
against a ledger holding neither, the totals minus the published communes give the withheld
ones (the issue's reproduction). The attacker's system holds both answers, its ledger as the
gateway recorded it, the public ledger and the catalogue's relations.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.state import app_state
from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.domain import GeoLevel
from policies.geography import Geography
from tests.attacks.player import Player
from tests.attacks.scenarios import body
from tests.attacks.served import HttpClient, burst, served, warm_up
from tests.attacks.verdict import describe
from tests.attacks.world import conventioned_departement, judge
from tests.conftest import _fresh_postgres, _fresh_sqlite, make_app

EPCIS = ("241300417", "241300375")  # two EPCI wholly inside the Bouches-du-Rhône
BURSTS = (("ENF_MOINS_6", 2023), ("RSA", 2023), ("PPA", 2024))
WORKERS = 2


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return _fresh_postgres(request)
    return _fresh_sqlite(request, tmp_path)


def test_requests_in_flight_are_protected_against_each_other(
    served_url: str,
    tmp_path: Path,
    demo_store_dir: Path,
    geography: Geography,
    store: CellStore,
    catalogue: Catalogue,
) -> None:
    app = make_app(served_url, tmp_path, store_dir=demo_store_dir)
    try:
        requester = conventioned_departement(app, "13")
        members = sorted(c for e in EPCIS for c in geography.communes_of(GeoLevel.EPCI, e))
        with served(served_url, demo_store_dir, tmp_path / "servi", WORKERS) as base:
            player = Player(HttpClient(base), geography, requester.headers, requester.id)
            warm_up(base, requester.headers, WORKERS)
            for indicator, period in BURSTS:
                totals = body(
                    [indicator], {"level": "epci", "codes": list(EPCIS)}, [period], totals=False
                )
                detail = body(
                    [indicator], {"level": "commune", "codes": members}, [period], totals=False
                )
                burst(player, [totals, detail], [f"EPCI {indicator}", f"communes {indicator}"])
        print([(o.label, o.status, o.rules) for o in player.log])
        assert not player.unexpected(), player.unexpected()
        verdict = judge(app, player, store, catalogue)
    finally:
        app_state(app).database.dispose()
    print(describe(verdict))
    assert verdict.unsafe > 0, "the attack bounded no unsafe cell: nothing was tested"
    assert not verdict.disclosures, describe(verdict)
