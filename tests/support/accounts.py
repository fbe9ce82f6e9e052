"""People for the account tests, made through the public services, and the outbox they read."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from gateway.notify.mail import LOGGER_NAME
from gateway.services.accounts import links, people
from gateway.web.account.security import ACCOUNTS_KEY, Accounts
from tests.gateway.admin.conftest import World
from tests.support.state import get_database

PASSWORD = "Trois chats gris dorment"


class Outbox(logging.Handler):
    """Collect the messages the gateway writes to its development outbox (the log)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def links(self, to: str | None = None) -> list[str]:
        """Return the links sent (to `to`), oldest first."""
        return [
            str(getattr(r, "link", ""))
            for r in self.records
            if getattr(r, "link", "") and (to is None or getattr(r, "to", None) == to)
        ]

    def last_link(self, to: str | None = None) -> str:
        found = self.links(to)
        assert found, f"aucun lien envoyé à {to}"
        return found[-1]

    def subjects(self) -> list[str]:
        return [str(getattr(r, "subject", "")) for r in self.records]


@contextmanager
def reading_outbox() -> Iterator[Outbox]:
    """Attach an Outbox to the gateway's mail logger for the duration of a test."""
    outbox = Outbox()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(outbox)
    try:
        yield outbox
    finally:
        logger.removeHandler(outbox)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


class People:
    """People of the `World`'s requesters, invited or active, by e-mail address."""

    def __init__(self, app: Flask, world: World) -> None:
        self.app, self.world = app, world
        self.ids: dict[str, int] = {}

    def invite(
        self, email: str, requester: str = "commune_13", role: str = "lecteur", name: str = ""
    ) -> str:
        """Invite a person; return the invitation's token."""
        fields: dict[str, Any] = {"email": email, "name": name or "Camille Martin", "role": role}
        with self.app.app_context(), get_database().transaction() as session:
            invitation = people.invite_person(session, None, self.world.id(requester), fields)
            self.ids[email] = invitation.person.id
            return invitation.token

    def active(
        self,
        email: str,
        requester: str = "commune_13",
        role: str = "lecteur",
        password: str = PASSWORD,
    ) -> int:
        """Invite a person and accept the invitation with `password`; return the person's id."""
        token = self.invite(email, requester, role)
        with self.app.app_context(), get_database().transaction() as session:
            accounts: Accounts = self.app.extensions[ACCOUNTS_KEY]
            links.accept_invitation(session, accounts.passwords, token, password, password)
        return self.ids[email]
