"""A served gateway to attack over HTTP: gunicorn with several workers, and bursts of requests.

Two requests of one requester protected at the same moment, each against a ledger holding
neither, are each safe alone and may be subtracted together (DOMAIN.md 6, "requests in
flight"); only real processes show whether the gateway serialises them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from tests.attacks.player import Client, Outcome, Player
from tests.support.served import serve


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as the player reads it (the test client's interface)."""

    status_code: int
    document: Any

    def get_json(self) -> Any:
        return self.document


def _answer(response: requests.Response) -> Answer:
    try:
        document = response.json()
    except ValueError:
        document = None
    return Answer(response.status_code, document)


@dataclass(frozen=True)
class HttpClient:
    """The player's client over HTTP: one short connection per request."""

    base: str

    def post(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Answer:
        with requests.Session() as session:
            return _answer(
                session.post(self.base + url, json=json, headers=dict(headers), timeout=120)
            )

    def get(self, url: str) -> Answer:
        with requests.Session() as session:
            return _answer(session.get(self.base + url, timeout=120))


@contextmanager
def served(
    database_url: str, store_dir: Path, instance_dir: Path, workers: int = 2
) -> Iterator[str]:
    """Serve the database (a prepared test template) and store with gunicorn; yield the URL."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    with serve(instance_dir, database_url, store_dir, workers, env="test") as base:
        yield base


def warm_up(base: str, headers: Mapping[str, str], workers: int) -> None:
    """Load the pipeline (geography, store) in every worker without releasing anything.

    Requests refused by the policy (a convention indicator outside the convention's
    territory) build the pipeline and write no ledger row; many at once reach every worker.
    """
    outside = {
        "indicators": ["ENF_MOINS_6"],
        "territories": {"level": "departement", "codes": ["75"]},
        "periods": [2023],
        "use": "usage_final",
    }
    with ThreadPoolExecutor(max_workers=4 * workers) as pool:
        statuses = list(
            pool.map(
                lambda _: HttpClient(base).post("/api/v1/extracts", json=outside, headers=headers),
                range(4 * workers),
            )
        )
    assert all(a.status_code == 403 for a in statuses), [a.status_code for a in statuses]


def burst(
    player: Player, bodies: Sequence[Mapping[str, Any]], labels: Sequence[str]
) -> list[Outcome]:
    """Post every body at the same moment (one thread each), then read every answer."""
    start = threading.Barrier(len(bodies))
    client = player.client

    def post(body: Mapping[str, Any]) -> Any:
        twin = _twin(client)
        start.wait()
        return twin.post("/api/v1/extracts", json=dict(body), headers=player.headers)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        answers = list(pool.map(post, bodies))
    return [
        player.read_extract(label, answer.status_code, answer.get_json(), body)
        for label, answer, body in zip(labels, answers, bodies, strict=True)
    ]


def _twin(client: Client) -> Client:
    """Return another client to the same gateway, for another thread."""
    if isinstance(client, HttpClient):
        return client
    application: Flask = client.application  # type: ignore[attr-defined]
    return application.test_client()  # type: ignore[return-value]
