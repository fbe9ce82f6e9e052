"""GET /api/v1/me and /api/v1/me/conventions: who I am, what my conventions allow, used."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.api.admin.common import read
from gateway.api.admin.convention_schemas import ConventionSchema
from gateway.api.admin.requester_schemas import KeySchema, RequesterSchema
from gateway.api.auth import current_actor, gate
from gateway.api.schemas import Schema
from gateway.services import requester_keys, requesters
from gateway.services.convention_views import my_conventions

blp = Blueprint("moi", __name__, url_prefix="/me", description="Mon compte et mes conventions")


class MeSchema(RequesterSchema):
    keys = ma.fields.List(ma.fields.Nested(KeySchema))


class MyConventionSchema(ConventionSchema):
    class Meta:
        exclude = ("notes", "missing_for_activation")


class MyConventionsSchema(Schema):
    items = ma.fields.List(ma.fields.Nested(MyConventionSchema))


def _me() -> int:
    requester_id = current_actor().requester_id
    assert requester_id is not None  # me_read is not public: the gate authenticated
    return requester_id


@blp.route("")
class Me(MethodView):
    @blp.response(200, MeSchema)
    @gate("me_read")
    def get(self) -> dict[str, Any]:
        """Mon compte : organisation, type, territoire, clés (préfixes)."""
        requester = read(requesters.get_requester, _me())
        keys = read(requester_keys.list_keys, _me())
        return {**{k: getattr(requester, k) for k in RequesterSchema().fields}, "keys": keys}


@blp.route("/conventions")
class MyConventions(MethodView):
    @blp.response(200, MyConventionsSchema)
    @gate("me_read")
    def get(self) -> dict[str, Any]:
        """Mes conventions (toutes versions), leur statut à ce jour, les quotas du mois."""
        return {"items": read(my_conventions, _me())}
