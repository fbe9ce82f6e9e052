"""The cell store of an instance: the demonstration data when absent, and imports."""

from __future__ import annotations

from pathlib import Path

from gateway.config import Settings
from gateway.reference.geography import load_geography
from gateway.store.demo import load_demo
from gateway.store.demo_catalogue import STORED
from gateway.store.import_checks import Catalogue as ImportCatalogue
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


def import_catalogue(catalogue: Catalogue) -> ImportCatalogue:
    """Return what an import checks rows against: stored indicator -> {breakdown: categories}.

    Ratios are computed from their terms, never stored: a file row naming one is refused as an
    unknown indicator.
    """
    return {
        indicator.code: {b: catalogue.breakdown(b).category_codes for b in indicator.breakdowns}
        for indicator in catalogue.stored()
    }


def non_exclusive_indicators(catalogue: Catalogue, store_dir: Path) -> frozenset[str]:
    """Return the stored indicators whose units may count in several categories of a cell.

    An indicator already in the store keeps what its metadata say; one the demonstration
    generator knows takes its known shape; any other indicator with a breakdown is taken as
    non-exclusive, the conservative side for the secret statistique (the number of units of a
    total is then bounded by its largest category, never overcounted).
    """
    current: dict[str, bool] = {}
    if current_version_dir(store_dir) is not None:
        store = CellStore(store_dir)
        current = {c: store.metadata(c).categories_exclusive for c in store.indicators()}
    found = set()
    for indicator in catalogue.stored():
        if not indicator.breakdowns:
            continue
        known = STORED.get(indicator.code)
        exclusive = current.get(indicator.code, known.exclusive if known else False)
        if not exclusive:
            found.add(indicator.code)
    return frozenset(found)


def import_file(
    settings: Settings, catalogue: Catalogue, path: Path, *, microdata: bool
) -> ImportSummary:
    """Import an operator's file of cell summaries or of unit-level rows (all or nothing)."""
    communes = load_geography(settings.data_dir / "reference").codes(GeoLevel.COMMUNE)
    importer = import_microdata if microdata else import_cells

    def verify(version_dir: Path) -> None:  # the relations hold, or the version never opens
        check_relations(CellStore.of_version(version_dir), catalogue)

    return importer(
        path,
        settings.cell_store_dir,
        import_catalogue(catalogue),
        communes,
        non_exclusive=non_exclusive_indicators(catalogue, settings.cell_store_dir),
        verify=verify,
    )
