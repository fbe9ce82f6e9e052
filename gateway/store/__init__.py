"""Cell store: indicator leaf cells per period x commune x categories, memory-mapped Arrow files."""

from gateway.store.layout import SYNTHETIC_LABEL, IndicatorMetadata
from gateway.store.reader import CellStore
from gateway.store.writer import IndicatorCells, publish

__all__ = ["SYNTHETIC_LABEL", "CellStore", "IndicatorCells", "IndicatorMetadata", "publish"]
