"""Load the indicator catalogue from its YAML file, parsing it again only when the file changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import yaml

from gateway.config import REPO_ROOT
from policies.catalogue import Catalogue, CatalogueError
from policies.catalogue_parsing import parse_catalogue

REPOSITORY_ROOT = REPO_ROOT
DEFAULT_CATALOGUE_PATH = REPO_ROOT / "data" / "catalogue.yaml"

_cache: dict[Path, tuple[tuple[int, int], Catalogue]] = {}
_lock = threading.Lock()


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Return the validated catalogue at `path` (relative paths start at the repository root)."""
    resolved = REPOSITORY_ROOT / Path(path) if path is not None else DEFAULT_CATALOGUE_PATH
    resolved = resolved.resolve()
    stat = resolved.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(resolved)
        if cached is not None and cached[0] == version:
            return cached[1]
    catalogue = _read(resolved)
    with _lock:
        _cache[resolved] = (version, catalogue)
    return catalogue


def clear_catalogue_cache() -> None:
    """Forget every loaded catalogue (tests, or an administrator forcing a reload)."""
    with _lock:
        _cache.clear()


def _read(path: Path) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"Fichier {path.name}", "syntaxe YAML", str(exc)) from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"Fichier {path.name}", "*", "le document doit être un dictionnaire")
    return parse_catalogue(data)
