"""POST /api/v1/extracts/preview: what POST /extracts would do, and nothing written.

The cells, the decision and the price are those of the extract and of its quote: a refusal
carries the reasons of the extract's problem document, the price the lines of its quote.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from gateway.db.models import AuditEntry, Extract, QuoteRecord
from gateway.state import app_state
from tests.support.demo_world import demo_world_app, keys_of

PATH = "/api/v1/extracts/preview"
AUBAGNE = {
    "indicators": ["ENF_MOINS_3", "PLACES_EAJE"],
    "territories": {"level": "commune", "codes": ["13005"]},
    "periods": [2022, 2023, 2024],
    "use": "usage_final",
}


@pytest.fixture(scope="module")
def demo_app(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_store_dir: Path
) -> Iterator[Flask]:
    app, _keys = demo_world_app(tmp_path_factory.mktemp("apercu"), sqlite_template, demo_store_dir)
    yield app
    app_state(app).database.dispose()


def _rows(app: Flask) -> tuple[int, ...]:
    with app.app_context(), app_state(app).database.sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (QuoteRecord, Extract, AuditEntry)
        )


def _post(app: Flask, path: str, body: dict[str, Any], slug: str = "commune") -> Any:
    return app.test_client().post(path, json=body, headers=keys_of(app, slug))


def test_a_priced_request_is_previewed_with_its_quotes_lines(demo_app: Flask) -> None:
    before = _rows(demo_app)
    preview = _post(demo_app, PATH, AUBAGNE)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    found = preview.json
    assert _rows(demo_app) == before  # no quote, no extract, no audit entry
    assert found["cellules"] == 6 and found["territoires"] == 1
    assert found["autorisee"] is True and found["issue"] == "devis"
    assert found["convention"].startswith("CONV-13-") and found["arriere_plan"] is False
    quote = _post(demo_app, "/api/v1/quotes", AUBAGNE)
    assert quote.status_code == 201
    assert found["prix"]["lignes"] == quote.json["devis"]["lignes"]
    assert found["prix"]["total_ttc"] == quote.json["devis"]["total_ttc"]


def test_a_refused_request_is_previewed_with_the_extracts_reasons(demo_app: Flask) -> None:
    other = {**AUBAGNE, "territories": {"level": "departement", "codes": ["13"]}}
    found = _post(demo_app, PATH, other).json
    refused = _post(demo_app, "/api/v1/extracts", other)
    assert refused.status_code == 403
    assert found["autorisee"] is False and found["issue"] == "refus" and found["prix"] is None
    problem = refused.json
    assert found["refus"] == {
        "code": problem["code"],
        "title": problem["title"],
        "status": 403,
        "detail": problem["detail"],
        "reasons": problem["reasons"],
    }
    assert all(reason["solution"] for reason in found["refus"]["reasons"])


def test_a_free_request_is_previewed_free(demo_app: Flask) -> None:
    communes = {
        "indicators": ["ENF_MOINS_6", "ALLOC_SITFAM"],
        "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
        "periods": [2022, 2023, 2024],
        "use": "usage_final",
    }
    found = _post(demo_app, PATH, communes, "conseil_departemental").json
    assert found["issue"] == "gratuit" and found["gratuit"] is True
    assert found["cellules"] == 119 * 2 * 3  # 119 communes, 2 indicators, 3 years


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**AUBAGNE, "indicators": ["INCONNU"]}, "indicators"),
        ({**AUBAGNE, "periods": [1990]}, "periods"),
        ({**AUBAGNE, "breakdowns": ["age_enfant"]}, "breakdowns"),
        ({key: value for key, value in AUBAGNE.items() if key != "use"}, "use"),
    ],
)
def test_an_invalid_request_gets_the_extracts_field_errors(
    demo_app: Flask, body: dict[str, Any], field: str
) -> None:
    preview = _post(demo_app, PATH, body)
    assert preview.status_code == 422
    assert preview.mimetype == "application/problem+json" and field in preview.json["errors"]


def test_the_preview_needs_a_key(demo_app: Flask) -> None:
    assert demo_app.test_client().post(PATH, json=AUBAGNE).status_code == 401


def test_a_request_already_delivered_is_previewed_as_served_again_free(demo_app: Flask) -> None:
    """A regression: the preview priced an extract the requester already had, while
    submitting it serves the delivered one again, free and outside the quotas."""
    body = {**AUBAGNE, "periods": [2022]}
    quote = _post(demo_app, "/api/v1/quotes", body)
    client, headers = demo_app.test_client(), keys_of(demo_app, "commune")
    accepted = client.post(f"/api/v1/quotes/{quote.json['id']}/accept", headers=headers)
    assert accepted.status_code == 201
    delivered = client.post("/api/v1/extracts", json=body, headers=headers)
    assert delivered.status_code == 200, delivered.get_data(as_text=True)[:300]

    found = _post(demo_app, PATH, body).json

    assert found["issue"] == "deja_livre" and found["gratuit"] is True
    assert found["extrait_livre"] == delivered.headers["X-Extrait"] and found["prix"] is None
    again = client.post("/api/v1/extracts", json=body, headers=headers)
    assert again.headers["X-Extrait"] == delivered.headers["X-Extrait"]
