"""/api/v1/admin/indicators/{code}: national administrators edit the catalogue's rules."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.admin.common import actor_id, write
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.api.indicators.schemas import IndicatorEditSchema, IndicatorSchema
from gateway.services.catalogue import editing, views
from policies.access import Action

blp = Blueprint(
    "admin-catalogue",
    __name__,
    url_prefix="/admin/indicators",
    description="Administration nationale : palier de diffusion et secret des indicateurs",
)


@blp.route("/<string:code>")
class IndicatorRules(MethodView):
    @gate(Action.CATALOGUE_UPDATE)
    @blp.arguments(IndicatorEditSchema)
    @blp.response(200, IndicatorSchema)
    def patch(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Modifier le palier de diffusion ou les règles de secret d'un indicateur.

        Réservé aux administrateurs nationaux. Le catalogue entier est validé à nouveau
        (un ratio reste au moins aussi restreint que ses termes, des indicateurs liés gardent
        le même secret) ; la modification s'applique dès la requête suivante et figure au
        journal des modifications.
        """
        changes = {("secrecy" if key == "secret" else key): value for key, value in body.items()}
        catalogue = write(editing.update_indicator, actor_id(), code, changes)
        return views.describe(catalogue.get(code), catalogue)
