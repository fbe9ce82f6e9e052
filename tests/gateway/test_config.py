"""Configuration: environment variables, and no production start without a real secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigurationError, load_settings


@pytest.mark.parametrize(
    ("environ", "expected_error"),
    [
        ({"GATEWAY_ENV": "production"}, "GATEWAY_SECRET_KEY"),
        ({"GATEWAY_ENV": "production", "GATEWAY_SECRET_KEY": "change-me"}, "GATEWAY_SECRET_KEY"),
        ({"GATEWAY_ENV": "staging", "GATEWAY_SECRET_KEY": "x" * 40}, "GATEWAY_ENV"),
    ],
)
def test_refuses_to_start(environ: dict[str, str], expected_error: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=expected_error):
        load_settings({"instance_dir": tmp_path}, environ=environ)


def test_reads_prefixed_environment(tmp_path: Path) -> None:
    environ = {
        "GATEWAY_ENV": "production",
        "GATEWAY_SECRET_KEY": "k" * 48,
        "GATEWAY_AUDIT_KEY": "a" * 48,
        "GATEWAY_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "GATEWAY_LOG_LEVEL": "DEBUG",
        "GATEWAY_INSTANCE_DIR": str(tmp_path),
    }
    settings = load_settings(environ=environ)
    assert (settings.env, settings.secret_key, settings.log_level) == (
        "production",
        "k" * 48,
        "DEBUG",
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.cell_store_dir == tmp_path / "cells"


def test_development_derives_a_private_secret_once(tmp_path: Path) -> None:
    first = load_settings({"env": "development", "instance_dir": tmp_path}, environ={})
    second = load_settings({"env": "development", "instance_dir": tmp_path}, environ={})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 40
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
