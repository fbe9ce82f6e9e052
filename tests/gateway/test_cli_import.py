"""`python -m gateway import FILE [--microdata]` run as an operator would, on a scratch instance.

Each test copies a freshly initialised instance (migrations, geography, catalogue, no
demonstration data), imports a file with the real command line in a subprocess, then opens
what the import published: the store's new version, and the socle commun of that version
read through the API.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.config import REPO_ROOT
from gateway.store import CellStore

CELLS = """\
indicator,period,commune,situation_familiale,value,freq,top1,top2
ALLOC,2023,13001,,12,12,1,1
ALLOC_SITFAM,2023,13001,isole,7,7,1,1
ALLOC_SITFAM,2023,13001,monoparent,5,5,1,1
RSA_MONTANT,2023,13001,,1500.5,3,900,400.5
"""

# Six foyers of Aix-en-Provence; h1 has a child under 3 and one of 3-5 (non-exclusive ages)
# and two Paje payments, summed into one contribution.
MICRODATA = """\
indicator;period;commune;situation_familiale;age_jeune_enfant;holding;value
ALLOC;2023;13001;;;h1;1
ALLOC;2023;13001;;;h2;1
ALLOC;2023;13001;;;h3;1
ALLOC;2023;13001;;;h4;1
ALLOC;2023;13001;;;h5;1
ALLOC;2023;13001;;;h6;1
ALLOC_SITFAM;2023;13001;couple_avec_enfants;;h1;1
ALLOC_SITFAM;2023;13001;couple_avec_enfants;;h2;1
ALLOC_SITFAM;2023;13001;monoparent;;h3;1
ALLOC_SITFAM;2023;13001;isole;;h4;1
ALLOC_SITFAM;2023;13001;isole;;h5;1
ALLOC_SITFAM;2023;13001;isole;;h6;1
ENF_MOINS_6;2023;13001;;0_2;h1;1
ENF_MOINS_6;2023;13001;;3_5;h1;1
ENF_MOINS_6;2023;13001;;0_2;h2;2
ENF_MOINS_6;2023;13001;;3_5;h3;1
ENF_MOINS_3;2023;13001;;;h1;1
ENF_MOINS_3;2023;13001;;;h2;2
PAJE_MONTANT;2023;13001;;;h1;100.25
PAJE_MONTANT;2023;13001;;;h1;50
PAJE_MONTANT;2023;13001;;;h2;80
PAJE_MONTANT;2023;13001;;;h3;20.5
"""


def _environment(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update(GATEWAY_ENV="test", GATEWAY_INSTANCE_DIR=str(instance))
    return env


def _gateway(instance: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *arguments],
        check=False,
        cwd=REPO_ROOT,
        env=_environment(instance),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance prepared by `python -m gateway init`, without any cell store."""
    instance = tmp_path_factory.mktemp("instance-initialisee")
    done = _gateway(instance, "init")
    assert done.returncode == 0, done.stderr
    assert "Catalogue chargé" in done.stdout
    return instance


@pytest.fixture
def instance(initialised: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "instance"
    shutil.copytree(initialised, copy)
    return copy


def _import(instance: Path, content: str, name: str, *options: str) -> tuple[str, str]:
    """Import a file; return the new store version and the socle publication it printed."""
    path = instance / name
    path.write_text(content, encoding="utf-8")
    done = _gateway(instance, "import", str(path), *options)
    assert done.returncode == 0, done.stderr
    imported = re.search(
        r"Import réussi : \d+ cellules, \d+ indicateurs, version (\S+)\.", done.stdout
    )
    published = re.search(
        r"Socle commun publié pour la version (\S+) : publication (\w+)", done.stdout
    )
    assert imported and published, done.stdout
    assert published.group(1) == imported.group(1)
    return imported.group(1), published.group(2)


def _socle(instance: Path, indicator: str, codes: str) -> dict:  # type: ignore[type-arg]
    app = create_app(
        {"env": "test", "instance_dir": instance, "database_url": "", "store_dir": None}
    )
    response = app.test_client().get(
        f"/api/v1/socle/{indicator}?level=departement&codes={codes}&periods=2023"
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_a_cell_file_is_imported_and_its_version_opens(instance: Path) -> None:
    version, publication = _import(instance, CELLS, "cellules.csv")

    store = CellStore(instance / "cells")
    assert store.version() == version
    assert store.indicators() == ("ALLOC", "ALLOC_SITFAM", "RSA_MONTANT")
    assert store.metadata("ALLOC").synthetic is False
    assert store.metadata("ALLOC").source == "cellules.csv"
    sitfam = store.leaf_cells("ALLOC_SITFAM", [2023], ["13001"])
    assert sitfam[["situation_familiale", "value", "freq"]].values.tolist() == [
        ["isole", 7.0, 7],
        ["monoparent", 5.0, 5],
    ]
    socle = _socle(instance, "ALLOC", "13")
    assert socle["extrait"]["identifiant"] == publication
    assert socle["extrait"]["donnees_synthetiques"] is False
    [cell] = socle["cellules"]
    assert (cell["code_territoire"], cell["valeur"], cell["statut"]) == ("13", 12, "")


def test_a_microdata_file_is_summarised_imported_and_its_version_opens(instance: Path) -> None:
    version, publication = _import(instance, MICRODATA, "unites.csv", "--microdata")

    store = CellStore(instance / "cells")
    assert store.version() == version
    assert set(store.indicators()) == {
        "ALLOC", "ALLOC_SITFAM", "ENF_MOINS_6", "ENF_MOINS_3", "PAJE_MONTANT",
    }  # fmt: skip
    paje = store.leaf_cells("PAJE_MONTANT", [2023], ["13001"]).iloc[0]
    # h1's two payments are one contributor of 150.25.
    assert (paje["value"], paje["freq"], paje["top1"], paje["top2"]) == (250.75, 3, 150.25, 80.0)
    sitfam = store.leaf_cells("ALLOC_SITFAM", [2023], ["13001"])
    assert dict(zip(sitfam["situation_familiale"], sitfam["freq"], strict=True)) == {
        "isole": 3, "monoparent": 1, "couple_avec_enfants": 2,
    }  # fmt: skip
    # A foyer counts in both age bands: the import must not take the bands as exclusive,
    # or the total's number of foyers would be overcounted (4 instead of 3 at most).
    assert store.metadata("ENF_MOINS_6").categories_exclusive is False
    assert store.metadata("ALLOC_SITFAM").categories_exclusive is True
    total = store.aggregate("ENF_MOINS_6", [2023], {"13": ["13001"]}, by_breakdown=False)
    assert int(total["freq"].iloc[0]) <= 3

    socle = _socle(instance, "ALLOC", "13")
    assert socle["extrait"]["identifiant"] == publication
    [cell] = socle["cellules"]
    assert cell["valeur"] == 6


def test_a_file_breaking_a_relation_is_refused_and_the_store_is_unchanged(
    instance: Path,
) -> None:
    version, _ = _import(instance, CELLS, "cellules.csv")
    broken = CELLS.replace("ALLOC,2023,13001,,12,12,1,1", "ALLOC,2023,13001,,13,13,1,1")
    path = instance / "faux.csv"
    path.write_text(broken, encoding="utf-8")

    done = _gateway(instance, "import", str(path))

    assert done.returncode == 2
    assert "La relation ALLOC = ALLOC_SITFAM (total) déclarée au catalogue" in done.stderr
    assert "13 contre 12" in done.stderr
    assert "Traceback" not in done.stderr
    assert CellStore(instance / "cells").version() == version


def test_a_missing_setting_is_said_in_french_without_a_traceback(tmp_path: Path) -> None:
    """A regression: in production without its secret key, every command printed a
    traceback ending in the ConfigurationError."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update(GATEWAY_ENV="production", GATEWAY_INSTANCE_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "audit-verify"],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Configuration : GATEWAY_SECRET_KEY manquante")
    assert "Traceback" not in done.stderr


def test_the_first_administrator_is_created_with_an_invitation_link(initialised: Path) -> None:
    """A regression: a production instance had no way to get its first administrator (only
    `init --demo` made any, and production refuses it)."""
    done = _gateway(
        initialised,
        "create-admin",
        "--caf",
        "13",
        "--organisation",
        "Caf des Bouches-du-Rhône (administration)",
        "--name",
        "Nadia Roussel",
        "--email",
        "Nadia.Roussel@caf13.exemple.fr",
        "--portal-url",
        "https://passerelle.exemple.fr/",
    )
    assert done.returncode == 0, done.stderr
    assert "Administration créée : Caf des Bouches-du-Rhône (administration)" in done.stdout
    link = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"https://passerelle\.exemple\.fr/compte/invitation/[\w-]+", link), link
    again = _gateway(
        initialised,
        "create-admin",
        "--organisation",
        "Cnaf",
        "--name",
        "Autre",
        "--email",
        "nadia.roussel@caf13.exemple.fr",
        "--portal-url",
        "https://passerelle.exemple.fr",
    )
    assert again.returncode == 2 and "Traceback" not in again.stderr  # the address is taken
    assert again.stderr.startswith("Erreur : ")


def test_an_import_publishes_its_version_for_every_node(instance: Path, tmp_path: Path) -> None:
    """With a published location, the import copies the version there and records it."""
    published = tmp_path / "publie"
    path = instance / "cellules.csv"
    path.write_text(CELLS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "import", str(path)],
        check=False,
        cwd=REPO_ROOT,
        env=_environment(instance) | {"GATEWAY_STORE_PUBLISHED": str(published)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    version = CellStore(instance / "cells").version()
    assert f"Version publiée dans {published}, attendue sur tous les nœuds." in done.stdout
    assert (published / "versions" / version / "SHA256SUMS").is_file()
    app = create_app({"env": "test", "instance_dir": instance, "database_url": ""})
    health = app.test_client().get("/api/v1/health").get_json()
    assert (health["store_version"], health["expected_store_version"]) == (version, version)
