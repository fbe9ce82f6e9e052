"""An invitation whose e-mail does not leave (the SMTP server refuses connections): the
person is invited all the same, and the administrator is told to send it again."""

from __future__ import annotations

from flask import Flask

from gateway.notify.mail import SmtpOutbox
from gateway.web.account.mail import OUTBOX_KEY
from tests.gateway.admin.conftest import World
from tests.support.mailserver import free_port
from tests.web.account.conftest import Browser, text_of
from tests.web.admin.organisation_support import state


def test_an_invitation_that_does_not_leave_is_said_on_the_page(
    sqlite_app: Flask, console_world: World, caf13: Browser
) -> None:
    aubagne = f"/administration/organisations/{console_world.id('commune_13')}"
    # the configured transport, pointed at a port where no server listens
    sqlite_app.extensions[OUTBOX_KEY] = SmtpOutbox("127.0.0.1", free_port(), "none", "p@caf.fr")
    before = state(sqlite_app)

    done = caf13.submit(
        f"{aubagne}/personnes",
        {"email": "sam@aubagne.fr", "name": "Sam Durand", "role": "lecteur"},
        form_at=aubagne,
    )

    assert done.status_code == 303
    shown = text_of(caf13.get(done.headers["Location"]))
    assert "le courriel d’invitation à sam@aubagne.fr n’a pas pu partir" in shown
    assert "Invitation envoyée" not in shown
    assert "Sam Durand sam@aubagne.fr Lecteur" in shown  # invited all the same
    assert state(sqlite_app) != before
