"""SDMX-CSV 2.0: the delivery as one SDMX dataset, written by pysdmx (BIS, maintained).

One row per observation: its dimensions (indicator, territory level and code, period, one
column per breakdown: a category code, `_T` for the total, `_Z` where the indicator has no
such breakdown), its value, and two attributes from the SDMX cross-domain code lists:
`OBS_STATUS` (CL_OBS_STATUS: `A` normal value, `Q` missing value, suppressed; `M` missing
value, data cannot exist) and `CONF_STATUS` (CL_CONF_STATUS: `F` free, `C` confidential).

Every secret cell is `C`, never `D` ("secondary confidentiality"): telling primary from
secondary cells apart would tell which cells are small, which no delivered file may say
(`gateway.delivery.cells.SYMBOLS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pandas as pd
from pysdmx.io.csv.sdmx20.writer import write
from pysdmx.io.pd import PandasDataset
from pysdmx.model import Component, Components, Concept, DataType, Role, Schema

from gateway.delivery.cells import NOT_APPLICABLE, WITHOUT_OBJECT_SYMBOL, DeliveredCell
from gateway.delivery.model import Delivery
from gateway.delivery.table import number_text, public_value

AGENCY, DATAFLOW, VERSION = "CNAF", "PASSERELLE_CAF", "1.0"
MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8; header=present"
#: The dimensions every observation has, before one per breakdown of the delivery.
DIMENSIONS = ("INDICATOR", "TERRITORY_LEVEL", "REF_AREA", "TIME_PERIOD")
MEASURE, OBS_STATUS, CONF_STATUS = "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"

#: (OBS_STATUS, CONF_STATUS) of each public symbol (`gateway.delivery.cells.SYMBOLS`).
STATUSES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "": ("A", "F"),  # released
        "s": ("Q", "C"),  # secret, primary and secondary alike
        "-": ("A", "F"),  # no contributor: the value 0 is released
        "a": ("A", "F"),  # released before, repeated as published
        WITHOUT_OBJECT_SYMBOL: ("M", "F"),  # a ratio without denominator: no value exists
    }
)


def breakdown_dimension(code: str) -> str:
    """Return the dimension id of a breakdown ("age_jeune_enfant" -> "AGE_JEUNE_ENFANT")."""
    return code.upper()


def schema(delivery: Delivery) -> Schema:
    """Return the delivery's data structure: dimensions, the measure and its two attributes."""
    breakdowns = tuple(breakdown_dimension(code) for code in delivery.breakdown_columns)
    components = [
        *(_component(dim, Role.DIMENSION) for dim in DIMENSIONS + breakdowns),
        # Numbers, written as text here so that counts keep no ".0" (pandas would add it).
        _component(MEASURE, Role.MEASURE, DataType.DOUBLE, required=False, local=DataType.STRING),
        _component(OBS_STATUS, Role.ATTRIBUTE, attachment="O"),
        _component(CONF_STATUS, Role.ATTRIBUTE, attachment="O"),
    ]
    return Schema(
        context="dataflow",
        agency=AGENCY,
        id=DATAFLOW,
        version=VERSION,
        components=Components(components),
        name="Indicateurs agrégés des Caf (passerelle de diffusion)",
    )


def _component(
    id_: str,
    role: Role,
    dtype: DataType = DataType.STRING,
    *,
    required: bool = True,
    attachment: str | None = None,
    local: DataType | None = None,
) -> Component:
    extra: dict[str, Any] = {"attachment_level": attachment} if attachment else {}
    concept = Concept(id=id_, dtype=dtype)
    return Component(
        id=id_, required=required, role=role, concept=concept, local_dtype=local or dtype, **extra
    )


def observations(delivery: Delivery) -> pd.DataFrame:
    """Return one row per cell, in the schema's columns."""
    columns = delivery.breakdown_columns
    records = [_observation(cell, columns) for cell in delivery.cells]
    names = [
        *DIMENSIONS,
        *(breakdown_dimension(c) for c in columns),
        MEASURE,
        OBS_STATUS,
        CONF_STATUS,
    ]
    return pd.DataFrame.from_records(records, columns=names)


def _observation(cell: DeliveredCell, columns: tuple[str, ...]) -> tuple[Any, ...]:
    obs_status, conf_status = STATUSES[cell.symbol]
    return (
        cell.indicator,
        cell.territory_level,
        cell.territory_code,
        str(cell.period),
        *(cell.categories.get(code, NOT_APPLICABLE) for code in columns),
        "" if (value := public_value(cell)) is None else number_text(float(value)),
        obs_status,
        conf_status,
    )


@dataclass(frozen=True)
class SdmxCsvRenderer:
    media_type: str = MEDIA_TYPE
    extension: str = "csv"

    def render(self, delivery: Delivery) -> bytes:
        """Render the delivery as SDMX-CSV 2.0 (UTF-8, "," separator, one header row)."""
        dataset = PandasDataset(structure=schema(delivery), data=observations(delivery))
        text = write([dataset])
        assert text is not None  # no output path: the writer returns the text
        return text.encode("utf-8")
