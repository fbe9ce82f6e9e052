"""IMAJE screens: five-year history of a territory, and study zone versus reference zone."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.api.auth import current_actor, gate
from gateway.api.extracts.caller import caller_of
from gateway.api.extracts.schemas import ComparisonSchema, HistorySchema, ScreenSchema
from gateway.pipeline.request import SCREEN_OPTION
from gateway.services import extracts
from policies.domain import PERIODS

blp = Blueprint("imaje", __name__, url_prefix="/imaje", description="Écrans IMAJE")

HISTORY_YEARS = 6  # a five-year evolution needs six annual values


def _table(body: dict[str, Any]) -> dict[str, Any]:
    """Deliver one screen table; a table too fine shows its masked (`s`) cells, protected."""
    outcome = extracts.pipeline().submit(
        caller_of(current_actor()),
        {**body, SCREEN_OPTION: True},
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    assert outcome.delivery is not None  # one indicator on a few territories: never a job
    content, _, _ = extracts.rendered(outcome.delivery, "json")
    table: dict[str, Any] = json.loads(content)
    return table


def series(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Group the total cells by territory into chart-ready series (null where secret)."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in table["cellules"]:
        if any(value != "_T" for value in cell["categories"].values()):
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


def _place(place: dict[str, Any]) -> dict[str, Any]:
    """Describe a side of the comparison as the request does: a custom zone, or territories."""
    if "zone" in place:
        return {"zones": [place["zone"]]}
    return {"territories": place}


@blp.route("/history")
class History(MethodView):
    @blp.arguments(HistorySchema)
    @blp.response(200, ScreenSchema)
    @gate("extract_create")
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
    @blp.arguments(ComparisonSchema)
    @blp.response(200, ScreenSchema)
    @gate("extract_create")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Zone d'étude et zone de référence sur une période (écran IMAJE 2).

        Chaque côté est une zone personnalisée du demandeur ou des territoires. Un territoire
        trop petit n'empêche pas l'écran : ses cellules protégées sont montrées masquées (s).
        """
        common = {
            "indicators": [body["indicator"]],
            "periods": [body["period"]],
            "use": body["use"],
        }
        study = _table({**common, **_place(body["study"])})
        reference = _table({**common, **_place(body["reference"])})
        return {
            "tableau": {"etude": study, "reference": reference},
            "series": series(study) + series(reference),
        }
