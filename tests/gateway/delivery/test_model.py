"""The delivery model refuses what a renderer must never see: a secret cell with a value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from gateway.delivery import DeliveredCell, Delivery, DeliveryError
from policies.secrecy import Reason, Status


def cell(**overrides: object) -> DeliveredCell:
    fields: dict[str, object] = {
        "indicator": "ALLOC",
        "period": 2023,
        "territory_level": "commune",
        "territory_code": "13001",
        "territory_label": "Aix-en-Provence",
        "categories": {},
        "value": 12.0,
        "status": Status.SAFE,
        "reason": Reason.NONE,
        "unit_label": "foyers",
    }
    return DeliveredCell(**(fields | overrides))  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [Status.PRIMARY, Status.SECONDARY])
def test_a_secret_cell_with_a_value_is_refused(status: Status) -> None:
    with pytest.raises(DeliveryError, match="aucune valeur"):
        cell(status=status, value=3.0, reason=Reason.FREQUENCY)


@pytest.mark.parametrize(
    ("status", "value"),
    [
        (Status.SAFE, None),
        (Status.APRIORI_PUBLISHED, None),
        (Status.SAFE, float("nan")),
        (Status.EMPTY, 4.0),
    ],
)
def test_a_published_cell_needs_a_finite_value(status: Status, value: float | None) -> None:
    with pytest.raises(DeliveryError):
        cell(status=status, value=value)


def test_a_zero_cell_without_value_is_worth_zero() -> None:
    assert cell(status=Status.EMPTY, value=None).value == 0.0


@pytest.mark.parametrize(
    ("engine", "status", "symbol"),
    [
        ("S", Status.SAFE, ""),
        ("U", Status.PRIMARY, "s"),
        ("M", Status.SECONDARY, "s"),
        ("Z", Status.EMPTY, "-"),
        ("A", Status.APRIORI_PUBLISHED, "a"),
    ],
)
def test_engine_statuses_map_to_delivery_symbols(engine: str, status: Status, symbol: str) -> None:
    shown = cell(status=engine, value=None if status.suppressed else 0.0)
    assert shown.status is status
    assert shown.symbol == symbol


def test_engine_enum_values_are_accepted() -> None:
    from gateway.delivery import SYMBOLS

    # Every status has its symbol; "sans objet" is a ratio of zero denominator ("so").
    assert set(SYMBOLS) == set(Status)
    without_object = cell(status=Status.EMPTY, value=None, reason=Reason.ZERO_DENOMINATOR)
    assert (without_object.symbol, without_object.value) == ("so", None)
    with pytest.raises(DeliveryError):
        cell(status="X")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"indicator": "RSA"}, "absent"),
        ({"categories": {"age_jeune_enfant": "0_2"}}, "ventilations attendues"),
    ],
)
def test_inconsistent_cells_are_refused(
    delivery: Delivery, change: dict[str, object], message: str
) -> None:
    bad = replace(delivery.cells[0], **change)  # type: ignore[arg-type]
    with pytest.raises(DeliveryError, match=message):
        replace(delivery, cells=(*delivery.cells, bad))


def test_unknown_category_and_duplicates_are_refused(delivery: Delivery) -> None:
    broken = next(c for c in delivery.cells if c.indicator == "ENF_MOINS_6")
    with pytest.raises(DeliveryError, match="catégorie inconnue"):
        replace(delivery, cells=(replace(broken, categories={"age_jeune_enfant": "6_10"}),))
    with pytest.raises(DeliveryError, match="double"):
        replace(delivery, cells=(broken, broken))


def test_missing_breakdown_is_refused(build: Callable[..., Delivery]) -> None:
    with pytest.raises(DeliveryError, match="ventilation non fournie"):
        build(breakdowns={})


def test_secret_count(delivery: Delivery) -> None:
    assert delivery.secret_count == 4
    assert delivery.breakdown_columns == ("age_jeune_enfant",)
