"""Send the accounts' messages once their transaction committed, with absolute links.

Shared by the pages and the administration API: both build the link to the same page.
"""

from __future__ import annotations

from flask import current_app, url_for

from gateway.db.models import AccessRequestRecord
from gateway.services.accounts import messages
from gateway.services.accounts.links import IssuedLink
from gateway.services.accounts.outbox import LogOutbox
from gateway.services.accounts.people import Invitation
from gateway.services.accounts.values import TokenPurpose

OUTBOX_KEY = "gateway.outbox"


def outbox() -> LogOutbox:
    found: LogOutbox = current_app.extensions[OUTBOX_KEY]
    return found


def send_invitation(invitation: Invitation) -> None:
    """Send the invitation link of a person just invited (after the commit)."""
    person = invitation.person
    link = url_for("compte.invitation", token=invitation.token, _external=True)
    outbox().send(
        messages.invitation(
            person.email, person.name, invitation.requester.name, link, invitation.expires_at
        )
    )


def send_link(issued: IssuedLink) -> None:
    """Send a reset link, or a fresh invitation to someone who never accepted theirs."""
    if issued.purpose is TokenPurpose.INVITATION:
        link = url_for("compte.invitation", token=issued.token, _external=True)
        message = messages.invitation(
            issued.email, issued.name, issued.organisation, link, issued.expires_at
        )
    else:
        link = url_for("compte.reset", token=issued.token, _external=True)
        message = messages.reset(issued.email, issued.name, link, issued.expires_at)
    outbox().send(message)


def send_rejection(record: AccessRequestRecord) -> None:
    outbox().send(
        messages.rejection(
            record.contact_email,
            record.contact_name,
            record.organisation,
            record.rejection_reason or "",
        )
    )
