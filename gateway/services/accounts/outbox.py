"""Messages to people (invitations, password resets): in development, the log is the outbox.

No mail transport is configured yet: in development and tests the whole message, link
included, is written to the log (logger `gateway.courriel`, at every log level), which is
where a developer or a served test finds it. Elsewhere the log names the recipient and the
subject only: a link is a credential and never goes to a production log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

LOGGER_NAME = "gateway.courriel"


@dataclass(frozen=True)
class Message:
    """One message to one person; `link` is the single-use link it carries."""

    to: str
    subject: str
    body: str
    link: str


@dataclass(frozen=True)
class LogOutbox:
    """Write each message to the log; the link only where `reveal_links` (development)."""

    reveal_links: bool

    def send(self, message: Message) -> None:
        logger = logging.getLogger(LOGGER_NAME)
        if self.reveal_links:
            logger.info(
                "courriel (développement) à %s : %s — %s",
                message.to,
                message.subject,
                message.link,
                extra={"to": message.to, "subject": message.subject, "link": message.link},
            )
            return
        logger.warning(
            "courriel non envoyé (aucun transport configuré) à %s : %s",
            message.to,
            message.subject,
            extra={"to": message.to, "subject": message.subject},
        )


def outbox_for(env: str) -> LogOutbox:
    """Return the outbox of an environment; in development, its messages are always logged."""
    reveal = env in ("development", "test")
    if reveal:
        logging.getLogger(LOGGER_NAME).setLevel(logging.INFO)  # whatever GATEWAY_LOG_LEVEL
    return LogOutbox(reveal_links=reveal)
