"""The SMTP outbox against a real SMTP server on localhost: what arrives, and what fails."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config import load_settings
from gateway.notify.mail import (
    LOGGER_NAME,
    LogOutbox,
    MailNotSent,
    Message,
    SmtpOutbox,
    outbox_for,
    send_logged,
)
from gateway.services.accounts import messages
from tests.support.mailserver import Certificate, free_port, smtp_server

SENDER = "Passerelle des Caf <ne-pas-repondre@passerelle.caf.fr>"
LINK = "https://passerelle.caf.fr/compte/invitation/jeton-secret-123"


@pytest.fixture
def trusted(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Certificate:
    """Make the test certificate the only authority the client trusts (OpenSSL's variable)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    return certificate


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


def invitation() -> Message:
    from datetime import UTC, datetime

    return messages.invitation(
        "élodie.durand@département.fr",
        "Élodie Durand",
        "Conseil départemental du Nord",
        LINK,
        datetime(2027, 1, 15, 9, 30, tzinfo=UTC),
    )


def test_a_message_arrives_in_french_with_utf8_headers(trusted: Certificate) -> None:
    """STARTTLS, then AUTH, then the message: subject, body and addresses as written."""
    message = messages.rejection(
        "contact@cd59.fr", "Camille Lefèvre", "Conseil départemental", "Pièces manquantes"
    )
    with smtp_server(tls=trusted, credentials=("passerelle", "mot-de-passe")) as (box, port):
        outbox = SmtpOutbox("localhost", port, "starttls", SENDER, "passerelle", "mot-de-passe")
        outbox.send(message)
    assert box.logins == ["passerelle"]
    [received] = box.messages
    assert received["Subject"] == "Votre demande d'accès à la passerelle des Caf"
    assert received["To"] == "contact@cd59.fr"
    assert received["From"] == SENDER
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@passerelle.caf.fr>")
    assert received.get_content_charset() == "utf-8"
    body = received.get_content()
    assert "Bonjour Camille Lefèvre," in body and "Pièces manquantes" in body
    assert box.envelopes == [("ne-pas-repondre@passerelle.caf.fr", ["contact@cd59.fr"])]


def test_the_subject_is_encoded_on_the_wire(trusted: Certificate) -> None:
    """Non-ASCII headers travel as RFC 2047 words and read back as written."""
    message = Message("a@cd59.fr", "Livraison « janvier » prête — données été", "Corps é")
    with smtp_server(tls=trusted) as (box, port):
        SmtpOutbox("localhost", port, "starttls", SENDER).send(message)
    [received] = box.messages
    assert received["Subject"] == "Livraison « janvier » prête — données été"
    assert received.get_content().strip() == "Corps é"


def test_implicit_tls(trusted: Certificate) -> None:
    with smtp_server(tls=trusted, implicit_tls=True) as (box, port):
        SmtpOutbox("localhost", port, "tls", SENDER).send(Message("a@cd59.fr", "Essai", "Corps"))
    assert [m["Subject"] for m in box.messages] == ["Essai"]


def test_an_untrusted_certificate_is_refused(certificate: Certificate) -> None:
    """Without the test authority, the server's certificate fails: nothing is sent."""
    with (
        smtp_server(tls=certificate) as (box, port),
        pytest.raises(MailNotSent, match="SSLCertVerificationError"),
    ):
        SmtpOutbox("localhost", port, "starttls", SENDER).send(invitation())
    assert box.messages == []


def test_a_refusal_is_logged_without_the_link(
    trusted: Certificate, logged: list[logging.LogRecord]
) -> None:
    with smtp_server(tls=trusted) as (box, port):
        box.refuse_with = f"451 try later {LINK}"  # a server echoing the message's content
        outbox = SmtpOutbox("localhost", port, "starttls", SENDER)
        with pytest.raises(MailNotSent) as raised:
            outbox.send(invitation())
        assert send_logged(outbox, invitation()) is False
    assert "451" in raised.value.reason and LINK not in raised.value.reason
    errors = [r for r in logged if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert all(LINK not in r.getMessage() and not hasattr(r, "link") for r in errors)
    assert errors[0].__dict__["to"] == "élodie.durand@département.fr"


def test_an_unreachable_server_fails_fast() -> None:
    outbox = SmtpOutbox("127.0.0.1", free_port(), "none", SENDER, timeout=2)
    with pytest.raises(MailNotSent, match="ConnectionRefusedError"):
        outbox.send(Message("a@cd59.fr", "Essai", "Corps"))


def test_a_wrong_password_is_a_failure(trusted: Certificate) -> None:
    with smtp_server(tls=trusted, credentials=("passerelle", "bon")) as (box, port):
        outbox = SmtpOutbox("localhost", port, "starttls", SENDER, "passerelle", "mauvais")
        with pytest.raises(MailNotSent, match="SMTPAuthenticationError"):
            outbox.send(invitation())
    assert box.messages == []


def test_the_configured_outbox(tmp_path: Path, trusted: Certificate) -> None:
    """Settings choose the outbox: SMTP with a host (its password from a 0600 file)."""
    password_file = tmp_path / "smtp-password"
    password_file.write_text("mot-de-passe\n")
    password_file.chmod(0o600)
    with smtp_server(tls=trusted, credentials=("passerelle", "mot-de-passe")) as (box, port):
        environ = {
            "GATEWAY_ENV": "test",
            "GATEWAY_SMTP_HOST": "localhost",
            "GATEWAY_SMTP_PORT": str(port),
            "GATEWAY_SMTP_USER": "passerelle",
            "GATEWAY_SMTP_PASSWORD_FILE": str(password_file),
            "GATEWAY_SMTP_SENDER": SENDER,
        }
        outbox = outbox_for(load_settings({"instance_dir": tmp_path}, environ=environ))
        assert isinstance(outbox, SmtpOutbox) and "mot-de-passe" not in repr(outbox)
        outbox.send(invitation())
    [received] = box.messages
    assert LINK in received.get_content()
    assert received["Subject"] == "Votre compte sur la passerelle des Caf"


@pytest.mark.parametrize(("env", "reveals"), [("test", True), ("production", False)])
def test_without_a_host_the_log_is_the_outbox(
    env: str, reveals: bool, tmp_path: Path, logged: list[logging.LogRecord]
) -> None:
    environ = {"GATEWAY_ENV": env, "GATEWAY_SECRET_KEY": "s" * 48, "GATEWAY_AUDIT_KEY": "k" * 48}
    outbox = outbox_for(load_settings({"instance_dir": tmp_path}, environ=environ))
    assert outbox == LogOutbox(reveal_links=reveals)
    outbox.send(invitation())
    [record] = logged
    assert (LINK in record.getMessage()) is reveals
