"""Calls without a key are limited per address, across workers, behind trusted proxies only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from gateway.api.ratelimit import limiter
from gateway.config import REPO_ROOT, ConfigurationError, Settings, load_settings
from tests.conftest import make_app
from tests.gateway.pipeline.conftest import demo_headers

CATALOGUE = "/api/v1/indicators"
SOCLE = "/api/v1/socle/ALLOC?level=departement&codes=13&periods=2024"


@pytest.fixture
def gateway(sqlite_url: str, tmp_path: Path, demo_store_dir: Path) -> Flask:
    return make_app(sqlite_url, tmp_path, store_dir=demo_store_dir, anonymous_rate_limit="3/minute")


def test_the_default_is_the_one_the_readme_documents() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    documented = re.search(r"GATEWAY_ANONYMOUS_RATE_LIMIT` \([^)]*default `([^`]+)`", readme)
    assert documented is not None
    assert Settings().anonymous_rate_limit == documented.group(1) == "60/minute"
    proxies = re.search(r"GATEWAY_TRUSTED_PROXIES` \([^)]*default (\d+)", readme)
    assert proxies is not None and Settings().trusted_proxies == int(proxies.group(1)) == 0


def test_the_socle_without_a_key_is_limited_per_address(gateway: Flask) -> None:
    client = gateway.test_client()
    statuses = [client.get(SOCLE).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(SOCLE)
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert limited.json["code"] == "trop_de_requetes"
    assert "sans clé d'API" in limited.json["detail"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["RateLimit-Policy"] == '"anonyme";q=3;w=60'
    assert re.fullmatch(r'"anonyme";r=0;t=\d+', limited.headers["RateLimit"])


def test_every_answer_says_what_is_left(gateway: Flask) -> None:
    client = gateway.test_client()
    remaining = [client.get(CATALOGUE).headers["RateLimit"] for _ in range(3)]
    assert [re.search(r"r=(\d+)", header).group(1) for header in remaining] == ["2", "1", "0"]  # type: ignore[union-attr]
    resets = [int(re.search(r";t=(\d+)$", header).group(1)) for header in remaining]  # type: ignore[union-attr]
    assert all(1 <= reset <= 60 for reset in resets)  # within the window `w` (a regression: 61)


def test_catalogue_and_territories_count_too_but_not_the_health_check(gateway: Flask) -> None:
    client = gateway.test_client()
    for _ in range(5):
        assert client.get("/api/v1/health").status_code == 200
    assert client.get(CATALOGUE).status_code == 200
    assert client.get("/api/v1/territories?level=region").status_code == 200
    assert client.get("/api/v1/indicators/ALLOC").status_code == 200
    assert client.get("/api/v1/territories/region/93").status_code == 429
    assert client.get("/api/v1/health").status_code == 200


def test_another_address_has_its_own_count(gateway: Flask) -> None:
    client = gateway.test_client()
    for _ in range(4):
        client.get(CATALOGUE)
    assert client.get(CATALOGUE).status_code == 429
    other = client.get(CATALOGUE, environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_a_key_has_its_own_limit_from_an_exhausted_address(gateway: Flask, tmp_path: Path) -> None:
    headers = demo_headers(gateway, tmp_path)["commune"]
    client = gateway.test_client()
    for _ in range(4):
        client.get(CATALOGUE)
    keyed = client.get(CATALOGUE, headers=headers)
    assert keyed.status_code == 200
    assert keyed.headers["RateLimit-Policy"] == '"cle";q=120;w=60'
    assert client.get(SOCLE, headers=headers).status_code == 200


def test_a_false_key_on_the_catalogue_is_a_failed_attempt(gateway: Flask) -> None:
    """Sending any Authorization header must not escape the anonymous limit."""
    response = gateway.test_client().get(CATALOGUE, headers={"Authorization": "Bearer faux"})
    assert response.status_code == 401


def test_workers_share_the_count(sqlite_url: str, tmp_path: Path) -> None:
    first, second = (
        make_app(sqlite_url, tmp_path, anonymous_rate_limit="3/minute") for _ in range(2)
    )
    statuses = [
        (first if n % 2 else second).test_client().get(CATALOGUE).status_code for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_without_trusted_proxy_a_forwarded_address_is_ignored(gateway: Flask) -> None:
    client = gateway.test_client()
    statuses = [
        client.get(CATALOGUE, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # a caller cannot pick the address it is counted as


def test_behind_one_trusted_proxy_each_client_has_its_own_count(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = make_app(sqlite_url, tmp_path, anonymous_rate_limit="3/minute", trusted_proxies=1)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every call arrives from the proxy's address

    def call(client_address: str) -> int:
        # The proxy appends the address it saw; whatever the client sent before it is not trusted.
        forwarded = {"X-Forwarded-For": f"6.6.6.6, {client_address}"}
        return client.get(CATALOGUE, headers=forwarded, environ_overrides=proxy).status_code

    assert [call("203.0.113.5") for _ in range(4)] == [200, 200, 200, 429]
    assert call("203.0.113.9") == 200


def test_trusted_proxies_cannot_be_negative() -> None:
    with pytest.raises(ConfigurationError):
        load_settings({"env": "test", "trusted_proxies": -1}, environ={})


@pytest.mark.parametrize("storage", ["memory://", "sqlite"])
def test_both_storages_report_the_same_window(storage: str, tmp_path: Path) -> None:
    """The `limits` library's storages (memory, Redis) and the SQLite file say the same."""
    uri = f"sqlite:///{tmp_path / 'limites.sqlite3'}" if storage == "sqlite" else storage
    window = limiter(uri, "2/minute", "essai")
    first, second, third = (window.take("192.0.2.1") for _ in range(3))
    assert (first.allowed, first.remaining) == (True, 1)
    assert (second.allowed, second.remaining) == (True, 0)
    assert (third.allowed, third.remaining, third.limit, third.window) == (False, 0, 2, 60)
    assert 1 <= third.reset <= 60
    assert window.take("192.0.2.2").allowed  # another key, another window
