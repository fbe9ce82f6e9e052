"""The mail server's settings: checked at start-up, the password kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigurationError, load_settings

PRODUCTION = {
    "GATEWAY_ENV": "production",
    "GATEWAY_SECRET_KEY": "s" * 48,
    "GATEWAY_AUDIT_KEY": "k" * 48,
    "GATEWAY_PUBLIC_URL": "https://passerelle.caf.fr/",
}
SMTP = {
    **PRODUCTION,
    "GATEWAY_SMTP_HOST": "smtp.caf.fr",
    "GATEWAY_SMTP_SENDER": "Passerelle <ne-pas-repondre@caf.fr>",
    "GATEWAY_SMTP_USER": "passerelle",
    "GATEWAY_SMTP_PASSWORD": "mot-de-passe-smtp",
}


@pytest.mark.parametrize(
    ("changes", "expected_error"),
    [
        ({"GATEWAY_SMTP_SENDER": ""}, "GATEWAY_SMTP_SENDER"),
        ({"GATEWAY_SMTP_SENDER": "passerelle"}, "GATEWAY_SMTP_SENDER"),
        ({"GATEWAY_SMTP_PASSWORD": ""}, "vont ensemble"),
        ({"GATEWAY_SMTP_USER": ""}, "vont ensemble"),
        ({"GATEWAY_SMTP_SECURITY": "ssl"}, "starttls, tls ou none"),
        ({"GATEWAY_SMTP_SECURITY": "none"}, "en clair"),
        ({"GATEWAY_PUBLIC_URL": ""}, "GATEWAY_PUBLIC_URL manquante"),
        ({"GATEWAY_PUBLIC_URL": "http://passerelle.caf.fr"}, "https://"),
        ({"GATEWAY_SMTP_PASSWORD": "", "GATEWAY_SMTP_PASSWORD_FILE": "/nulle/part"}, "introuvable"),
    ],
)
def test_production_refuses_an_incomplete_mail_server(
    changes: dict[str, str], expected_error: str, tmp_path: Path
) -> None:
    environ = {**SMTP, "GATEWAY_INSTANCE_DIR": str(tmp_path), **changes}
    with pytest.raises(ConfigurationError, match=expected_error):
        load_settings(environ=environ)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465)])
def test_the_usual_port_of_each_security(security: str, port: int, tmp_path: Path) -> None:
    environ = {**SMTP, "GATEWAY_SMTP_SECURITY": security, "GATEWAY_INSTANCE_DIR": str(tmp_path)}
    settings = load_settings(environ=environ)
    assert (settings.smtp_port, settings.public_url) == (port, "https://passerelle.caf.fr")
    assert "mot-de-passe-smtp" not in repr(settings)


def test_a_local_relay_without_password(tmp_path: Path) -> None:
    environ = {
        **PRODUCTION,
        "GATEWAY_INSTANCE_DIR": str(tmp_path),
        "GATEWAY_SMTP_HOST": "localhost",
        "GATEWAY_SMTP_SECURITY": "none",
        "GATEWAY_SMTP_SENDER": "ne-pas-repondre@caf.fr",
    }
    assert load_settings(environ=environ).smtp_port == 25


def test_the_password_file_is_read_only_if_private(tmp_path: Path) -> None:
    path = tmp_path / "smtp-password"
    path.write_text("mot-de-passe-du-fichier\n")
    path.chmod(0o600)
    environ = {
        **SMTP,
        "GATEWAY_SMTP_PASSWORD": "",
        "GATEWAY_SMTP_PASSWORD_FILE": str(path),
        "GATEWAY_INSTANCE_DIR": str(tmp_path),
    }
    settings = load_settings(environ=environ)
    assert settings.smtp_password == "mot-de-passe-du-fichier"
    assert "mot-de-passe-du-fichier" not in repr(settings)
    path.chmod(0o640)
    with pytest.raises(ConfigurationError, match="mot de passe SMTP lisible par d'autres"):
        load_settings(environ=environ)


def test_development_needs_no_mail_server(tmp_path: Path) -> None:
    settings = load_settings({"instance_dir": tmp_path}, environ={"GATEWAY_ENV": "development"})
    assert settings.smtp_host == "" and settings.public_url == "http://127.0.0.1:8000"
