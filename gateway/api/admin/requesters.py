"""/api/v1/admin/requesters: requesters of the administrator's Caf, and their API keys."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.admin.common import (
    actor_id,
    body_caf,
    caf_scope,
    own_caf,
    read,
    requester_caf,
    write,
)
from gateway.api.admin.requester_schemas import (
    KeyCreateSchema,
    KeyIssuedSchema,
    KeyListSchema,
    KeySchema,
    RequesterCreateSchema,
    RequesterPageSchema,
    RequesterQuerySchema,
    RequesterSchema,
    RequesterUpdateSchema,
)
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.services.requesters import keys as requester_keys
from gateway.services.requesters import queries
from gateway.services.requesters import registry as requesters
from policies.access import Action

blp = Blueprint(
    "admin-demandeurs",
    __name__,
    url_prefix="/admin/requesters",
    description="Administration : demandeurs et clés d'API",
)


@blp.route("")
class Requesters(MethodView):
    @gate(Action.REQUESTER_READ, caf=own_caf)
    @blp.arguments(RequesterQuerySchema, location="query")
    @blp.response(200, RequesterPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les demandeurs (ceux de sa Caf ; tous pour un administrateur national)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return read(
            requesters.list_requesters, caf_code=caf_scope(), page=page, per_page=per_page, **args
        ).as_dict()

    @gate(Action.REQUESTER_CREATE, caf=body_caf)
    @blp.arguments(RequesterCreateSchema)
    @blp.response(201, RequesterSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Créer un demandeur rattaché à une Caf."""
        return write(requesters.create_requester, actor_id(), body)


@blp.route("/<int:requester_id>")
class RequesterDetail(MethodView):
    @gate(Action.REQUESTER_READ, caf=requester_caf)
    @blp.response(200, RequesterSchema)
    def get(self, requester_id: int) -> Any:
        """Décrire un demandeur."""
        return read(queries.get_requester, requester_id)

    @gate(Action.REQUESTER_UPDATE, caf=requester_caf)
    @blp.arguments(RequesterUpdateSchema)
    @blp.response(200, RequesterSchema)
    def patch(self, body: dict[str, Any], requester_id: int) -> Any:
        """Modifier un demandeur (sa Caf ne change pas)."""
        return write(requesters.update_requester, actor_id(), requester_id, body)


@blp.route("/<int:requester_id>/keys")
class RequesterKeys(MethodView):
    @gate(Action.API_KEY_READ, caf=requester_caf)
    @blp.response(200, KeyListSchema)
    def get(self, requester_id: int) -> dict[str, Any]:
        """Lister les clés d'un demandeur (préfixe, libellé, dates, statut ; jamais l'empreinte)."""
        return {"items": read(requester_keys.list_keys, requester_id)}

    # The body is optional: without it, the key has no label and the default validity.
    @gate(Action.API_KEY_CREATE, caf=requester_caf)
    @blp.arguments(
        KeyCreateSchema,
        required=False,
        description="Facultatif : sans corps, clé sans libellé, valable un an",
    )
    @blp.response(201, KeyIssuedSchema)
    def post(self, body: dict[str, Any], requester_id: int) -> dict[str, Any]:
        """Créer une clé : elle est affichée en clair une seule fois."""
        issued = write(requester_keys.create_key, actor_id(), requester_id, **body)
        return {"prefix": issued.prefix, "key": issued.plaintext, "expires_at": issued.expires_at}


@blp.route("/<int:requester_id>/keys/<string:prefix>/revoke")
class RevokeKey(MethodView):
    @gate(Action.API_KEY_REVOKE, caf=requester_caf)
    @blp.response(200, KeySchema)
    def post(self, requester_id: int, prefix: str) -> Any:
        """Révoquer une clé, définitivement."""
        return write(requester_keys.revoke_key, actor_id(), requester_id, prefix)
