"""On-disk layout of the cell store: versioned directories, a pointer, a manifest.

<root>/current                   symlink -> versions/<version>  (swapped atomically)
<root>/versions/<version>/manifest.json
<root>/versions/<version>/communes.txt      one commune code a line, sorted
<root>/versions/<version>/<INDICATOR>.arrow  uncompressed Arrow IPC (Feather v2)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gateway.config import ConfigurationError
from policies.errors import NotFound

FORMAT_VERSION = 1
POINTER = "current"
VERSIONS = "versions"
MANIFEST = "manifest.json"
COMMUNES = "communes.txt"

#: Fixed columns of every indicator file, in order; breakdown columns sit between
#: `commune` and `value`, one int8 column per breakdown (index into its categories).
KEY_COLUMNS = ("period", "commune")
MEASURE_COLUMNS = ("value", "freq", "top1", "top2")
SYNTHETIC_LABEL = "données de démonstration synthétiques"


@dataclass(frozen=True)
class IndicatorMetadata:
    """What the store knows about one indicator's cells and where they come from."""

    code: str
    periods: tuple[int, ...]
    breakdowns: Mapping[str, tuple[str, ...]]  # breakdown code -> ordered category codes
    synthetic: bool
    source: str  # file name or generator that produced the cells
    loaded_at: str  # ISO 8601, UTC
    rows: int = 0
    seed: int | None = None
    # False when one unit can sit in several categories (a foyer with children in two
    # age bands): the all-categories freq is then a lower bound, not a sum.
    categories_exclusive: bool = True
    note: str = ""
    file: str = field(default="")

    def to_json(self) -> dict[str, Any]:
        """Return the manifest entry."""
        entry = asdict(self)
        entry["periods"] = list(self.periods)
        entry["breakdowns"] = {k: list(v) for k, v in self.breakdowns.items()}
        return entry

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> IndicatorMetadata:
        """Read a manifest entry."""
        values = dict(entry)
        values["periods"] = tuple(entry["periods"])
        values["breakdowns"] = {k: tuple(v) for k, v in entry["breakdowns"].items()}
        return cls(**values)


@dataclass(frozen=True)
class Manifest:
    """The table of contents of one store version."""

    version: str
    created_at: str
    indicators: Mapping[str, IndicatorMetadata]

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document."""
        return {
            "format": FORMAT_VERSION,
            "version": self.version,
            "created_at": self.created_at,
            "indicators": {code: m.to_json() for code, m in sorted(self.indicators.items())},
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Manifest:
        """Read the JSON document."""
        indicators = {
            code: IndicatorMetadata.from_json(entry)
            for code, entry in document["indicators"].items()
        }
        return cls(document["version"], document["created_at"], indicators)


def current_version_dir(root: Path) -> Path | None:
    """Return the directory the pointer designates, or None for an empty store.

    A pointer that is not a link (a store copied without its links) is refused in French:
    reading it as a link raised a bare OSError, a traceback for whoever ran `init`.
    """
    try:
        target = os.readlink(root / POINTER)
    except FileNotFoundError:
        return None
    except OSError:
        raise ConfigurationError(
            f"Entrepôt de cellules {root} : « {POINTER} » devrait être un lien symbolique vers "
            "une version, ce n'en est pas un (une copie faite sans ses liens ? copier avec "
            "« cp -a » ou « rsync -l »)."
        ) from None
    return (root / target).resolve()


def read_manifest(version_dir: Path) -> Manifest:
    """Read a version's manifest."""
    return Manifest.from_json(json.loads((version_dir / MANIFEST).read_text(encoding="utf-8")))


def read_communes(version_dir: Path) -> tuple[str, ...]:
    """Read a version's sorted commune codes."""
    return tuple((version_dir / COMMUNES).read_text(encoding="utf-8").split())


def require_indicator(manifest: Manifest, indicator: str) -> IndicatorMetadata:
    """Return an indicator's metadata or raise NotFound."""
    try:
        return manifest.indicators[indicator]
    except KeyError:
        raise NotFound(f"Indicateur absent de l'entrepôt de cellules : « {indicator} »") from None
