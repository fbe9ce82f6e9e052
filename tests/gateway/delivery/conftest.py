"""A realistic delivery built from the real catalogue: 2 indicators, 3 territories, 2 periods."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from itertools import product
from typing import Any

import pytest

from gateway.catalogue import load_catalogue
from gateway.delivery import DeliveredCell, Delivery, DeliveryHeader
from policies.catalogue import Catalogue
from policies.secrecy import Reason, Status

INDICATORS = ("ALLOC", "ENF_MOINS_6")  # ENF_MOINS_6 is broken down by age_jeune_enfant
TERRITORIES = (
    ("commune", "13001", "Aix-en-Provence"),
    ("commune", "13009", "La Barben"),
    ("epci", "200054807", "Métropole d’Aix-Marseille-Provence"),
)
PERIODS = (2022, 2023)
AGES = ("0_2", "3_5", "_T")
# A delivered cell's engine status and reason.
Kind = tuple[Status, Reason]
SAFE: Kind = (Status.SAFE, Reason.NONE)
PRIMARY: Kind = (Status.PRIMARY, Reason.FREQUENCY)
SECONDARY: Kind = (Status.SECONDARY, Reason.RELATION)
EMPTY: Kind = (Status.EMPTY, Reason.EMPTY)
KNOWN: Kind = (Status.APRIORI_PUBLISHED, Reason.APRIORI_PUBLISHED)
WITHOUT_OBJECT: Kind = (Status.EMPTY, Reason.ZERO_DENOMINATOR)  # a ratio of zero denominator
KINDS = (SAFE, PRIMARY, SECONDARY, EMPTY, KNOWN, WITHOUT_OBJECT)
# (indicator, period, territory code, age) -> kind; every other cell is published.
STATUSES = {
    ("ENF_MOINS_6", 2022, "13009", "0_2"): PRIMARY,
    ("ENF_MOINS_6", 2022, "13009", "3_5"): SECONDARY,
    ("ENF_MOINS_6", 2023, "13009", "0_2"): PRIMARY,
    ("ENF_MOINS_6", 2023, "13009", "3_5"): SECONDARY,
    ("ALLOC", 2023, "13009", None): EMPTY,
    ("ALLOC", 2022, "200054807", None): KNOWN,
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
    catalogue: Catalogue, statuses: Mapping[Key, Kind] = STATUSES, **overrides: Any
) -> Delivery:
    """Build the test delivery; `statuses` overrides the published default per cell."""
    labels = {code: label for _level, code, label in TERRITORIES}
    levels = {code: level for level, code, _label in TERRITORIES}
    cells = []
    for key in cell_keys():
        code, period, territory, age = key
        status, reason = statuses.get(key, SAFE)
        value = (
            None
            if status.suppressed or reason is Reason.ZERO_DENOMINATOR
            else 0.0
            if status is Status.EMPTY
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
                reason=reason,
                unit_label=catalogue.get(code).unit_label,
            )
        )
    indicators = tuple(catalogue.get(code) for code in INDICATORS)
    header = DeliveryHeader(
        extract_id="EXT-2026-000123",
        created_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
        requester_name="Commune d’Aix-en-Provence",
        requester_type="commune",
        caf_code="131",
        caf_name="Caf des Bouches-du-Rhône",
        convention_reference="CONV-131-2026-007",
        use="etudes",
        synthetic=False,
        price_total=Decimal("179.59"),
        quote_reference="DEV-131-2026-0042",
    )
    delivery = Delivery(
        header=header,
        indicators=indicators,
        breakdowns={"age_jeune_enfant": catalogue.breakdown("age_jeune_enfant")},
        cells=tuple(cells),
        rules={ind.code: ind.secrecy.rules for ind in indicators},
        interval_percent=10.0,
        warnings=("Les données 2023 sont provisoires.",),
        source_citations=(),
    )
    # Overrides name a field of the delivery or of its header.
    header_overrides = {k: v for k, v in overrides.items() if k in fields_of(DeliveryHeader)}
    overrides = {k: v for k, v in overrides.items() if k not in header_overrides}
    if header_overrides:
        overrides["header"] = replace(header, **header_overrides)
    return replace(delivery, **overrides) if overrides else delivery


def fields_of(cls: type) -> set[str]:
    return {f.name for f in dataclass_fields(cls)}


@pytest.fixture
def delivery(catalogue: Catalogue) -> Delivery:
    return make_delivery(catalogue)


@pytest.fixture
def build(catalogue: Catalogue) -> Callable[..., Delivery]:
    """Return a factory: build(statuses=..., **Delivery overrides)."""

    def factory(statuses: Mapping[Key, Kind] = STATUSES, **overrides: Any) -> Delivery:
        return make_delivery(catalogue, statuses, **overrides)

    return factory
