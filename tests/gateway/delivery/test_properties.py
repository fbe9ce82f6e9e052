"""Whatever the mask, no secret cell carries a value in any format, and every other one does."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.delivery import FORMATS, DeliveredCell, Delivery, DeliveryError
from gateway.delivery.pdf import _row_texts
from gateway.delivery.table import header
from policies.catalogue import Catalogue
from policies.secrecy import Reason, Status
from tests.gateway.delivery.conftest import KINDS, Kind, cell_keys, make_delivery
from tests.gateway.delivery.readers import read_csv, read_jsonstat, read_xlsx

KEYS = tuple(cell_keys())
masks = st.lists(st.sampled_from(KINDS), min_size=len(KEYS), max_size=len(KEYS))
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def published(delivery: Delivery) -> list[float | None]:
    return [None if c.secret else c.value for c in delivery.cells]


def _none(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else value


@SETTINGS
@given(mask=masks)
def test_no_secret_value_in_any_format(catalogue: Catalogue, mask: list[Kind]) -> None:
    delivery = make_delivery(catalogue, dict(zip(KEYS, mask, strict=True)))
    expected = published(delivery)
    symbols = [c.symbol for c in delivery.cells]

    cells = json.loads(FORMATS["json"].render(delivery))["cellules"]
    assert [c["valeur"] for c in cells] == expected
    assert [c["statut"] for c in cells] == symbols

    for name, french in (("csv", False), ("csv-fr", True)):
        frame = read_csv(FORMATS[name].render(delivery), french)
        assert [_none(v) for v in frame["valeur"]] == expected
        assert list(frame["statut"]) == symbols

    rows = read_xlsx(FORMATS["xlsx"].render(delivery))["Données"][1:]
    value_at = header(delivery).index("valeur")
    assert [row[value_at] for row in rows] == expected  # numbers only, never a symbol
    assert [row[value_at + 1] or "" for row in rows] == symbols

    raw, frame = read_jsonstat(FORMATS["jsonstat"].render(delivery))
    secret = sum(1 for c in delivery.cells if c.secret)
    assert list(raw["status"].values()).count("s") == secret
    assert all(raw["value"][int(i)] is None for i, s in raw["status"].items() if s == "s")
    without_value = sum(1 for c in delivery.cells if not c.has_value)
    assert frame["value"].notna().sum() == len(delivery.cells) - without_value

    for cell in delivery.cells:
        texts = _row_texts(delivery, cell)
        assert (texts[-2] == "") is (not cell.has_value)
        assert (texts[-1] == "s") is cell.secret


@given(
    status=st.sampled_from([Status.PRIMARY, Status.SECONDARY]),
    value=st.floats(allow_nan=True, allow_infinity=True),
)
def test_model_refuses_any_value_on_a_secret_cell(status: Status, value: float) -> None:
    reason = Reason.FREQUENCY
    try:
        DeliveredCell("ALLOC", 2023, "commune", "13001", "Aix", {}, value, status, reason, "foyers")
    except DeliveryError:
        return
    raise AssertionError("a secret cell accepted a value")
