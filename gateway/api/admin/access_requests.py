"""/api/v1/admin/access-requests: organisations' access requests, decided by their Caf."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.admin.account_schemas import (
    AccessRequestPageSchema,
    AccessRequestQuerySchema,
    AccessRequestSchema,
    ApproveSchema,
    RejectSchema,
)
from gateway.api.admin.common import actor_id, caf_scope, own_caf, read, write
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.services.accounts import access_requests
from gateway.state import request_session
from gateway.web.account.mail import send_invitation, send_rejection
from policies.access import Action

blp = Blueprint(
    "admin-demandes-acces",
    __name__,
    url_prefix="/admin/access-requests",
    description="Administration : demandes d'accès des organisations",
)


def request_caf(*_args: Any, request_id: int, **_kwargs: Any) -> str | None:
    """The Caf deciding a request; an unknown id resolves to None (national admins only)."""
    return access_requests.caf_of_access_request(request_session(), request_id)


@blp.route("")
class AccessRequests(MethodView):
    @gate(Action.ACCESS_REQUEST_READ, caf=own_caf)
    @blp.arguments(AccessRequestQuerySchema, location="query")
    @blp.response(200, AccessRequestPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lister les demandes d'accès de sa Caf (par défaut : celles en attente)."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return read(
            access_requests.list_access_requests,
            caf_code=caf_scope(),
            page=page,
            per_page=per_page,
            **args,
        ).as_dict()


@blp.route("/<int:request_id>")
class AccessRequestDetail(MethodView):
    @gate(Action.ACCESS_REQUEST_READ, caf=request_caf)
    @blp.response(200, AccessRequestSchema)
    def get(self, request_id: int) -> Any:
        """Décrire une demande d'accès."""
        return read(access_requests.get_access_request, request_id)


@blp.route("/<int:request_id>/approve")
class Approve(MethodView):
    @gate(Action.ACCESS_REQUEST_APPROVE, caf=request_caf)
    @blp.arguments(
        ApproveSchema,
        required=False,
        description="Facultatif : sans corps, un nouveau demandeur est créé",
    )
    @blp.response(200, AccessRequestSchema)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Approuver : créer le demandeur (ou rattacher à un demandeur existant de la Caf) et
        inviter le contact, premier gestionnaire de l'organisation."""
        approval = write(access_requests.approve_access_request, actor_id(), request_id, **body)
        send_invitation(approval.invitation)
        return approval.request


@blp.route("/<int:request_id>/reject")
class Reject(MethodView):
    @gate(Action.ACCESS_REQUEST_REJECT, caf=request_caf)
    @blp.arguments(RejectSchema)
    @blp.response(200, AccessRequestSchema)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Rejeter une demande avec un motif, communiqué au contact de l'organisation."""
        record = write(
            access_requests.reject_access_request, actor_id(), request_id, body["reason"]
        )
        send_rejection(record)
        return record
