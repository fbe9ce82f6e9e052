"""Large extracts rendered once by their job, kept, and served from disk with length and ETag."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from gateway.delivery import FORMATS
from gateway.delivery.storage import ExtractFiles
from gateway.services.extracts import files as extract_files
from gateway.state import app_state
from tests.support.state import pipeline

COMMUNES_48 = {
    "indicators": ["ENF_MOINS_3"],
    "territories": {"parent_level": "departement", "parent_code": "48", "level": "commune"},
    "periods": [2024],
    "use": "usage_final",
}


def _background(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        runner = pipeline(app)
    monkeypatch.setattr(runner, "limits", dataclasses.replace(runner.limits, background_above=5))


def _delivered(app: Flask, headers: dict[str, str]) -> str:
    client = app.test_client()
    accepted = client.post("/api/v1/extracts", json=COMMUNES_48, headers=headers)
    assert accepted.status_code == 202
    with app.app_context():
        pipeline(app).jobs.wait_all(timeout=120)
    extract_id: str = accepted.get_json()["id"]
    status = client.get(f"/api/v1/extracts/{extract_id}", headers=headers).get_json()
    assert status["statut"] == "livre"
    return extract_id


def _files(app: Flask) -> ExtractFiles:
    return ExtractFiles(app_state(app).settings.extract_files_dir)


def _fetched(client: FlaskClient, url: str, headers: dict[str, str]) -> TestResponse:
    """Get a file, read it and close it (the test client leaves a file served from disk open)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def _no_rendering(*_args: Any) -> Any:
    raise AssertionError("rendered again: the kept file should have been read")


def test_the_job_keeps_every_format_and_downloads_read_them(
    sqlite_app: Flask, keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _background(sqlite_app, monkeypatch)
    headers = keys["service_etat"]
    extract_id = _delivered(sqlite_app, headers)
    kept = {name: _files(sqlite_app).find(extract_id, name) for name in FORMATS}
    assert None not in kept.values()

    # Downloads no longer rebuild the delivery: every format comes from its file.
    monkeypatch.setattr(extract_files, "stored_delivery", _no_rendering)
    client, url = sqlite_app.test_client(), f"/api/v1/extracts/{extract_id}/download"
    for name, stored in kept.items():
        assert stored is not None
        response = _fetched(client, f"{url}?format={name}", headers)
        assert response.status_code == 200, name
        assert response.data == stored.path.read_bytes()
        assert int(response.headers["Content-Length"]) == stored.size == len(response.data)
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
        assert response.headers["X-Extrait"] == extract_id
    xlsx = _fetched(client, f"{url}?format=xlsx", headers)
    name = f"extrait-{extract_id}-donnees-synthetiques.xlsx"  # as rendered: the same name
    assert xlsx.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    held = {**headers, "If-None-Match": xlsx.headers["ETag"]}
    again = _fetched(client, f"{url}?format=xlsx", held)
    assert (again.status_code, again.data) == (304, b"")
    part = _fetched(client, f"{url}?format=csv", {**headers, "Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100


def test_a_missing_file_is_rendered_at_the_first_download_then_kept(
    sqlite_app: Flask, keys: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job cut short after its commit, or a folder not shared: the download renders it."""
    _background(sqlite_app, monkeypatch)
    headers = keys["service_etat"]
    extract_id = _delivered(sqlite_app, headers)
    first = _files(sqlite_app).find(extract_id, "xlsx")
    assert first is not None
    rendered_by_the_job = first.path.read_bytes()
    first.path.unlink()
    client, url = sqlite_app.test_client(), f"/api/v1/extracts/{extract_id}/download?format=xlsx"
    response = _fetched(client, url, headers)
    assert response.status_code == 200 and response.data == rendered_by_the_job
    assert _files(sqlite_app).find(extract_id, "xlsx") == first  # kept again, same digest
    monkeypatch.setattr(extract_files, "stored_delivery", _no_rendering)
    assert _fetched(client, url, headers).data == rendered_by_the_job


def test_a_small_extract_is_rendered_at_each_download_and_not_kept(
    sqlite_app: Flask, keys: dict[str, dict[str, str]]
) -> None:
    headers = keys["service_etat"]
    client = sqlite_app.test_client()
    body = {**COMMUNES_48, "territories": {"level": "departement", "codes": ["48"]}}
    delivered = client.post("/api/v1/extracts", json=body, headers=headers)
    assert delivered.status_code == 200
    extract_id = delivered.headers["X-Extrait"]
    response = _fetched(client, f"/api/v1/extracts/{extract_id}/download?format=csv", headers)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    assert _files(sqlite_app).find(extract_id, "csv") is None


def test_a_file_name_never_leaves_its_folder(tmp_path: Path) -> None:
    files = ExtractFiles(tmp_path)
    with pytest.raises(ValueError, match="extract id unfit for a path"):
        files.store("../hors", "csv", b"x", "extrait.csv")
    with pytest.raises(ValueError, match="download name unfit for a path"):
        files.store("abcdef", "csv", b"x", "../../extrait.csv")
    with pytest.raises(KeyError):
        files.find("abc", "../../etc")
    stored = files.store("abcdef", "csv", b"a;b\r\n", "extrait-abcdef.csv")
    assert stored.path.parent == tmp_path / "ab" / "abcdef"
    assert [p.name for p in stored.path.parent.iterdir()] == [stored.path.name]
    assert files.find("abcdef", "csv") == stored
    assert files.find("abcdef", "csv-fr") is None  # "csv" is not a prefix of "csv-fr"
