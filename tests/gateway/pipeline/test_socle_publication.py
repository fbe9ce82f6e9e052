"""The socle commun is a publication: protected once per vintage, before any extract of it."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from gateway.catalogue import load_catalogue
from gateway.config import REPO_ROOT
from gateway.db.models import Extract, ReleasedCell
from gateway.pipeline.run import Pipeline
from gateway.pipeline.socle import fingerprint, publication
from gateway.reference.geography import load_geography
from gateway.services.ledger import queries as ledger
from gateway.state import app_state
from gateway.store import CellStore
from gateway.store.demo import generate, load_demo
from gateway.store.relations import check_relations
from gateway.store.writer import publish
from policies.domain import GeoLevel
from policies.errors import InvalidInput
from tests.conftest import make_app
from tests.support.state import get_database, pipeline

SOCLE = "/api/v1/socle/PPA?level=departement&codes=13,48,84&periods=2023,2024"
CD_COMMUNES = {
    "indicators": ["PPA", "PPA_MONTANT"],
    "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
    "periods": [2023, 2024],
    "use": "usage_final",
}


def _pipeline(app: Flask) -> Pipeline:
    with app.app_context():
        return pipeline(app)


def _public_rows(app: Flask) -> int:
    with app.app_context(), get_database().sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(ReleasedCell).where(ReleasedCell.audience.is_(None))
        )
    return int(count or 0)


def test_the_vintage_opens_with_its_socle_published(app: Flask) -> None:
    """The template database holds the publication of the test store's version, in the ledger."""
    runner = _pipeline(app)
    with app.app_context(), get_database().sessions() as session:
        found = publication(session, runner.store.version())
        assert found is not None and found.requester_id is None
        assert found.fingerprint == fingerprint(runner.store.version())
        levels = {c["niveau"] for c in found.result["cellules"]}
        indicators = {c["indicateur"] for c in found.result["cellules"]}
    assert levels == {"departement", "region", "france"}
    assert {"ALLOC", "ALLOC_SITFAM", "PPA", "PPA_MONTANT", "PART_ALLOC_RSA"} <= indicators
    # Convention-tier and internal indicators are never in the public publication.
    assert not {"ENF_MOINS_6", "PLACES_EAJE", "INDUS_MONTANT", "RSA_MONTANT"} & indicators
    ratios = sum(c["indicateur"] == "PART_ALLOC_RSA" for c in found.result["cellules"])
    assert _public_rows(app) == found.cells_delivered - ratios  # a ratio is recorded by its terms


def test_reading_the_socle_is_the_same_for_everyone_and_records_nothing(
    client: FlaskClient, app: Flask, both_keys: dict[str, dict[str, str]]
) -> None:
    before = _public_rows(app)
    anonymous = client.get(SOCLE)
    keyed = client.get(SOCLE, headers=both_keys["conseil_departemental"])
    assert anonymous.status_code == keyed.status_code == 200
    assert anonymous.headers["X-Extrait"] == keyed.headers["X-Extrait"]
    assert anonymous.json["cellules"] == keyed.json["cellules"]
    assert len(anonymous.json["cellules"]) == 6  # 3 départements x 2 years, totals only
    assert "public" in anonymous.headers["Cache-Control"]
    again = client.get(SOCLE, headers={"If-None-Match": anonymous.headers["ETag"]})
    assert again.status_code == 304
    assert _public_rows(app) == before


def test_socle_slices_follow_the_request(client: FlaskClient) -> None:
    broken = client.get(
        "/api/v1/socle/ALLOC_SITFAM?level=region&codes=93&breakdowns=situation_familiale"
    )
    assert broken.status_code == 200
    categories = {tuple(c["categories"].values()) for c in broken.json["cellules"]}
    assert len(categories) == 5  # four situations and their total
    totals = client.get("/api/v1/socle/ALLOC_SITFAM?level=region&codes=93&periods=2024")
    assert [c["periode"] for c in totals.json["cellules"]] == [2024]
    assert len(totals.json["cellules"]) == 1
    refused = client.get("/api/v1/socle/PPA?level=commune&codes=13005")
    assert refused.status_code == 403


def test_an_extract_after_the_socle_is_protected_against_it(
    client: FlaskClient, both_keys: dict[str, dict[str, str]], app: Flask
) -> None:
    """The issue's case: communes without totals, the département total being public.

    Whatever the data, a département whose commune cells are withheld must have at least two
    of them withheld, or the public total minus the others gives the withheld one back.
    """
    response = client.post(
        "/api/v1/extracts", json=CD_COMMUNES, headers=both_keys["conseil_departemental"]
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    withheld: dict[tuple[str, int], int] = {}
    for cell in response.json["cellules"]:
        key = (cell["indicateur"], cell["periode"])
        withheld[key] = withheld.get(key, 0) + (cell["valeur"] is None)
    assert any(withheld.values()), "no commune withheld: the case tests nothing"
    assert all(count != 1 for count in withheld.values()), withheld
    socle = client.get("/api/v1/socle/PPA?level=departement&codes=13&periods=2023,2024")
    assert all(c["valeur"] is not None for c in socle.json["cellules"])


def test_a_new_vintage_is_published_before_its_first_extract(
    sqlite_url: str, tmp_path: Path, demo_store_dir: Path
) -> None:
    store_dir = tmp_path / "cells"
    shutil.copytree(demo_store_dir, store_dir, symlinks=True)
    load_demo(store_dir, load_geography(REPO_ROOT / "data" / "reference"), 11, ("48",))
    app = make_app(sqlite_url, tmp_path, store_dir=store_dir)
    runner = _pipeline(app)
    version = runner.store.version()
    with app.app_context(), get_database().sessions() as session:
        assert publication(session, version) is None
    response = app.test_client().get("/api/v1/socle/ALLOC?level=departement&codes=48")
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context(), get_database().sessions() as session:
        published = publication(session, version)
        assert published is not None and published.id == response.headers["X-Extrait"]
    app_state(app).database.dispose()


def test_only_figures_of_another_vintage_are_checked_against_the_data(
    sqlite_url: str, tmp_path: Path, demo_store_dir: Path
) -> None:
    """A figure released from the current vintage is the current data's: no store read for it."""
    store_dir = tmp_path / "cells"
    shutil.copytree(demo_store_dir, store_dir, symlinks=True)
    first = CellStore(store_dir).version()
    load_demo(store_dir, load_geography(REPO_ROOT / "data" / "reference"), 11, ("48",))
    app = make_app(sqlite_url, tmp_path, store_dir=store_dir)
    communes = frozenset(_pipeline(app).geography.communes_of(GeoLevel.DEPARTEMENT, "48"))
    with app.app_context(), get_database().sessions() as session:
        related = load_catalogue().related_set("ALLOC_SITFAM")

        def released(version: str) -> ledger.Released:
            return ledger.linked_cells(
                session,
                audiences=None,
                related=related,
                period=2024,
                communes=communes,
                version=version,
            )

        as_first = released(first)
        published = {cell for cell in as_first.cells if cell.published}
        assert published and not as_first.revisable
        assert released(CellStore(store_dir).version()).revisable == published
    app_state(app).database.dispose()


def test_republishing_keeps_the_mask_and_records_both(app: Flask) -> None:
    runner = _pipeline(app)
    with app.app_context(), get_database().sessions() as session:
        first = publication(session, runner.store.version())
        assert first is not None
    second_id = runner.publisher.publish(runner.store)
    with app.app_context(), get_database().sessions() as session:
        second = session.get(Extract, second_id)
        assert second is not None and second.id != first.id
        assert publication(session, runner.store.version()).id == second_id  # type: ignore[union-attr]
    # The second one knows the first: its cells are "already released", with the same values.
    values = [(c["code"], c["indicateur"], c["valeur"]) for c in first.result["cellules"]]
    again = [(c["code"], c["indicateur"], c["valeur"]) for c in second.result["cellules"]]
    assert values == again


def test_the_publish_socle_command(sqlite_url: str, tmp_path: Path, demo_store_dir: Path) -> None:
    from gateway.cli import cli

    env = {
        "GATEWAY_ENV": "test",
        "GATEWAY_DATABASE_URL": sqlite_url,
        "GATEWAY_INSTANCE_DIR": str(tmp_path / "instance"),
        "GATEWAY_STORE_DIR": str(demo_store_dir),
    }
    result = CliRunner().invoke(cli, ["publish-socle"], env=env)
    assert result.exit_code == 0, result.output
    assert "Socle commun publié" in result.output


def test_a_store_breaking_a_relation_never_opens(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    geography = load_geography(REPO_ROOT / "data" / "reference")
    root = tmp_path / "cells"
    load_demo(root, geography, departements=("48",))
    current = CellStore(root).version()
    assert check_relations(CellStore(root), catalogue) == 2
    cells = {c.metadata.code: c for c in generate(geography, departements=("48",))}
    under3 = cells["ENF_MOINS_3"]
    value = under3.value.copy()
    value[0] += 1
    broken = dataclasses.replace(under3, value=value)

    def verify(version_dir: Path) -> None:
        check_relations(CellStore.of_version(version_dir), catalogue)

    with pytest.raises(InvalidInput, match=r"ENF_MOINS_3 = ENF_MOINS_6 \(0_2\)") as caught:
        publish(root, [broken], geography.codes(GeoLevel.COMMUNE), verify=verify)
    assert "1 cellule(s)" in caught.value.detail
    assert CellStore(root).version() == current  # the current version stayed
