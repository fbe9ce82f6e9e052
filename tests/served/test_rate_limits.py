"""Per-address limits on the served gateway: one count for both gunicorn workers, and the
client's address read behind one trusted proxy (issue 15)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.served import fresh_instance, new_database, released_together, serve

LIMIT = 10
CATALOGUE = "/api/v1/indicators"


@pytest.fixture(scope="module")
def behind_a_proxy(tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path) -> Iterator[str]:
    """A fresh instance, 2 workers, a low anonymous limit, one trusted reverse proxy."""
    instance_dir = tmp_path_factory.mktemp("served-limits")
    database_url = new_database(instance_dir, None)
    fresh_instance(instance_dir, database_url, demo_store_dir)
    settings = {
        "GATEWAY_ANONYMOUS_RATE_LIMIT": f"{LIMIT}/minute",
        "GATEWAY_TRUSTED_PROXIES": "1",
    }
    with serve(instance_dir, database_url, demo_store_dir, workers=2, settings=settings) as base:
        yield base


def _call(base: str, client_address: str) -> requests.Response:
    # As nginx would: a new connection, the client's address appended to X-Forwarded-For.
    return requests.get(base + CATALOGUE, headers={"X-Forwarded-For": client_address}, timeout=60)


def test_both_workers_count_one_limit_per_client(behind_a_proxy: str) -> None:
    answers = released_together([lambda: _call(behind_a_proxy, "203.0.113.5")] * (2 * LIMIT))
    assert Counter(a.status_code for a in answers) == {200: LIMIT, 429: LIMIT}
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "trop_de_requetes"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.headers["RateLimit-Policy"] == f'"anonyme";q={LIMIT};w=60'
    assert re.fullmatch(r'"anonyme";r=0;t=\d+', refused.headers["RateLimit"])
    remaining = sorted(
        int(re.search(r"r=(\d+)", a.headers["RateLimit"]).group(1))  # type: ignore[union-attr]
        for a in answers
        if a.status_code == 200
    )
    assert remaining == list(range(LIMIT))  # each worker saw the other's calls


def test_another_client_behind_the_same_proxy_has_its_own_count(behind_a_proxy: str) -> None:
    for _ in range(LIMIT + 1):
        _call(behind_a_proxy, "203.0.113.77")
    assert _call(behind_a_proxy, "203.0.113.77").status_code == 429
    assert _call(behind_a_proxy, "198.51.100.8").status_code == 200


def test_a_forged_address_before_the_proxy_s_is_not_believed(behind_a_proxy: str) -> None:
    """Only the address the trusted proxy appended counts, whatever the client wrote first."""
    statuses = [
        _call(behind_a_proxy, f"10.9.9.{n}, 192.0.2.44").status_code for n in range(LIMIT + 1)
    ]
    assert statuses == [200] * LIMIT + [429]


def test_the_health_check_is_never_limited(behind_a_proxy: str) -> None:
    for _ in range(LIMIT + 2):
        _call(behind_a_proxy, "192.0.2.99")
    health = requests.get(
        behind_a_proxy + "/api/v1/health", headers={"X-Forwarded-For": "192.0.2.99"}, timeout=60
    )
    assert health.status_code != 429
