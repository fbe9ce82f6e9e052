"""/api/v1/admin/requesters/{id}/people: the people of a requester of the administrator's Caf."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from gateway.api.admin.account_schemas import (
    InvitedPersonSchema,
    PersonInviteSchema,
    PersonListSchema,
    PersonSchema,
    PersonUpdateSchema,
)
from gateway.api.admin.common import actor_id, read, requester_caf, write
from gateway.api.auth import gate
from gateway.api.blueprint import Blueprint
from gateway.services.accounts import people
from gateway.web.account.mail import send_invitation
from policies.access import Action

blp = Blueprint(
    "admin-personnes",
    __name__,
    url_prefix="/admin/requesters",
    description="Administration : personnes des demandeurs (comptes du portail)",
)


def _invited(invitation: people.Invitation) -> dict[str, Any]:
    send_invitation(invitation)  # committed: the link works when it arrives
    person = invitation.person
    shown = {name: getattr(person, name) for name in PersonSchema._declared_fields}
    return {**shown, "invitation_expires_at": invitation.expires_at}


@blp.route("/<int:requester_id>/people")
class People(MethodView):
    @gate(Action.PERSON_READ, caf=requester_caf)
    @blp.response(200, PersonListSchema)
    def get(self, requester_id: int) -> dict[str, Any]:
        """Lister les personnes d'un demandeur (jamais leur mot de passe)."""
        return {"items": read(people.list_people, requester_id)}

    @gate(Action.PERSON_INVITE, caf=requester_caf)
    @blp.arguments(PersonInviteSchema)
    @blp.response(201, InvitedPersonSchema)
    def post(self, body: dict[str, Any], requester_id: int) -> dict[str, Any]:
        """Inviter une personne : un lien à usage unique lui est envoyé pour choisir son mot de
        passe (en développement, le lien est écrit dans le journal)."""
        return _invited(write(people.invite_person, actor_id(), requester_id, body))


@blp.route("/<int:requester_id>/people/<int:person_id>")
class PersonDetail(MethodView):
    @gate(Action.PERSON_UPDATE, caf=requester_caf)
    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonSchema)
    def patch(self, body: dict[str, Any], requester_id: int, person_id: int) -> Any:
        """Modifier le nom ou le rôle d'une personne, désactiver ou réactiver son compte."""
        return write(people.update_person, actor_id(), requester_id, person_id, body)


@blp.route("/<int:requester_id>/people/<int:person_id>/invitation")
class Reinvite(MethodView):
    @gate(Action.PERSON_INVITE, caf=requester_caf)
    @blp.response(201, InvitedPersonSchema)
    def post(self, requester_id: int, person_id: int) -> dict[str, Any]:
        """Renvoyer une invitation non encore acceptée (le lien précédent cesse de valoir)."""
        return _invited(write(people.reinvite_person, actor_id(), requester_id, person_id))
