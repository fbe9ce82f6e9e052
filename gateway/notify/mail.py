"""Messages to people: sent by SMTP where a server is configured, else written to the log.

With `GATEWAY_SMTP_HOST` set, every message leaves through that server (standard library
`smtplib`, STARTTLS or implicit TLS, certificates verified). Without it the log is the outbox
(logger `gateway.courriel`): in development and tests the whole message, link included, which
is where a developer or a served test finds it; elsewhere the recipient and the subject only,
a link being a credential that never goes to a production log. A failure to send is logged,
never with the link, and raised as `MailNotSent` for the caller to retry or to report.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Protocol

from gateway.config import Settings

LOGGER_NAME = "gateway.courriel"
LOG = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class Message:
    """One message to one person; `link` is the credential-like link it carries, if any."""

    to: str
    subject: str
    body: str
    link: str = ""


class MailNotSent(Exception):
    """The message did not leave: the mail server was unreachable or refused it."""

    def __init__(self, to: str, reason: str) -> None:
        super().__init__(f"courriel non envoyé à {to} : {reason}")
        self.to, self.reason = to, reason


class Outbox(Protocol):
    """Where messages go; `send` raises `MailNotSent` when one does not leave."""

    def send(self, message: Message) -> None: ...


@dataclass(frozen=True)
class LogOutbox:
    """Write each message to the log; the link only where `reveal_links` (development)."""

    reveal_links: bool

    def send(self, message: Message) -> None:
        if self.reveal_links:
            LOG.info(
                "courriel (développement) à %s : %s — %s",
                message.to,
                message.subject,
                message.link,
                extra={"to": message.to, "subject": message.subject, "link": message.link},
            )
            return
        LOG.warning(
            "courriel non envoyé (aucun transport configuré) à %s : %s",
            message.to,
            message.subject,
            extra={"to": message.to, "subject": message.subject},
        )


@dataclass(frozen=True)
class SmtpOutbox:
    """Send each message through one SMTP server, one connection per message."""

    host: str
    port: int
    security: str  # "starttls", "tls" (implicit, port 465) or "none"
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpOutbox:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            sender=settings.smtp_sender,
            user=settings.smtp_user,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
        )

    def send(self, message: Message) -> None:
        email = compose(message, self.sender)
        try:
            with self._connect() as smtp:
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as error:
            reason = describe(error, message.link)
            LOG.error(
                "courriel non envoyé à %s : %s — %s",
                message.to,
                message.subject,
                reason,
                extra={"to": message.to, "subject": message.subject},
            )
            raise MailNotSent(message.to, reason) from error
        LOG.info(
            "courriel envoyé à %s : %s",
            message.to,
            message.subject,
            extra={"to": message.to, "subject": message.subject},
        )

    def _connect(self) -> smtplib.SMTP:
        """Open a session: encrypted unless `none`, signed in when a user is set."""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp


def compose(message: Message, sender: str) -> EmailMessage:
    """Build the e-mail: UTF-8 text, encoded headers, marked as sent by a program."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(domain=domain)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    email.set_content(message.body, charset="utf-8")
    return email


def describe(error: BaseException, link: str) -> str:
    """Say why a message did not leave, in a line fit for a log: never the link it carried."""
    if isinstance(error, smtplib.SMTPResponseException):
        said = error.smtp_error
        said = said.decode("utf-8", "replace") if isinstance(said, bytes) else said
        text = f"{error.smtp_code} {said}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "destinataire refusé par le serveur"
    else:
        text = str(error) or type(error).__name__
    if link:
        text = text.replace(link, "[lien]")
    return f"{type(error).__name__} : {text[:200]}"


def outbox_for(settings: Settings) -> Outbox:
    """Return the gateway's outbox: the SMTP server if configured, else the log."""
    if settings.smtp_host:
        return SmtpOutbox.from_settings(settings)
    reveal = settings.is_development
    if reveal:
        LOG.setLevel(logging.INFO)  # whatever GATEWAY_LOG_LEVEL
    return LogOutbox(reveal_links=reveal)


def send_logged(outbox: Outbox, message: Message) -> bool:
    """Send a message whose failure must not undo what was done (it is logged); say if sent."""
    try:
        outbox.send(message)
    except MailNotSent:
        return False
    return True
