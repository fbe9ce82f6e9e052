"""SDMX-CSV 2.0 read back by pysdmx: every cell an observation, secret cells confidential."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pandas as pd
import pytest
from pysdmx.io import read_sdmx
from pysdmx.io.pd import PandasDataset

from gateway.delivery import FORMATS, Delivery, filename
from gateway.delivery.cells import NOT_APPLICABLE
from gateway.delivery.sdmx import STATUSES
from tests.gateway.delivery.conftest import PRIMARY, SECONDARY, WITHOUT_OBJECT

RENDERER = FORMATS["sdmx-csv"]


def read_back(delivery: Delivery) -> tuple[PandasDataset, pd.DataFrame]:
    """Read the file as an SDMX consumer would: pysdmx's reader, one dataset."""
    message = read_sdmx(RENDERER.render(delivery).decode("utf-8"))
    datasets = message.data
    assert len(datasets) == 1
    dataset = datasets[0]
    assert isinstance(dataset, PandasDataset)
    return dataset, dataset.data


def test_the_file_names_its_dataflow_and_its_columns(delivery: Delivery) -> None:
    dataset, frame = read_back(delivery)
    assert dataset.short_urn == "Dataflow=CNAF:PASSERELLE_CAF(1.0)"
    assert list(frame.columns) == [
        "INDICATOR",
        "TERRITORY_LEVEL",
        "REF_AREA",
        "TIME_PERIOD",
        "AGE_JEUNE_ENFANT",
        "OBS_VALUE",
        "OBS_STATUS",
        "CONF_STATUS",
    ]
    header = next(csv.reader(io.StringIO(RENDERER.render(delivery).decode("utf-8"))))
    assert header[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]


def test_every_cell_is_one_observation_with_its_dimensions(delivery: Delivery) -> None:
    _dataset, frame = read_back(delivery)
    assert len(frame) == len(delivery.cells)
    read = {
        (row.INDICATOR, row.TERRITORY_LEVEL, row.REF_AREA, row.TIME_PERIOD, row.AGE_JEUNE_ENFANT)
        for row in frame.itertuples()
    }
    expected = {
        (
            c.indicator,
            c.territory_level,
            c.territory_code,
            str(c.period),
            c.categories.get("age_jeune_enfant", NOT_APPLICABLE),
        )
        for c in delivery.cells
    }
    assert read == expected
    row = frame[
        (frame.INDICATOR == "ENF_MOINS_6")
        & (frame.TIME_PERIOD == "2023")
        & (frame.REF_AREA == "13001")
        & (frame.AGE_JEUNE_ENFANT == "_T")
    ]
    assert [float(v) for v in row.OBS_VALUE] == [41000 * 0.11 + 3]
    assert set(frame[frame.INDICATOR == "ALLOC"].AGE_JEUNE_ENFANT) == {"_Z"}


def test_secret_cells_are_confidential_without_value(delivery: Delivery) -> None:
    _dataset, frame = read_back(delivery)
    secret = frame[frame.CONF_STATUS == "C"]
    assert len(secret) == delivery.secret_count > 0
    assert set(secret.OBS_VALUE) == {""}
    assert set(secret.OBS_STATUS) == {"Q"}
    released = frame[frame.CONF_STATUS != "C"]
    assert set(released.CONF_STATUS) == {"F"}
    assert "" not in set(released.OBS_VALUE)


def test_primary_and_secondary_cells_look_alike(build: Callable[..., Delivery]) -> None:
    """No "D" (secondary confidentiality): it would tell which withheld cells are small."""
    key = ("ENF_MOINS_6", 2022, "13009", "0_2")
    rows = [
        read_back(build({key: kind}))[1]
        .query(
            "REF_AREA == '13009' and TIME_PERIOD == '2022' and AGE_JEUNE_ENFANT == '0_2' "
            "and INDICATOR == 'ENF_MOINS_6'"
        )[["OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]]
        .values.tolist()
        for kind in (PRIMARY, SECONDARY)
    ]
    assert rows[0] == rows[1] == [["", "Q", "C"]]
    assert "D" not in {conf for _obs, conf in STATUSES.values()}


def test_a_cell_without_object_is_missing_not_secret(build: Callable[..., Delivery]) -> None:
    key = ("ALLOC", 2023, "13001", None)
    _dataset, frame = read_back(build({key: WITHOUT_OBJECT}))
    row = frame.query("INDICATOR == 'ALLOC' and REF_AREA == '13001' and TIME_PERIOD == '2023'")
    assert row[["OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]].values.tolist() == [["", "M", "F"]]


def test_counts_are_written_without_a_decimal_point(delivery: Delivery) -> None:
    text = RENDERER.render(delivery).decode("utf-8")
    values = [row["OBS_VALUE"] for row in csv.DictReader(io.StringIO(text)) if row["OBS_VALUE"]]
    assert values and not any(v.endswith(".0") for v in values)


@pytest.mark.parametrize("name", ["sdmx-csv"])
def test_filename_and_media_type(delivery: Delivery, name: str) -> None:
    assert filename(delivery, name) == "extrait-EXT-2026-000123-sdmx-csv.csv"
    assert FORMATS[name].media_type.startswith("application/vnd.sdmx.data+csv; version=2.0.0")
