"""Send the accounts' messages once their transaction committed, with absolute links.

Shared by the pages and the administration API: both build the link to the same page. A
message that does not leave is logged (without its link) and the action stands: the person
asks for a new link, or an administrator sends the invitation again.
"""

from __future__ import annotations

from flask import current_app, url_for

from gateway.db.models import AccessRequestRecord
from gateway.notify.mail import Message, Outbox, send_logged
from gateway.services.accounts import messages
from gateway.services.accounts.links import IssuedLink
from gateway.services.accounts.people import Invitation
from gateway.services.accounts.values import TokenPurpose

OUTBOX_KEY = "gateway.outbox"


def outbox() -> Outbox:
    found: Outbox = current_app.extensions[OUTBOX_KEY]
    return found


def _send(message: Message) -> bool:
    return send_logged(outbox(), message)


def send_invitation(invitation: Invitation) -> bool:
    """Send the invitation link of a person just invited (after the commit); say if it left."""
    person = invitation.person
    link = url_for("compte.invitation", token=invitation.token, _external=True)
    return _send(
        messages.invitation(
            person.email, person.name, invitation.requester.name, link, invitation.expires_at
        )
    )


def send_link(issued: IssuedLink) -> bool:
    """Send a reset link, or a fresh invitation to someone who never accepted theirs."""
    if issued.purpose is TokenPurpose.INVITATION:
        link = url_for("compte.invitation", token=issued.token, _external=True)
        message = messages.invitation(
            issued.email, issued.name, issued.organisation, link, issued.expires_at
        )
    else:
        link = url_for("compte.reset", token=issued.token, _external=True)
        message = messages.reset(issued.email, issued.name, link, issued.expires_at)
    return _send(message)


def send_rejection(record: AccessRequestRecord) -> bool:
    return _send(
        messages.rejection(
            record.contact_email,
            record.contact_name,
            record.organisation,
            record.rejection_reason or "",
        )
    )
