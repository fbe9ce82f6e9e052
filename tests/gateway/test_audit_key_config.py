"""The audit chain's key: outside the database, mandatory in production, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import cli
from gateway.config import ConfigurationError, load_settings, write_key_file

PRODUCTION = {"GATEWAY_ENV": "production", "GATEWAY_SECRET_KEY": "s" * 48}


@pytest.mark.parametrize(
    ("extra", "expected_error"),
    [
        ({}, "GATEWAY_AUDIT_KEY .* manquante ou trop courte"),
        ({"GATEWAY_AUDIT_KEY": "change-me"}, "manquante ou trop courte"),
        ({"GATEWAY_AUDIT_KEY": "court"}, "manquante ou trop courte"),
        ({"GATEWAY_AUDIT_KEY_FILE": "/nulle/part/audit-key"}, "introuvable"),
    ],
)
def test_production_refuses_to_start_without_a_key(
    extra: dict[str, str], expected_error: str, tmp_path: Path
) -> None:
    environ = {**PRODUCTION, "GATEWAY_INSTANCE_DIR": str(tmp_path), **extra}
    with pytest.raises(ConfigurationError, match=expected_error):
        load_settings(environ=environ)
    assert not (tmp_path / "audit-key").exists()  # production never invents one


def test_a_key_file_is_read_if_only_its_owner_may_read_it(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "audit-key"
    assert write_key_file(path) and not write_key_file(path)  # never overwritten
    assert path.stat().st_mode & 0o777 == 0o600
    environ = {**PRODUCTION, "GATEWAY_AUDIT_KEY_FILE": str(path)}
    settings = load_settings({"instance_dir": tmp_path}, environ=environ)
    assert settings.audit_key == path.read_text().strip()
    assert settings.audit_key not in repr(settings) and settings.audit_key not in repr(
        settings.audit_keys
    )
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="lisible par d'autres"):
        load_settings({"instance_dir": tmp_path}, environ=environ)


def test_development_derives_a_key_in_the_instance(tmp_path: Path) -> None:
    first = load_settings({"instance_dir": tmp_path}, environ={"GATEWAY_ENV": "development"})
    again = load_settings({"instance_dir": tmp_path}, environ={"GATEWAY_ENV": "development"})
    assert first.audit_key == again.audit_key == (tmp_path / "audit-key").read_text().strip()
    assert (tmp_path / "audit-key").stat().st_mode & 0o777 == 0o600


def test_init_creates_the_key_file_of_a_production_instance(tmp_path: Path) -> None:
    key_file = tmp_path / "cles" / "audit-key"
    env = {
        **PRODUCTION,
        "GATEWAY_INSTANCE_DIR": str(tmp_path / "instance"),
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        "GATEWAY_AUDIT_KEY_FILE": str(key_file),
    }
    result = CliRunner().invoke(cli, ["init"], env=env)
    assert result.exit_code == 0, result.output
    assert f"Clé du journal d'audit créée : {key_file}" in result.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text().strip() not in result.output
