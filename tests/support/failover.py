"""A client of several gateway nodes, as a real one behaves: calls alternate between the nodes;
a call that finds its node gone (refused, reset, cut) or busy (503 with Retry-After) is sent
again to the next node, with the same Idempotency-Key. Every answer is recorded with the
node that gave it, so that a test can check that a submission retried anywhere named one
extract.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.attacks.served import Answer

ATTEMPTS = 8
#: What a client sees when the node died under it: refused, reset or cut connections.
GONE = (requests.ConnectionError, requests.Timeout)
TIMEOUT_SECONDS = 120


@dataclass
class Submission:
    """One extract asked once by its requester, however many calls it took."""

    label: str
    body: dict[str, Any]
    key: str
    answers: list[tuple[str, int, str | None]] = field(default_factory=list)  # node, status, id
    document: Any = None  # the last answer's JSON (a problem, a status, a delivery)

    @property
    def extract_ids(self) -> set[str]:
        return {extract_id for _node, _status, extract_id in self.answers if extract_id}

    @property
    def status(self) -> int:
        return self.answers[-1][1]


def extract_id_of(response: requests.Response) -> str | None:
    """Return the extract an answer names: a delivery's header, a job's Location, a screen's
    table (IMAJE)."""
    if "X-Extrait" in response.headers:
        return response.headers["X-Extrait"]
    if response.status_code == 202:
        return response.headers["Location"].rsplit("/", 1)[1]
    if response.status_code == 200 and "json" in response.headers.get("Content-Type", ""):
        table = response.json().get("tableau") or {}
        found = (table.get("extrait") or {}).get("identifiant")
        return str(found) if found else None
    return None


@dataclass
class FailoverClient:
    """Alternate calls between nodes; on a node gone or busy, try the next one."""

    bases: Sequence[str]
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    failovers: int = 0  # calls sent again to another node after theirs failed

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        first: int | None = None,
    ) -> tuple[str, requests.Response]:
        """Send the call (to node `first`, else the next in turn); return (node, answer)."""
        turn = next(self._turn) if first is None else first
        last_error: Exception | None = None
        for attempt in range(ATTEMPTS):
            base = self.bases[(turn + attempt) % len(self.bases)]
            try:
                with requests.Session() as session:
                    response = session.request(
                        method,
                        base + path,
                        json=json,
                        headers=dict(headers or {}),
                        timeout=TIMEOUT_SECONDS,
                    )
            except GONE as error:
                last_error = error
                self._failed_over()
                continue
            if response.status_code == 503 and "Retry-After" in response.headers:
                last_error = RuntimeError(response.text[:300])
                self._failed_over()
                time.sleep(min(float(response.headers["Retry-After"]), 2.0))
                continue
            return base, response
        raise AssertionError(f"{method} {path} : aucun nœud n'a répondu ({last_error})")

    def _failed_over(self) -> None:
        with self._lock:
            self.failovers += 1

    # --- the attack player's client (tests.attacks.player.Client) ----------------------------

    def post(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Answer:
        return _answer(self.call("POST", url, json=json, headers=headers)[1])

    def get(self, url: str) -> Answer:
        return _answer(self.call("GET", url)[1])


def _answer(response: requests.Response) -> Answer:
    try:
        document = response.json()
    except ValueError:
        document = None
    return Answer(response.status_code, document)


def submit(
    client: FailoverClient,
    submission: Submission,
    headers: Mapping[str, str],
    *,
    path: str = "/api/v1/extracts",
    first: int | None = None,
) -> requests.Response:
    """Post the submission under its Idempotency-Key; record and return the answer."""
    node, response = client.call(
        "POST",
        path,
        json=submission.body,
        headers={**headers, "Idempotency-Key": submission.key},
        first=first,
    )
    submission.answers.append((node, response.status_code, extract_id_of(response)))
    try:
        submission.document = response.json()
    except ValueError:
        submission.document = None
    return response
