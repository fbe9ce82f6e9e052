"""The IMAJE screens: a five-year history, and a study zone against a reference zone.

One call per screen, shared by the API (`POST /api/v1/imaje/history`, `/comparison`) and
the portal's pages (`/imaje/historique`, `/imaje/comparaison`): the screen's body becomes
the body of an extract, submitted once through the extracts pipeline (a protected cell is
shown masked, `s`, never refused as too fine); a comparison's two sides are one request,
split afterwards; the total cells are grouped into chart series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.delivery import TOTAL, Delivery, json_document
from gateway.pipeline.request import SCREEN_OPTION, next_finer
from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.extracts import service as extracts
from gateway.state import app_state, request_session
from policies.access import Caller
from policies.domain import PERIODS, GeoLevel
from policies.errors import InvalidInput
from policies.geography import Geography

HISTORY_YEARS = 6  # a five-year evolution needs six annual values
#: Several indicators of one axis on one history: as many lines as a chart stays readable with.
MAX_HISTORY_INDICATORS = 6
STUDY, REFERENCE = "etude", "reference"


@dataclass(frozen=True)
class Screen:
    """A screen as delivered: its extract, its table (or its two sides), its chart series."""

    extract_id: str
    delivery: Delivery
    table: dict[str, Any]  # the JSON delivery (`gateway.delivery.json_document`)
    sides: Mapping[str, dict[str, Any]] | None  # a comparison's tables, study then reference
    series: list[dict[str, Any]]

    def document(self) -> dict[str, Any]:
        """Return the screen as the API answers it: {tableau, series}."""
        return {"tableau": dict(self.sides) if self.sides else self.table, "series": self.series}


def history_periods(last: int | None = None) -> list[int]:
    """Return the years of a history ending in `last` (the latest year by default)."""
    last = PERIODS[-1] if last is None else last
    return [p for p in PERIODS if p <= last][-HISTORY_YEARS:]


def history_indicators(body: Mapping[str, Any]) -> list[str]:
    """Return the indicators a history body names: `indicator`, or `indicators`."""
    return list(body["indicators"]) if body.get("indicators") else [body["indicator"]]


def history_request(body: Mapping[str, Any]) -> dict[str, Any]:
    """Return the extract body of a history (a schema-validated screen body)."""
    extract: dict[str, Any] = {
        "indicators": history_indicators(body),
        "periods": history_periods(body.get("last_period")),
        "use": body["use"],
    }
    if "zone" in body:
        extract["zones"] = [body["zone"]]
    else:
        extract["territories"] = {"level": body["level"], "codes": [body["code"]]}
    return extract


def comparison_request(body: Mapping[str, Any]) -> dict[str, Any]:
    """Return the extract body of a comparison: both sides in one request."""
    places = (body["study"], body["reference"])
    return {
        "indicators": [body["indicator"]],
        "periods": [body["period"]],
        "use": body["use"],
        "zones": [p["zone"] for p in places if "zone" in p],
        "territories": [p for p in places if "zone" not in p],
    }


def history(
    caller: Caller, body: Mapping[str, Any], *, idempotency_key: str | None = None
) -> Screen:
    """Deliver a history: one or several indicators of one axis, six years, one territory."""
    _check_one_axis(history_indicators(body))
    return _screen(caller, history_request(body), idempotency_key)


def comparison(
    caller: Caller, body: Mapping[str, Any], *, idempotency_key: str | None = None
) -> Screen:
    """Deliver a comparison: one request over both sides, one protection of all it shows."""
    screen = _screen(caller, comparison_request(body), idempotency_key)
    geography = app_state().geography
    study, reference = (
        _side(screen.table, _members(place, geography))
        for place in (body["study"], body["reference"])
    )
    return Screen(
        extract_id=screen.extract_id,
        delivery=screen.delivery,
        table=screen.table,
        sides={STUDY: study, REFERENCE: reference},
        series=series(study) + series(reference),
    )


def series(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Group the total cells by indicator and territory into chart series (null where secret)."""
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cell in table["cellules"]:
        if any(value != TOTAL for value in cell["categories"].values()):
            continue
        key = (cell["indicateur"], cell["niveau"], cell["code_territoire"])
        line = grouped.setdefault(
            key,
            {
                "indicateur": key[0],
                "niveau": key[1],
                "code": key[2],
                "libelle": cell["libelle_territoire"],
                "points": [],
            },
        )
        line["points"].append(
            {"periode": cell["periode"], "valeur": cell["valeur"], "statut": cell["statut"]}
        )
    for line in grouped.values():
        line["points"].sort(key=lambda p: p["periode"])
    return list(grouped.values())


def _screen(caller: Caller, extract: dict[str, Any], idempotency_key: str | None) -> Screen:
    """Deliver one screen table; a table too fine shows its masked (`s`) cells, protected."""
    outcome = extracts.submit(
        caller, {**extract, SCREEN_OPTION: True}, idempotency_key=idempotency_key
    )
    assert outcome.delivery is not None  # a few indicators on a few territories: never a job
    table = json_document(outcome.delivery)
    return Screen(outcome.extract_id, outcome.delivery, table, None, series(table))


def _check_one_axis(codes: list[str]) -> None:
    """Refuse a history over indicators of several axes (IMAJE navigates axis by axis)."""
    current = catalogue_in_force(request_session())
    axes = {current.indicators[c].axis for c in codes if c in current.indicators}
    if len(axes) > 1:
        raise InvalidInput(
            "Indicateurs de plusieurs axes.",
            errors={"indicators": ["Choisissez un indicateur, ou plusieurs d'un même axe."]},
        )


def _members(place: Mapping[str, Any], geography: Geography) -> set[tuple[str, str]]:
    """Return the (level, code) of the delivered territories a side of the comparison names."""
    if "zone" in place:
        return {(GeoLevel.ZONE.value, str(place["zone"]))}
    if place.get("codes"):
        return {(place["level"], code) for code in place["codes"]}
    parent = (GeoLevel(place["parent_level"]), place["parent_code"])
    level = GeoLevel(place.get("level") or next_finer(parent[0]).value)
    codes = (*geography.within(level, *parent), *geography.straddling(level, *parent))
    return {(level.value, code) for code in codes}


def _side(table: Mapping[str, Any], members: set[tuple[str, str]]) -> dict[str, Any]:
    cells = [c for c in table["cellules"] if (c["niveau"], c["code_territoire"]) in members]
    return {**table, "cellules": cells}
