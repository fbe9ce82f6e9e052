"""Health check: 200 when the database answers, 503 problem when it does not."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import make_app


def test_healthy(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert len(response.headers["X-Request-Id"]) >= 8


def test_database_down_gives_503(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'absent' / 'nowhere' / 'db.sqlite3'}", tmp_path)
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "service_indisponible"


def test_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/api/v1/health", headers={"X-Request-Id": "abcdef123456"})
    assert response.headers["X-Request-Id"] == "abcdef123456"
