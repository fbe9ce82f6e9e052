"""A realistic delivery built from the real catalogue: 2 indicators, 3 territories, 2 periods."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from itertools import product
from typing import Any

import pytest

from gateway.catalogue import load_catalogue
from gateway.delivery import DeliveredCell, DeliveredStatus, Delivery
from policies.catalogue import Catalogue

INDICATORS = ("ALLOC", "ENF_MOINS_6")  # ENF_MOINS_6 is broken down by age_jeune_enfant
TERRITORIES = (
    ("commune", "13001", "Aix-en-Provence"),
    ("commune", "13009", "La Barben"),
    ("epci", "200054807", "Métropole d’Aix-Marseille-Provence"),
)
PERIODS = (2022, 2023)
AGES = ("0_2", "3_5", "_T")
# (indicator, period, territory code, age) -> status; every other cell is published.
STATUSES = {
    ("ENF_MOINS_6", 2022, "13009", "0_2"): DeliveredStatus.SECRET_PRIMAIRE,
    ("ENF_MOINS_6", 2022, "13009", "3_5"): DeliveredStatus.SECRET_SECONDAIRE,
    ("ENF_MOINS_6", 2023, "13009", "0_2"): DeliveredStatus.SECRET_PRIMAIRE,
    ("ENF_MOINS_6", 2023, "13009", "3_5"): DeliveredStatus.SECRET_SECONDAIRE,
    ("ALLOC", 2023, "13009", None): DeliveredStatus.ZERO,
    ("ALLOC", 2022, "200054807", None): DeliveredStatus.CONNU,
}
REASONS = {
    DeliveredStatus.SECRET_PRIMAIRE: "FREQ",
    DeliveredStatus.SECRET_SECONDAIRE: "SECONDAIRE",
    DeliveredStatus.ZERO: "ZERO",
    DeliveredStatus.CONNU: "APRIORI",
}
Key = tuple[str, int, str, str | None]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


def cell_keys() -> Iterator[Key]:
    """Yield the extract's cell coordinates in delivery order."""
    for code, period, (_level, territory, _label) in product(INDICATORS, PERIODS, TERRITORIES):
        for age in AGES if code == "ENF_MOINS_6" else (None,):
            yield code, period, territory, age


def value_of(key: Key) -> float:
    """A deterministic plausible value (never a round 0, so zero cells stand out)."""
    _code, period, territory, age = key
    base = {"13001": 41000.0, "13009": 310.0, "200054807": 412000.0}[territory]
    share = {None: 1.0, "0_2": 0.06, "3_5": 0.05, "_T": 0.11}[age]
    return float(round(base * share) + period - 2020)


def make_delivery(
    catalogue: Catalogue, statuses: Mapping[Key, DeliveredStatus] = STATUSES, **overrides: Any
) -> Delivery:
    """Build the test delivery; `statuses` overrides the published default per cell."""
    labels = {code: label for _level, code, label in TERRITORIES}
    levels = {code: level for level, code, _label in TERRITORIES}
    cells = []
    for key in cell_keys():
        code, period, territory, age = key
        status = statuses.get(key, DeliveredStatus.DIFFUSE)
        value = (
            None
            if not status.has_value
            else 0.0
            if status is DeliveredStatus.ZERO
            else value_of(key)
        )
        cells.append(
            DeliveredCell(
                indicator=code,
                period=period,
                territory_level=levels[territory],
                territory_code=territory,
                territory_label=labels[territory],
                categories={} if age is None else {"age_jeune_enfant": age},
                value=value,
                status=status,
                reason=REASONS.get(status),
                unit_label=catalogue.get(code).unit_label,
            )
        )
    indicators = tuple(catalogue.get(code) for code in INDICATORS)
    delivery = Delivery(
        extract_id="EXT-2026-000123",
        created_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
        requester_name="Commune d’Aix-en-Provence",
        requester_type="commune",
        caf_code="131",
        caf_name="Caf des Bouches-du-Rhône",
        convention_reference="CONV-131-2026-007",
        use="etudes",
        indicators=indicators,
        breakdowns={"age_jeune_enfant": catalogue.breakdown("age_jeune_enfant")},
        cells=tuple(cells),
        rules={ind.code: ind.secrecy.rules for ind in indicators},
        interval_percent=10.0,
        synthetic=False,
        warnings=("Les données 2023 sont provisoires.",),
        price_total=Decimal("179.59"),
        quote_reference="DEV-131-2026-0042",
        source_citations=(),
    )
    return replace(delivery, **overrides) if overrides else delivery


@pytest.fixture
def delivery(catalogue: Catalogue) -> Delivery:
    return make_delivery(catalogue)


@pytest.fixture
def build(catalogue: Catalogue) -> Callable[..., Delivery]:
    """Return a factory: build(statuses=..., **Delivery overrides)."""

    def factory(statuses: Mapping[Key, DeliveredStatus] = STATUSES, **overrides: Any) -> Delivery:
        return make_delivery(catalogue, statuses, **overrides)

    return factory
