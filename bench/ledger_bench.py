"""Benchmark: a new département extract protected against its linked history, 1M-cell ledger.

The ledger is filled with a million released cells: other requesters' extracts all over
France (communes, EPCI, départements, custom zones), the public socle commun, and the
benchmarked requester's own history in the Bouches-du-Rhône (communes of each EPCI,
custom zones, the EPCI themselves, for every indicator and period). Then the requester
asks for all communes of the département: only the connected part of the ledger is read.

    python -m bench.ledger_bench [--cells 1000000] [--instance DIR]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.instance import demo_instance, in_instance
from gateway.catalogue import load_catalogue
from gateway.db.models import Extract, ReleasedCell, Requester
from gateway.services.ledger import queries as ledger
from gateway.state import app_state
from policies.domain import PERIODS, GeoLevel
from policies.geography import Geography

INDICATORS = ["ENF_MOINS_3", "PLACES_EAJE", "AAH", "RSA", "PAJE", "ALLOC"]
INDICATOR = "ALLOC"  # socle commun: public figures at département and région level link in
TARGET = "13"
CHUNK = 50_000


def _territory_sets(geography: Geography, rng: random.Random) -> list[frozenset[str]]:
    """Every commune, EPCI, département and région, plus 5,000 random custom zones."""
    sets = [frozenset([c]) for c in geography.codes(GeoLevel.COMMUNE)]
    for level in (GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION):
        sets += [frozenset(geography.communes_of(level, code)) for code in geography.codes(level)]
    for _ in range(5_000):
        dep = rng.choice(geography.codes(GeoLevel.DEPARTEMENT))
        communes = geography.communes_of(GeoLevel.DEPARTEMENT, dep)
        sets.append(frozenset(rng.sample(communes, min(len(communes), rng.randint(2, 20)))))
    return sets


def _history(app, headers: dict[str, str], rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    """Play the requester's real history through the API; return the extracts delivered."""
    client = app.test_client()
    with app.app_context():
        geography = app_state(app).pipeline.geography
    inside = sorted(geography.communes_of(GeoLevel.DEPARTEMENT, TARGET))
    zones = []
    for n in range(40):
        communes = rng.sample(inside, rng.randint(3, 12))
        created = client.post(
            "/api/v1/zones", json={"name": f"Zone {n}", "communes": communes}, headers=headers
        )
        if created.status_code == 201:
            zones.append(created.json["id"])
    epci = {"level": "epci", "parent_level": "departement", "parent_code": TARGET}
    half = {"level": "commune", "codes": inside[::2]}
    bodies = [{"territories": epci}, {"territories": half}, {"territories": epci, "zones": zones}]
    delivered = 0
    for extra in bodies:
        for period in PERIODS[:-1]:  # the last year stays new: the benchmarked extract asks for it
            body = {"indicators": [INDICATOR], "periods": [period], "use": "usage_final", **extra}
            delivered += (
                client.post("/api/v1/extracts", json=body, headers=headers).status_code == 200
            )
    for period in PERIODS:
        for level in ("departement", "region", "france"):
            client.get(f"/api/v1/socle/{INDICATOR}?level={level}&periods={period}")
    return delivered


def fill(app, cells: int, seed: int = 7) -> int:  # type: ignore[no-untyped-def]
    """Write `cells` ledger rows released to 300 other requesters all over France."""
    rng = random.Random(seed)
    with app.app_context(), app_state().database.transaction() as session:
        geography = app_state(app).pipeline.geography
        others = [
            Requester(name=f"Demandeur de charge {n}", type="commune", caf_code=None)
            for n in range(300)
        ]
        session.add_all(others)
        session.add(Extract(id="bench-ledger", fingerprint="-", request={}, status="livre"))
        session.flush()
        everywhere = _territory_sets(geography, rng)
        ids = ledger.definition_ids(session, everywhere)
        audiences = [o.id for o in others]
        for start in range(0, cells, CHUNK):
            rows = [
                _row(
                    ids[rng.choice(everywhere)],
                    rng.choice(audiences),
                    rng.choice(INDICATORS),
                    rng.choice(PERIODS),
                    rng,
                )
                for _ in range(min(CHUNK, cells - start))
            ]
            session.execute(insert(ReleasedCell), rows)
    return cells


def _row(
    definition: int, audience: int | None, indicator: str, period: int, rng: random.Random
) -> dict[str, object]:
    published = rng.random() > 0.2
    return {
        "extract_id": "bench-ledger",
        "audience": audience,
        "indicator": indicator,
        "period": period,
        "category": "Total",
        "definition_id": definition,
        "published": published,
        "value": float(rng.randint(0, 500)) if published else None,
    }


def run(folder: Path, cells: int) -> None:
    app, keys = demo_instance(folder)
    headers = keys["service_etat"]
    with app.app_context(), app_state().database.sessions() as session:
        requester_id = session.scalar(select(Requester.id).where(Requester.type == "service_etat"))
        size = session.scalar(select(func.count()).select_from(ReleasedCell)) or 0
    if size < cells:
        started = time.perf_counter()
        delivered = _history(app, headers, random.Random(11))
        filled = fill(app, cells - size - _ledger_size(app))
        print(
            f"historique : {delivered} extraits ; registre complété de {filled} cellules "
            f"en {time.perf_counter() - started:.0f} s"
        )
    _measure(app, headers, requester_id)


def _ledger_size(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), app_state().database.sessions() as session:
        return session.scalar(select(func.count()).select_from(ReleasedCell)) or 0


def _measure(app, headers: dict[str, str], requester_id: int) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for period in (PERIODS[-1], PERIODS[0]):
        with app.app_context(), app_state().database.sessions() as session:
            size = session.scalar(select(func.count()).select_from(ReleasedCell))
            geography = app_state(app).pipeline.geography
            communes = frozenset(geography.communes_of(GeoLevel.DEPARTEMENT, TARGET))
            started = time.perf_counter()
            released = ledger.linked_cells(
                session,
                audiences=(requester_id, None),
                related=load_catalogue().related_set(INDICATOR),
                period=period,
                communes=communes,
                known_sets=app_state(app).caches.commune_sets,
            )
            linked = time.perf_counter() - started
        body = {
            "indicators": [INDICATOR],
            "territories": {
                "parent_level": "departement",
                "parent_code": TARGET,
                "level": "commune",
            },
            "periods": [period],
            "use": "etudes",
            "totals": True,
        }
        started = time.perf_counter()
        response = client.post("/api/v1/extracts", json=body, headers=headers)
        elapsed = time.perf_counter() - started
        print(
            f"| {size} | {len(released.cells)} | {linked:.3f} | {period} | "
            f"{response.status_code} | {elapsed:.3f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=1_000_000)
    parser.add_argument("--instance", type=Path)
    args = parser.parse_args()
    print(
        "| cellules du registre | partie liée (cellules) | lecture liée (s) | période "
        "| statut | extrait complet (s) |"
    )
    print("|---|---|---|---|---|---|")
    in_instance(args.instance, "bench-ledger-", lambda folder: run(folder, args.cells))


if __name__ == "__main__":
    main()
