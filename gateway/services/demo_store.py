"""The cell store of an instance: the demonstration data when absent, and imports."""

from __future__ import annotations

from pathlib import Path

from gateway.config import Settings
from gateway.reference.geography import load_geography
from gateway.store.demo import load_demo
from gateway.store.importers import ImportSummary, import_cells, import_microdata
from gateway.store.layout import current_version_dir
from gateway.store.reader import CellStore
from gateway.store.relations import check_relations
from policies.catalogue import Catalogue
from policies.domain import GeoLevel


def ensure_demo_store(settings: Settings) -> bool:
    """Generate the synthetic demonstration store unless a store already exists."""
    if current_version_dir(settings.cell_store_dir) is not None:
        return False
    load_demo(settings.cell_store_dir, load_geography(settings.data_dir / "reference"))
    return True


def import_file(
    settings: Settings, catalogue: Catalogue, path: Path, *, microdata: bool
) -> ImportSummary:
    """Import an operator's file of cell summaries or of unit-level rows (all or nothing)."""
    communes = load_geography(settings.data_dir / "reference").codes(GeoLevel.COMMUNE)
    importer = import_microdata if microdata else import_cells

    def verify(version_dir: Path) -> None:  # the relations hold, or the version never opens
        check_relations(CellStore.of_version(version_dir), catalogue)

    return importer(path, settings.cell_store_dir, catalogue, communes, verify=verify)
