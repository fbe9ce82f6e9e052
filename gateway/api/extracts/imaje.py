"""IMAJE screens: five-year history of a territory, and study zone versus reference zone."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from gateway.api.auth import current_caller, gate
from gateway.api.blueprint import Blueprint
from gateway.api.extracts.schemas import ComparisonSchema, HistorySchema, ScreenSchema
from gateway.delivery import TOTAL, json_document
from gateway.pipeline.request import SCREEN_OPTION, next_finer
from gateway.services.extracts import service as extracts
from gateway.state import app_state
from policies.access import Action
from policies.domain import PERIODS, GeoLevel
from policies.geography import Geography

blp = Blueprint("imaje", __name__, url_prefix="/imaje", description="Écrans IMAJE")

HISTORY_YEARS = 6  # a five-year evolution needs six annual values


def _table(body: dict[str, Any]) -> dict[str, Any]:
    """Deliver one screen table; a table too fine shows its masked (`s`) cells, protected."""
    outcome = extracts.submit(
        current_caller(),
        {**body, SCREEN_OPTION: True},
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    assert outcome.delivery is not None  # one indicator on a few territories: never a job
    return json_document(outcome.delivery)


def series(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Group the total cells by territory into chart-ready series (null where secret)."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in table["cellules"]:
        if any(value != TOTAL for value in cell["categories"].values()):
            continue
        key = (cell["niveau"], cell["code_territoire"])
        line = grouped.setdefault(
            key,
            {"niveau": key[0], "code": key[1], "libelle": cell["libelle_territoire"], "points": []},
        )
        line["points"].append(
            {"periode": cell["periode"], "valeur": cell["valeur"], "statut": cell["statut"]}
        )
    for line in grouped.values():
        line["points"].sort(key=lambda p: p["periode"])
    return list(grouped.values())


def _members(place: dict[str, Any], geography: Geography) -> set[tuple[str, str]]:
    """Return the (level, code) of the delivered territories a side of the comparison names."""
    if "zone" in place:
        return {(GeoLevel.ZONE.value, str(place["zone"]))}
    if place.get("codes"):
        return {(place["level"], code) for code in place["codes"]}
    parent = (GeoLevel(place["parent_level"]), place["parent_code"])
    level = GeoLevel(place.get("level") or next_finer(parent[0]).value)
    codes = (*geography.within(level, *parent), *geography.straddling(level, *parent))
    return {(level.value, code) for code in codes}


def _side(table: dict[str, Any], members: set[tuple[str, str]]) -> dict[str, Any]:
    cells = [c for c in table["cellules"] if (c["niveau"], c["code_territoire"]) in members]
    return {**table, "cellules": cells}


@blp.route("/history")
class History(MethodView):
    @gate(Action.IMAJE_READ)
    @blp.arguments(HistorySchema)
    @blp.response(200, ScreenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Historique sur cinq ans d'un indicateur sur un territoire (écran IMAJE 1)."""
        last = body.get("last_period", PERIODS[-1])
        periods = [p for p in PERIODS if p <= last][-HISTORY_YEARS:]
        extract: dict[str, Any] = {
            "indicators": [body["indicator"]],
            "periods": periods,
            "use": body["use"],
        }
        if "zone" in body:
            extract["zones"] = [body["zone"]]
        else:
            extract["territories"] = {"level": body["level"], "codes": [body["code"]]}
        table = _table(extract)
        return {"tableau": table, "series": series(table)}


@blp.route("/comparison")
class Comparison(MethodView):
    @gate(Action.IMAJE_READ)
    @blp.arguments(ComparisonSchema)
    @blp.response(200, ScreenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Zone d'étude et zone de référence sur une période (écran IMAJE 2).

        Chaque côté est une zone personnalisée du demandeur ou des territoires. Un territoire
        trop petit n'empêche pas l'écran : ses cellules protégées sont montrées masquées (s).
        Les deux côtés forment une seule demande : un seul devis quand elle est payante, et un
        seul secret statistique sur l'ensemble de ce qui est montré.
        """
        places = (body["study"], body["reference"])
        extract: dict[str, Any] = {
            "indicators": [body["indicator"]],
            "periods": [body["period"]],
            "use": body["use"],
            "zones": [p["zone"] for p in places if "zone" in p],
            "territories": [p for p in places if "zone" not in p],
        }
        table = _table(extract)
        geography = app_state().geography
        study, reference = (_side(table, _members(p, geography)) for p in places)
        return {
            "tableau": {"etude": study, "reference": reference},
            "series": series(study) + series(reference),
        }
