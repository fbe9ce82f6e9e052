"""Benchmark: the request builder's live preview, over HTTP (target: under 200 ms).

A full demonstration instance (France-wide synthetic store, SQLite) served by gunicorn as
`make serve` serves it (2 workers). Demonstration people sign in, then ask the builder's
preview fragment (`GET /demande/apercu`, what htmx asks at each change of the form): the
cells, the decision under the organisation's conventions and the price with its lines. The
target case is the issue's: every commune of a département (13), two indicators, three
periods. The same request by the API (`POST /api/v1/extracts/preview`) is timed beside it.
Each timing is the whole HTTP exchange; the periods shift from one request to the next.

    python -m bench.builder_bench [--instance DIR] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

import requests

from bench.instance import in_instance, init_demo
from tests.support.served import serve

TARGET = 0.200  # seconds, for the builder's live count and price (issue 13)
PERIOD_SETS = [[2019, 2020, 2021], [2020, 2021, 2022], [2021, 2022, 2023], [2022, 2023, 2024]]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


#: (label, person, form fields but the periods, what the preview must say)
CASES: tuple[tuple[str, str, list[tuple[str, str]], str], ...] = (
    (
        "communes du 13, 2 indicateurs (conseil départemental, gratuit)",
        "conseil_departemental",
        [
            ("indicators", "ENF_MOINS_6"),
            ("indicators", "ALLOC_SITFAM"),
            ("territory", "departement:13"),
            ("level", "commune"),
            ("use", "usage_final"),
        ],
        "autorisée, gratuite",
    ),
    (
        "les mêmes, ventilées (âge, situation familiale)",
        "conseil_departemental",
        [
            ("indicators", "ENF_MOINS_6"),
            ("indicators", "ALLOC_SITFAM"),
            ("territory", "departement:13"),
            ("level", "commune"),
            ("breakdowns", "age_jeune_enfant"),
            ("breakdowns", "situation_familiale"),
            ("use", "usage_final"),
        ],
        "autorisée, gratuite",
    ),
    (
        "communes de la Métropole d'Aix-Marseille-Provence (EPCI, sur devis)",
        "epci",
        [
            ("indicators", "ENF_MOINS_3"),
            ("indicators", "PLACES_EAJE"),
            ("territory", "epci:200054807"),
            ("level", "commune"),
            ("use", "usage_final"),
        ],
        "sur devis",
    ),
    (
        "communes du 13 demandées par une commune (refus et remède)",
        "commune",
        [
            ("indicators", "ENF_MOINS_3"),
            ("indicators", "PLACES_EAJE"),
            ("territory", "departement:13"),
            ("level", "commune"),
            ("use", "usage_final"),
        ],
        "demande refusée",
    ),
)


def signed_in(base: str, folder: Path, slug: str) -> requests.Session:
    """Return an HTTP session signed in as a demonstration person."""
    account = json.loads((folder / "demo-accounts.json").read_text(encoding="utf-8"))[slug]
    session = requests.Session()
    url = f"{base}/compte/connexion"
    found = _TOKEN.search(session.get(url, timeout=60).text)
    assert found, "pas de jeton CSRF sur la page de connexion"
    form = {"email": account["email"], "password": account["password"], "csrf_token": found[1]}
    session.post(url, data=form, timeout=60).raise_for_status()
    return session


def preview(session: requests.Session, base: str, fields: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    response = session.get(f"{base}/demande/apercu", params=fields, timeout=60)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    return elapsed


def api_body(fields: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    level, code = values["territory"][0].split(":")
    return {
        "indicators": values["indicators"],
        "territories": {"parent_level": level, "parent_code": code, "level": values["level"][0]},
        "periods": [int(p) for p in values["periods"]],
        "breakdowns": values.get("breakdowns", []),
        "use": values["use"][0],
    }


def api_preview(base: str, key: str, fields: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    response = requests.post(
        f"{base}/api/v1/extracts/preview",
        json=api_body(fields),
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    return elapsed


def run(folder: Path, repeat: int) -> None:
    started = time.perf_counter()
    init_demo(folder)
    print(f"instance de démonstration prête : {time.perf_counter() - started:.1f} s")
    keys = json.loads((folder / "demo-keys.json").read_text(encoding="utf-8"))
    database_url = f"sqlite:///{folder / 'gateway.sqlite3'}"
    rows = []
    with serve(folder, database_url, folder / "cells", workers=2) as base:
        for label, slug, fields, expected in CASES:
            session = signed_in(base, folder, slug)
            first = [*fields, *(("periods", str(p)) for p in PERIOD_SETS[0])]
            said = session.get(f"{base}/demande/apercu", params=first, timeout=60).text
            assert expected in said, f"{label} : « {expected} » attendu"
            cells = re.search(r'data-apercu="cellules">([\d\s\u202f\u00a0]+)<', said)
            for _ in range(4):  # warm each worker: caches, first queries
                preview(session, base, first)
            page, api = [], []
            for index in range(repeat):
                periods = [("periods", str(p)) for p in PERIOD_SETS[index % len(PERIOD_SETS)]]
                page.append(preview(session, base, [*fields, *periods]))
                api.append(api_preview(base, keys[slug]["key"], [*fields, *periods]))
            rows.append((label, cells[1].strip() if cells else "?", page, api))
    print("| demande | cellules | page : médiane, max (ms) | API : médiane (ms) |")
    print("|---|---|---|---|")
    for label, cells, page, api in rows:
        print(
            f"| {label} | {cells} | {1000 * statistics.median(page):.0f}, "
            f"{1000 * max(page):.0f} | {1000 * statistics.median(api):.0f} |"
        )
    target = statistics.median(rows[0][2])
    verdict = "sous" if target < TARGET else "AU-DESSUS de"
    print(
        f"aperçu du constructeur, communes du 13, 2 indicateurs, 3 périodes : médiane "
        f"{1000 * target:.0f} ms ({repeat} aperçus) — {verdict} l'objectif de "
        f"{1000 * TARGET:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", type=Path, help="dossier d'instance à (ré)utiliser")
    parser.add_argument("--repeat", type=int, default=20, help="aperçus mesurés par demande")
    args = parser.parse_args()
    in_instance(args.instance, "bench-demande-", lambda folder: run(folder, args.repeat))


if __name__ == "__main__":
    main()
