"""Public reads carry `ETag` and `Cache-Control`, and a client holding them gets 304."""

from __future__ import annotations

import io
import re
from zipfile import ZipFile

import pandas as pd
import pytest
from flask.testing import FlaskClient
from pysdmx.io import read_sdmx
from werkzeug.test import TestResponse

from gateway.links import socle_bulk_url
from gateway.state import app_state

SOCLE = "/api/v1/socle/ALLOC?level=departement&codes=13,93&periods=2024"


def fetched(client: FlaskClient, path: str, **headers: str) -> TestResponse:
    """Get a file served from disk, read it and close it (the test client leaves it open)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize(
    ("path", "max_age"),
    [
        ("/api/v1/indicators", 60),
        ("/api/v1/indicators?axis=offre", 60),
        ("/api/v1/indicators/ALLOC", 60),
        ("/api/v1/territories?level=region", 3600),
        ("/api/v1/territories/departement/13", 3600),
    ],
)
def test_reference_reads_are_revalidated_by_etag(
    sqlite_client: FlaskClient, path: str, max_age: int
) -> None:
    first = sqlite_client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == f"public, max-age={max_age}, must-revalidate"
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = sqlite_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    stale = sqlite_client.get(path, headers={"If-None-Match": '"autre"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_the_etag_follows_the_data(sqlite_client: FlaskClient) -> None:
    regions = sqlite_client.get("/api/v1/territories?level=region").headers["ETag"]
    departements = sqlite_client.get("/api/v1/territories?level=departement").headers["ETag"]
    assert regions != departements


def test_errors_are_not_cached(sqlite_client: FlaskClient) -> None:
    missing = sqlite_client.get("/api/v1/indicators/INCONNU")
    assert missing.status_code == 404
    assert "ETag" not in missing.headers and "Cache-Control" not in missing.headers


def test_a_socle_slice_is_public_and_conditional(sqlite_client: FlaskClient) -> None:
    first = sqlite_client.get(SOCLE)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    again = sqlite_client.get(SOCLE, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_socle_in_sdmx_csv(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get(SOCLE + "&format=sdmx-csv")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.sdmx.data+csv"
    assert response.headers["Content-Disposition"].endswith('-sdmx-csv-donnees-synthetiques.csv"')
    frame = read_sdmx(response.data.decode("utf-8")).data[0].data
    as_json = sqlite_client.get(SOCLE + "&format=json").json["cellules"]
    assert len(frame) == len(as_json)
    by_area = {row.REF_AREA: row for row in frame.itertuples()}
    for cell in as_json:
        row = by_area[cell["code_territoire"]]
        if cell["statut"] == "s":
            assert (row.OBS_VALUE, row.CONF_STATUS) == ("", "C")
        else:
            assert float(row.OBS_VALUE) == cell["valeur"] and row.CONF_STATUS == "F"


def test_the_whole_socle_in_one_file(client: FlaskClient) -> None:
    response = fetched(client, socle_bulk_url())
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    publication = response.headers["X-Extrait"]
    assert response.headers["ETag"] == f'"socle-{publication}"'
    assert response.headers["Content-Location"] == socle_bulk_url(publication)
    assert re.search(
        r'filename="socle-commun-.+-donnees-synthetiques\.zip"',
        response.headers["Content-Disposition"],
    )
    with ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        table = pd.read_csv(archive.open(names[0]), dtype={"code_territoire": str})
        note = archive.read("note-explicative.txt").decode("utf-8")
    assert names == [f"socle-commun-{publication}.csv", "note-explicative.txt"]
    assert "synthétiques" in note
    assert {"departement", "region", "france"} <= set(table["niveau"])
    assert table["indicateur"].nunique() > 1
    secret = table[table["statut"] == "s"]
    assert secret["valeur"].isna().all()
    # The slice and the whole file are the same publication: the same figures.
    slice_cells = client.get(SOCLE + "&format=json").json["cellules"]
    whole = table[(table["indicateur"] == "ALLOC") & (table["periode"] == 2024)]
    for cell in slice_cells:
        match = whole[
            (whole["code_territoire"] == cell["code_territoire"])
            & (whole["niveau"] == "departement")
        ]
        assert list(match["statut"].fillna("")) == [cell["statut"]]


def test_a_publication_s_file_is_immutable_and_served_again_from_storage(
    client: FlaskClient,
) -> None:
    current = fetched(client, socle_bulk_url())
    publication = current.headers["X-Extrait"]
    stored = app_state(client.application).settings.instance_dir / "socle"
    assert (stored / f"{publication}.zip").read_bytes() == current.data
    named = fetched(client, socle_bulk_url(publication))
    assert named.status_code == 200 and named.data == current.data
    assert named.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    held = fetched(client, socle_bulk_url(publication), **{"If-None-Match": named.headers["ETag"]})
    assert held.status_code == 304 and held.data == b""


@pytest.mark.parametrize("publication", ["0" * 32, "..", "pas-une-publication"])
def test_an_unknown_publication_is_a_french_404(
    sqlite_client: FlaskClient, publication: str
) -> None:
    response = fetched(sqlite_client, socle_bulk_url(publication))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "introuvable"
