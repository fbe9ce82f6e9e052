"""Loading the catalogue file: default path, cache per file version, readable errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    REPOSITORY_ROOT,
    clear_catalogue_cache,
    load_catalogue,
)
from policies.catalogue import CatalogueError

SHIPPED = DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_catalogue_cache()
    yield
    clear_catalogue_cache()


def test_default_path_is_data_catalogue_in_the_repository() -> None:
    assert DEFAULT_CATALOGUE_PATH == REPOSITORY_ROOT / "data" / "catalogue.yaml"
    assert (REPOSITORY_ROOT / "policies" / "catalogue.py").is_file()


def test_loads_the_shipped_catalogue() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) >= 24
    assert catalogue.get("ALLOC").label == "Nombre d’allocataires"


def test_relative_paths_start_at_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    assert load_catalogue("data/catalogue.yaml") is load_catalogue()


def test_second_load_is_served_from_cache() -> None:
    assert load_catalogue() is load_catalogue(DEFAULT_CATALOGUE_PATH)


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    first = load_catalogue(path)
    path.write_text(SHIPPED.replace("Nombre d’allocataires", "Allocataires"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_catalogue(path)
    assert second is not first
    assert second.get("ALLOC").label == "Allocataires"
    assert load_catalogue(path) is second


def test_invalid_content_names_indicator_and_field(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(SHIPPED.replace("tier: interne", "tier: confidentiel"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="Indicateur INDUS_MONTANT, champ « tier »"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("indicators: [unclosed", "syntaxe YAML"),
        ("- just\n- a list\n", "le document doit être un dictionnaire"),
        ("", "le document doit être un dictionnaire"),
    ],
)
def test_unreadable_file_is_a_catalogue_error(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError, match=fragment):
        load_catalogue(path)


def test_missing_file_is_not_hidden(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_catalogue(tmp_path / "absent.yaml")
