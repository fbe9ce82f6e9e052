"""GET /api/v1/tariffs/{caf}: the published tariff, without a key."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_default_schedule_is_published_without_key(client: FlaskClient) -> None:
    response = client.get("/api/v1/tariffs/13")
    assert response.status_code == 200
    body = response.json
    assert body["bareme_propre"] is False
    assert body["en_vigueur"]["caf"] == "*"
    assert body["en_vigueur"]["forfait_premiere_heure"]["temps_analyste"] == "80.00"
    assert [v["version"] for v in body["versions"]] == ["2026.1"]


def test_unknown_caf_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/tariffs/999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "Caf inconnue" in response.json["detail"]
