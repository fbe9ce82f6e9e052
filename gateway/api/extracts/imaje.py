"""IMAJE screens: five-year history of a territory, and study zone versus reference zone.

The routes parse and gate; the screen is the service's (`gateway.services.extracts.screens`),
the same call the portal's pages (`gateway.web.imaje`) make.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from gateway.api.auth import current_caller, gate
from gateway.api.blueprint import Blueprint
from gateway.api.extracts.schemas import ComparisonSchema, HistorySchema, ScreenSchema
from gateway.services.extracts import screens
from policies.access import Action

blp = Blueprint("imaje", __name__, url_prefix="/imaje", description="Écrans IMAJE")


def _key() -> str | None:
    return request.headers.get("Idempotency-Key")


@blp.route("/history")
class History(MethodView):
    @gate(Action.IMAJE_READ)
    @blp.arguments(HistorySchema)
    @blp.response(200, ScreenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Historique sur cinq ans d'un territoire (écran IMAJE 1).

        Un indicateur (indicator), ou plusieurs d'un même axe (indicators), sur six années
        se terminant à last_period (la dernière année par défaut). Une cellule protégée est
        montrée masquée (s), sans valeur ; chaque série donne ses points année par année.
        """
        return screens.history(current_caller(), body, idempotency_key=_key()).document()


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
        return screens.comparison(current_caller(), body, idempotency_key=_key()).document()
