"""Configuration: defaults, then `GATEWAY_*` environment variables, then the test overrides."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")
_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev"}


class ConfigurationError(RuntimeError):
    """The gateway cannot start with this configuration."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the gateway, with its environment variable in the comment."""

    env: str = "production"  # GATEWAY_ENV
    database_url: str = ""  # GATEWAY_DATABASE_URL (default: SQLite file under the instance dir)
    secret_key: str = ""  # GATEWAY_SECRET_KEY (mandatory in production)
    data_dir: Path = REPO_ROOT / "data"  # GATEWAY_DATA_DIR: shipped reference files
    instance_dir: Path = REPO_ROOT / "instance"  # GATEWAY_INSTANCE_DIR: database, store, keys
    store_dir: Path | None = None  # GATEWAY_STORE_DIR (default: <instance>/cells)
    log_level: str = "INFO"  # GATEWAY_LOG_LEVEL
    # GATEWAY_RATELIMIT_STORAGE_URI: where the limits count, shared by the workers (default: a
    # SQLite file under the instance dir; redis://host:6379 to share them between hosts).
    ratelimit_storage_uri: str = ""
    auth_failures_per_minute: int = 20  # GATEWAY_AUTH_FAILURES_PER_MINUTE, per source address
    rate_limit: str = "120/minute"  # GATEWAY_RATE_LIMIT: requests per API key (limits notation)
    zone_min_population: int = 1000  # GATEWAY_ZONE_MIN_POPULATION: smallest custom zone
    ledger_lock_timeout: float = 30.0  # GATEWAY_LEDGER_LOCK_TIMEOUT: seconds, then 503
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def cell_store_dir(self) -> Path:
        return self.store_dir or self.instance_dir / "cells"

    @property
    def is_development(self) -> bool:
        return self.env in ("development", "test")


_PATH_FIELDS = {"data_dir", "instance_dir", "store_dir"}
_ENV_FIELDS = {
    "GATEWAY_ENV": ("env", str),
    "GATEWAY_DATABASE_URL": ("database_url", str),
    "GATEWAY_SECRET_KEY": ("secret_key", str),
    "GATEWAY_DATA_DIR": ("data_dir", Path),
    "GATEWAY_INSTANCE_DIR": ("instance_dir", Path),
    "GATEWAY_STORE_DIR": ("store_dir", Path),
    "GATEWAY_LOG_LEVEL": ("log_level", str),
    "GATEWAY_RATELIMIT_STORAGE_URI": ("ratelimit_storage_uri", str),
    "GATEWAY_AUTH_FAILURES_PER_MINUTE": ("auth_failures_per_minute", int),
    "GATEWAY_RATE_LIMIT": ("rate_limit", str),
    "GATEWAY_ZONE_MIN_POPULATION": ("zone_min_population", int),
    "GATEWAY_LEDGER_LOCK_TIMEOUT": ("ledger_lock_timeout", float),
}


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings from defaults, the environment and explicit overrides, then check them."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for variable, (name, convert) in _ENV_FIELDS.items():
        if environ.get(variable):
            values[name] = convert(environ[variable])
    for name, value in (overrides or {}).items():
        values[name] = Path(value) if name in _PATH_FIELDS and value is not None else value
    settings = replace(Settings(), **values)
    return _complete(settings)


def _complete(settings: Settings) -> Settings:
    """Validate the environment and fill what development may derive by itself."""
    if settings.env not in ENVIRONMENTS:
        raise ConfigurationError(f"GATEWAY_ENV doit valoir {', '.join(ENVIRONMENTS)}")
    if not settings.database_url:
        url = f"sqlite:///{settings.instance_dir / 'gateway.sqlite3'}"
        settings = replace(settings, database_url=url)
    if not settings.ratelimit_storage_uri:
        uri = f"sqlite:///{settings.instance_dir / 'limites.sqlite3'}"
        settings = replace(settings, ratelimit_storage_uri=uri)
    if settings.secret_key.strip().lower() in _PLACEHOLDER_SECRETS:
        if not settings.is_development:
            raise ConfigurationError(
                "GATEWAY_SECRET_KEY manquante ou factice : refus de démarrer en production"
            )
        settings = replace(settings, secret_key=_development_secret(settings.instance_dir))
    return settings


def _development_secret(instance_dir: Path) -> str:
    """Return a per-instance random key, kept out of the repository, shared by all workers."""
    path = instance_dir / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
