"""JSON-stat 2.0: the delivery as one dataset (a cube), readable by pyjstat and JSON-stat tools."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from gateway.delivery.cells import NOT_APPLICABLE, TOTAL, DeliveredCell
from gateway.delivery.metadata import extract_metadata
from gateway.delivery.model import Delivery
from gateway.delivery.note import build_note
from gateway.delivery.table import TOTAL_LABEL, public_value
from policies.domain import Kind

INDICATOR, PERIOD, TERRITORY = "indicateur", "periode", "territoire"


def territory_id(cell: DeliveredCell) -> str:
    """Return the territory's category id: codes alone collide across levels ("11")."""
    return f"{cell.territory_level}:{cell.territory_code}"


@dataclass(frozen=True)
class JsonStatRenderer:
    media_type: str = "application/json"
    extension: str = "json"

    def render(self, delivery: Delivery) -> bytes:
        """Render a JSON-stat 2.0 dataset: null value and status "s" for secret cells."""
        return json.dumps(build_dataset(delivery), ensure_ascii=False, allow_nan=False).encode()


def build_dataset(delivery: Delivery) -> dict[str, Any]:
    """Return the JSON-stat 2.0 dataset of a delivery (dense values, sparse status)."""
    dimensions = _dimensions(delivery)
    ids = list(dimensions)
    indexes = [list(dimensions[dim]["category"]["index"]) for dim in ids]
    positions = [{code: i for i, code in enumerate(index)} for index in indexes]
    sizes = [len(index) for index in indexes]
    strides = [math.prod(sizes[d + 1 :]) for d in range(len(sizes))]
    values: list[float | None] = [None] * math.prod(sizes)
    status: dict[str, str] = {}
    for cell in delivery.cells:
        coordinates = _coordinates(delivery, cell)
        offset = sum(positions[d][code] * strides[d] for d, code in enumerate(coordinates))
        values[offset] = public_value(cell)
        if cell.symbol:
            status[str(offset)] = cell.symbol
    note = build_note(delivery)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": f"Extrait {delivery.header.extract_id} — {delivery.header.caf_name}",
        "source": "Cnaf, passerelle de diffusion",
        "updated": delivery.header.created_at.isoformat(),
        "id": ids,
        "size": sizes,
        "role": {"time": [PERIOD], "geo": [TERRITORY], "metric": [INDICATOR]},
        "dimension": dimensions,
        "value": values,
        "status": status,
        "note": [text for _level, text in note.outline()],
        "extension": {"extrait": extract_metadata(delivery), "note": note.to_dict()},
    }


def _coordinates(delivery: Delivery, cell: DeliveredCell) -> list[str]:
    return [
        cell.indicator,
        str(cell.period),
        territory_id(cell),
        *(cell.categories.get(code, NOT_APPLICABLE) for code in delivery.breakdown_columns),
    ]


def _dimensions(delivery: Delivery) -> dict[str, Any]:
    cells = delivery.cells
    indicators = {ind.code: ind.label for ind in delivery.indicators}
    units = {
        ind.code: {"label": ind.unit_label, "decimals": 0 if ind.kind is Kind.COUNT else 2}
        for ind in delivery.indicators
    }
    periods = {str(p): str(p) for p in sorted({cell.period for cell in cells})}
    territories = {territory_id(c): c.territory_label for c in cells}
    dimensions: dict[str, Any] = {
        INDICATOR: _dimension("Indicateur", indicators, unit=units),
        PERIOD: _dimension("Période", periods),
        TERRITORY: _dimension("Territoire", territories),
    }
    for code in delivery.breakdown_columns:
        breakdown = delivery.breakdowns[code]
        used = {cell.categories.get(code, NOT_APPLICABLE) for cell in cells}
        labels = {TOTAL: TOTAL_LABEL} | {c.code: c.label for c in breakdown.categories}
        labels[NOT_APPLICABLE] = "Sans objet"
        dimensions[code] = _dimension(
            breakdown.label, {k: v for k, v in labels.items() if k in used} or {TOTAL: TOTAL_LABEL}
        )
    return dimensions


def _dimension(label: str, categories: dict[str, str], unit: Any = None) -> dict[str, Any]:
    if not categories:  # an empty extract still yields a valid (empty) cube
        categories = {"_": "Aucune"}
    category: dict[str, Any] = {"index": list(categories), "label": categories}
    if unit is not None:
        category["unit"] = unit
    return {"label": label, "category": category}
