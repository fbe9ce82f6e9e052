"""GET /api/v1/me and /api/v1/me/conventions: who I am, what my conventions allow, used."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from gateway.api.admin.common import read
from gateway.api.admin.convention_schemas import ConventionSchema
from gateway.api.admin.requester_schemas import KeySchema, RequesterSchema
from gateway.api.auth import gate, own_requester_id
from gateway.api.blueprint import Blueprint
from gateway.api.schemas import Schema
from gateway.services.conventions.views import my_conventions
from gateway.services.requesters import keys as requester_keys
from gateway.services.requesters import queries
from policies.access import Action

blp = Blueprint("moi", __name__, url_prefix="/me", description="Mon compte et mes conventions")


class MeSchema(RequesterSchema):
    keys = ma.fields.List(ma.fields.Nested(KeySchema))


class MyConventionSchema(ConventionSchema):
    class Meta:
        exclude = ("notes", "missing_for_activation")


class MyConventionsSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(MyConventionSchema))


@blp.route("")
class Me(MethodView):
    @gate(Action.ME_READ)
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """Mon compte : organisation, type, territoire, clés (préfixes)."""
        requester = read(queries.get_requester, own_requester_id())
        keys = read(requester_keys.list_keys, own_requester_id())
        return {**{k: getattr(requester, k) for k in RequesterSchema().fields}, "keys": keys}


@blp.route("/conventions")
class MyConventions(MethodView):
    @gate(Action.ME_READ)
    @blp.response(200, MyConventionsSchema)
    def get(self) -> dict[str, Any]:
        """Mes conventions (toutes versions), leur statut à ce jour, les quotas du mois."""
        return {"items": read(my_conventions, own_requester_id())}
