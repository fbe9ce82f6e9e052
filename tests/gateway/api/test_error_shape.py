"""Every error, from every layer, leaves as the same RFC 9457 problem document, in French."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}

# (method, path, json body, expected status, expected code): one row per error path.
ERROR_PATHS = [
    ("GET", "/api/v1/nowhere", None, 404, "introuvable"),
    ("DELETE", "/api/v1/health", None, 405, "methode_non_autorisee"),
    ("GET", "/api/v1/territories?level=canton", None, 422, "entree_invalide"),
    ("GET", "/api/v1/territories?page=0", None, 422, "entree_invalide"),
    ("GET", "/api/v1/territories?parent_level=region", None, 422, "entree_invalide"),
    ("GET", "/api/v1/territories/commune/99999", None, 404, "introuvable"),
    ("GET", "/api/v1/indicators/INCONNU", None, 404, "introuvable"),
    ("GET", "/api/v1/indicators?tier=secret", None, 422, "entree_invalide"),
    ("GET", "/api/v1/boom", None, 500, "erreur_interne"),
]


@pytest.fixture
def app_with_failure(sqlite_app: Flask) -> Flask:
    """Add a route that fails unexpectedly, to check that no traceback leaks."""

    @sqlite_app.get("/api/v1/boom")
    def boom() -> str:
        raise RuntimeError("secret interne qui ne doit pas fuiter")

    return sqlite_app


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), ERROR_PATHS)
def test_error_path_has_problem_shape(
    app_with_failure: Flask, method: str, path: str, body: object, status: int, code: str
) -> None:
    response = app_with_failure.test_client().open(path, method=method, json=body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    payload = response.json
    assert PROBLEM_KEYS <= set(payload)
    assert (payload["status"], payload["code"]) == (status, code)
    assert payload["type"].endswith(code)
    assert "secret interne" not in response.get_data(as_text=True)
    assert payload["request_id"] == response.headers["X-Request-Id"]


def test_field_errors_are_named_and_french(sqlite_client: FlaskClient) -> None:
    payload = sqlite_client.get("/api/v1/territories?per_page=abc&level=x").json
    assert set(payload["errors"]) == {"per_page", "level"}
    assert payload["errors"]["per_page"] == ["Nombre entier attendu."]
    assert payload["title"] == "Entrée invalide"


def test_database_down_is_a_problem(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'absent' / 'x' / 'db.sqlite3'}", tmp_path)
    response = app.test_client().get("/api/v1/territories")
    assert response.status_code == 503
    assert response.json["code"] == "service_indisponible"


def test_documented_in_openapi(sqlite_client: FlaskClient) -> None:
    spec = sqlite_client.get("/api/v1/openapi.json").json
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors", "reasons"} <= set(problem["properties"])
    territories = spec["paths"]["/api/v1/territories"]["get"]["responses"]
    assert "422" in territories


AUBAGNE = {
    "indicators": ["PLACES_EAJE"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2024],
    "use": "usage_final",
}
ZONE = {"name": "Deux fois", "communes": ["13005"]}

# (requester slug or None, method, path, body, status, code): the authenticated error paths.
AUTHENTICATED_PATHS = [
    (None, "POST", "/api/v1/extracts", AUBAGNE, 401, "non_authentifie"),
    ("cle_inconnue", "POST", "/api/v1/extracts", AUBAGNE, 401, "non_authentifie"),
    ("commune", "POST", "/api/v1/extracts", {}, 422, "entree_invalide"),
    ("commune", "POST", "/api/v1/extracts", {**AUBAGNE, "periods": [2009]}, 422, "entree_invalide"),
    ("commune", "POST", "/api/v1/extracts", AUBAGNE, 402, "paiement_requis"),
    (
        "commune",
        "POST",
        "/api/v1/extracts",
        {**AUBAGNE, "territories": {"level": "commune", "codes": ["13055"]}},
        403,
        "convention_requise",
    ),
    ("commune", "GET", "/api/v1/admin/requesters", None, 403, "acces_refuse"),
    ("commune", "GET", "/api/v1/extracts/inconnu", None, 404, "introuvable"),
    ("commune", "POST", "/api/v1/quotes/999999/accept", None, 404, "introuvable"),
    ("commune", "POST", "/api/v1/zones", ZONE, 409, "conflit"),
]


@pytest.mark.parametrize(("slug", "method", "path", "body", "status", "code"), AUTHENTICATED_PATHS)
def test_authenticated_error_paths(
    sqlite_app: Flask,
    tmp_path: Path,
    slug: str | None,
    method: str,
    path: str,
    body: object,
    status: int,
    code: str,
) -> None:
    from tests.gateway.pipeline.conftest import demo_headers

    keys = demo_headers(sqlite_app, tmp_path)
    keys["cle_inconnue"] = {"Authorization": "Bearer cgw_00000000_inconnue"}
    headers = keys[slug] if slug else {}
    client = sqlite_app.test_client()
    if status == 409:  # a zone that already exists
        client.post("/api/v1/zones", json={**ZONE, "communes": ["13005", "13001"]}, headers=headers)
        body = {**ZONE, "communes": ["13005", "13001"]}
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert PROBLEM_KEYS <= set(response.json)
    assert response.json["code"] == code
