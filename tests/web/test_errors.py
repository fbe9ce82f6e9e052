"""Errors: French pages for pages, problem documents for the API, never a stack trace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from gateway.state import app_state
from tests.conftest import make_app


def test_an_unknown_page_gets_the_french_404_page(page) -> None:  # type: ignore[no-untyped-def]
    response = page.get("/nulle-part")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "<h1>Page introuvable</h1>" in body
    assert 'href="/catalogue"' in body


def test_an_unknown_indicator_gets_the_404_page_naming_it(page) -> None:  # type: ignore[no-untyped-def]
    response = page.get("/catalogue/NULLE_PART")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "NULLE_PART" in response.get_data(as_text=True)


def test_the_api_keeps_its_problem_documents(page) -> None:  # type: ignore[no-untyped-def]
    response = page.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "introuvable"
    refused = page.get("/api/v1/socle/ALLOC?level=commune&parent_level=departement&parent_code=13")
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"


@pytest.fixture
def failing_app(tmp_path: Path, sqlite_template: Path, demo_store_dir: Path) -> Flask:
    shutil.copyfile(sqlite_template, tmp_path / "gateway.sqlite3")
    app = make_app(f"sqlite:///{tmp_path / 'gateway.sqlite3'}", tmp_path, store_dir=demo_store_dir)

    def broken() -> str:
        raise RuntimeError("secret interne à ne jamais montrer")

    app.add_url_rule("/essai-erreur", "essai_page", broken)
    app.add_url_rule("/api/v1/essai-erreur", "essai_api", broken)
    yield app
    app_state(app).database.dispose()


def test_an_unexpected_error_on_a_page_is_a_french_500_page(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/essai-erreur")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Erreur du service" in body
    assert "secret interne" not in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body


def test_an_unexpected_error_on_the_api_stays_a_problem_document(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/v1/essai-erreur")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "secret interne" not in response.get_data(as_text=True)
