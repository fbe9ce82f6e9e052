"""Benchmark: the IMAJE history screen, rendered as a page over HTTP (target: under 1 s).

A full demonstration instance (France-wide synthetic store, SQLite) served by gunicorn as
`make serve` serves it (2 workers); the préfecture's demonstration person (a national
convention, free) signs in, then asks the history page (`POST /imaje/historique`, with the
form's CSRF token) for a few territories and indicators, from a small commune to France.
A first request is a new extract (decided, protected against the requester's history,
recorded, rendered with its chart data); asked again, the same screen is served from its
extract. Each timing is the whole HTTP exchange, page included.

    python -m bench.imaje_bench [--instance DIR] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

import requests

from bench.instance import in_instance, init_demo
from tests.support.served import serve

TARGET = 1.0  # seconds, for a history screen (issue 13)
PERSON = "service_etat"
#: (indicators, level, code): one indicator or several of one axis, at every level.
CASES = (
    (("ENF_MOINS_3",), "commune", "48015"),  # Pied-de-Borne: protected years
    (("ENF_MOINS_3",), "commune", "13005"),  # Aubagne
    (("PLACES_EAJE",), "epci", "200054807"),  # Métropole d'Aix-Marseille-Provence
    (("ASSMAT_ACTIVES", "PLACES_ASSMAT", "PLACES_EAJE"), "departement", "13"),
    (("TAUX_COUV_EAJE",), "region", "93"),  # a ratio: numerator and denominator
    (("ALLOC", "PERCOU"), "france", "FR"),
    (("ENF_GARDES_ASSMAT",), "commune", "59350"),  # Lille
)
#: A screen outside the cases, asked first: it warms each process (caches, first queries).
WARM_UP = (("ENF_MOINS_6",), "commune", "13001")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=60)
    page.raise_for_status()
    found = _TOKEN.search(page.text)
    assert found, f"pas de jeton CSRF sur {url}"
    return found.group(1)


def signed_in(base: str, folder: Path) -> requests.Session:
    """Return an HTTP session signed in as the demonstration person of the préfecture."""
    account = json.loads((folder / "demo-accounts.json").read_text(encoding="utf-8"))[PERSON]
    session = requests.Session()
    sign_in = f"{base}/compte/connexion"
    form = {"email": account["email"], "password": account["password"]}
    response = session.post(
        sign_in, data={**form, "csrf_token": _token(session, sign_in)}, timeout=60
    )
    response.raise_for_status()
    return session


def history(
    session: requests.Session,
    base: str,
    token: str,
    case: tuple[tuple[str, ...], str, str],
    last: int,
) -> float:
    """Ask one history screen (six years up to `last`); return the seconds of the exchange."""
    indicators, level, code = case
    form = {
        "csrf_token": token,
        "indicators": list(indicators),
        "level": level,
        "code": code,
        "last_period": str(last),
        "use": "usage_final",
    }
    started = time.perf_counter()
    response = session.post(f"{base}/imaje/historique", data=form, timeout=120)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    assert 'id="tableau-imaje"' in response.text
    return elapsed


def run(folder: Path, rounds: int) -> None:
    started = time.perf_counter()
    init_demo(folder)
    print(f"instance de démonstration prête : {time.perf_counter() - started:.1f} s")
    database_url = f"sqlite:///{folder / 'gateway.sqlite3'}"
    first: dict[int, list[float]] = {i: [] for i in range(len(CASES))}
    again: dict[int, list[float]] = {i: [] for i in range(len(CASES))}
    with serve(folder, database_url, folder / "cells", workers=2) as base:
        session = signed_in(base, folder)
        token = _token(session, f"{base}/imaje/historique")
        cold = [history(session, base, token, WARM_UP, 2019 + i) for i in range(2)]
        print(
            f"à froid (premier écran de chaque processus) : {', '.join(f'{t:.3f}' for t in cold)} s"
        )
        for shift in range(rounds):
            for index, case in enumerate(CASES):
                # Another last year each round: a new request, not served from an extract.
                first[index].append(history(session, base, token, case, 2024 - shift))
                again[index].append(history(session, base, token, case, 2024 - shift))
    print("| indicateurs | territoire | nouvel écran : médiane, max (s) | écran identique (s) |")
    print("|---|---|---|---|")
    for index, (indicators, level, code) in enumerate(CASES):
        print(
            f"| {', '.join(indicators)} | {level} {code} | {statistics.median(first[index]):.3f}, "
            f"{max(first[index]):.3f} | {statistics.median(again[index]):.3f} |"
        )
    news = [t for times in first.values() for t in times]
    repeats = [t for times in again.values() for t in times]
    median, worst = statistics.median(news), max(news)
    verdict = "sous" if median < TARGET else "AU-DESSUS de"
    print(
        f"écran historique, nouvel écran : médiane {median:.3f} s, max {worst:.3f} s "
        f"({len(news)} écrans) ; écran identique : médiane {statistics.median(repeats):.3f} s "
        f"— médiane {verdict} l'objectif de {TARGET:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", type=Path, help="dossier d'instance à (ré)utiliser")
    parser.add_argument(
        "--rounds", type=int, default=3, help="tours (dernière année décalée à chaque tour)"
    )
    args = parser.parse_args()
    in_instance(args.instance, "bench-imaje-", lambda folder: run(folder, args.rounds))


if __name__ == "__main__":
    main()
