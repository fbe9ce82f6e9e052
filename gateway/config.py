"""Configuration: defaults, then `GATEWAY_*` environment variables, then the test overrides."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from policies.audit_keys import MIN_KEY_LENGTH, AuditKeys

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
    # GATEWAY_STORE_PUBLISHED: the folder (local or a mounted share) where `import` and
    # `publish-store` publish store versions and `sync-store` copies them from; unset: none.
    store_published: Path | None = None
    store_keep: int = 3  # GATEWAY_STORE_KEEP: versions `sync-store` keeps in the local store
    # GATEWAY_STORE_SYNC_GRACE: seconds a node may serve another version than the expected one
    # after its publication (a rolling sync), before /health answers 503
    store_sync_grace: int = 300
    # GATEWAY_FILES_DIR: rendered files of background extracts (default: <instance>/fichiers;
    # on several machines, a folder every node mounts)
    files_dir: Path | None = None
    log_level: str = "INFO"  # GATEWAY_LOG_LEVEL
    # GATEWAY_RATELIMIT_STORAGE_URI: where the limits count, shared by the workers (default: a
    # SQLite file under the instance dir; redis://host:6379 to share them between hosts).
    ratelimit_storage_uri: str = ""
    auth_failures_per_minute: int = 20  # GATEWAY_AUTH_FAILURES_PER_MINUTE, per source address
    rate_limit: str = "120/minute"  # GATEWAY_RATE_LIMIT: requests per API key (limits notation)
    # GATEWAY_ANONYMOUS_RATE_LIMIT: API calls without a key, per source address
    anonymous_rate_limit: str = "60/minute"
    # GATEWAY_TRUSTED_PROXIES: reverse proxies in front whose X-Forwarded-For is believed
    trusted_proxies: int = 0
    zone_min_population: int = 1000  # GATEWAY_ZONE_MIN_POPULATION: smallest custom zone
    ledger_lock_timeout: float = 30.0  # GATEWAY_LEDGER_LOCK_TIMEOUT: seconds, then 503
    # GATEWAY_AUDIT_KEY, or the file GATEWAY_AUDIT_KEY_FILE (mode 0600): the key of the audit
    # chain's HMAC, kept outside the database (mandatory in production; development and test
    # derive <instance>/audit-key). GATEWAY_AUDIT_FORMER_KEYS: former keys after a rotation,
    # newest first, comma-separated, kept only to verify what they signed.
    audit_key: str = field(default="", repr=False)
    audit_key_file: Path | None = None
    audit_former_keys: str = field(default="", repr=False)
    audit_head_export: Path | None = None  # GATEWAY_AUDIT_HEAD_EXPORT: folder of head exports
    # GATEWAY_JOB_RUNNER: who runs background extracts, `queue` (durable, PostgreSQL: the
    # procrastinate queue, `python -m gateway worker`) or `embedded` (a thread of the web
    # worker, single machine); default: `queue` on PostgreSQL, `embedded` on SQLite.
    job_runner: str = ""
    # GATEWAY_SMTP_HOST: the mail server of every message (invitations, reset links,
    # subscription deliveries); unset, the log is the outbox. GATEWAY_SMTP_PORT (default 587,
    # 465 with `tls`, 25 with `none`), GATEWAY_SMTP_SECURITY (`starttls`, `tls` or `none`),
    # GATEWAY_SMTP_USER, GATEWAY_SMTP_PASSWORD or the file GATEWAY_SMTP_PASSWORD_FILE (mode
    # 0600), GATEWAY_SMTP_SENDER (the From address, mandatory with a host), GATEWAY_SMTP_TIMEOUT.
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_password_file: Path | None = None
    smtp_sender: str = ""
    smtp_timeout: float = 10.0  # seconds, per connection step
    # GATEWAY_PUBLIC_URL: the portal's address as people reach it, for the links of messages
    # sent outside a request (subscription deliveries); mandatory in production with SMTP.
    public_url: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def cell_store_dir(self) -> Path:
        return self.store_dir or self.instance_dir / "cells"

    @property
    def extract_files_dir(self) -> Path:
        return self.files_dir or self.instance_dir / "fichiers"

    @property
    def is_development(self) -> bool:
        return self.env in ("development", "test")

    @property
    def audit_keys(self) -> AuditKeys:
        """The audit chain's key ring: the key that signs, then the former ones."""
        return AuditKeys.from_text(self.audit_key, self.audit_former_keys.split(","))


_PATH_FIELDS = {
    "data_dir",
    "instance_dir",
    "store_dir",
    "store_published",
    "files_dir",
    "audit_key_file",
    "audit_head_export",
    "smtp_password_file",
}
_ENV_FIELDS = {
    "GATEWAY_ENV": ("env", str),
    "GATEWAY_DATABASE_URL": ("database_url", str),
    "GATEWAY_SECRET_KEY": ("secret_key", str),
    "GATEWAY_DATA_DIR": ("data_dir", Path),
    "GATEWAY_INSTANCE_DIR": ("instance_dir", Path),
    "GATEWAY_STORE_DIR": ("store_dir", Path),
    "GATEWAY_STORE_PUBLISHED": ("store_published", Path),
    "GATEWAY_STORE_KEEP": ("store_keep", int),
    "GATEWAY_STORE_SYNC_GRACE": ("store_sync_grace", int),
    "GATEWAY_FILES_DIR": ("files_dir", Path),
    "GATEWAY_LOG_LEVEL": ("log_level", str),
    "GATEWAY_RATELIMIT_STORAGE_URI": ("ratelimit_storage_uri", str),
    "GATEWAY_AUTH_FAILURES_PER_MINUTE": ("auth_failures_per_minute", int),
    "GATEWAY_RATE_LIMIT": ("rate_limit", str),
    "GATEWAY_ANONYMOUS_RATE_LIMIT": ("anonymous_rate_limit", str),
    "GATEWAY_TRUSTED_PROXIES": ("trusted_proxies", int),
    "GATEWAY_ZONE_MIN_POPULATION": ("zone_min_population", int),
    "GATEWAY_LEDGER_LOCK_TIMEOUT": ("ledger_lock_timeout", float),
    "GATEWAY_AUDIT_KEY": ("audit_key", str),
    "GATEWAY_AUDIT_KEY_FILE": ("audit_key_file", Path),
    "GATEWAY_AUDIT_FORMER_KEYS": ("audit_former_keys", str),
    "GATEWAY_AUDIT_HEAD_EXPORT": ("audit_head_export", Path),
    "GATEWAY_JOB_RUNNER": ("job_runner", str),
    "GATEWAY_SMTP_HOST": ("smtp_host", str),
    "GATEWAY_SMTP_PORT": ("smtp_port", int),
    "GATEWAY_SMTP_SECURITY": ("smtp_security", str),
    "GATEWAY_SMTP_USER": ("smtp_user", str),
    "GATEWAY_SMTP_PASSWORD": ("smtp_password", str),
    "GATEWAY_SMTP_PASSWORD_FILE": ("smtp_password_file", Path),
    "GATEWAY_SMTP_SENDER": ("smtp_sender", str),
    "GATEWAY_SMTP_TIMEOUT": ("smtp_timeout", float),
    "GATEWAY_PUBLIC_URL": ("public_url", str),
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
    if settings.trusted_proxies < 0:
        raise ConfigurationError("GATEWAY_TRUSTED_PROXIES doit être un entier positif ou nul")
    if settings.store_keep < 2 or settings.store_sync_grace < 0:
        raise ConfigurationError(
            "GATEWAY_STORE_KEEP doit valoir au moins 2 et GATEWAY_STORE_SYNC_GRACE être positif"
        )
    if not settings.database_url:
        url = f"sqlite:///{settings.instance_dir / 'gateway.sqlite3'}"
        settings = replace(settings, database_url=url)
    settings = _job_runner(settings)
    if not settings.ratelimit_storage_uri:
        uri = f"sqlite:///{settings.instance_dir / 'limites.sqlite3'}"
        settings = replace(settings, ratelimit_storage_uri=uri)
    if settings.secret_key.strip().lower() in _PLACEHOLDER_SECRETS:
        if not settings.is_development:
            raise ConfigurationError(
                "GATEWAY_SECRET_KEY manquante ou factice : refus de démarrer en production"
            )
        settings = replace(settings, secret_key=_development_secret(settings.instance_dir))
    return _smtp(_audit_key(settings))


JOB_RUNNERS = ("embedded", "queue")


def _job_runner(settings: Settings) -> Settings:
    """Choose who runs background extracts: the queue on PostgreSQL, else the embedded runner."""
    postgres = settings.database_url.startswith("postgresql")
    runner = settings.job_runner or ("queue" if postgres else "embedded")
    if runner not in JOB_RUNNERS:
        raise ConfigurationError(f"GATEWAY_JOB_RUNNER doit valoir {' ou '.join(JOB_RUNNERS)}")
    if runner == "queue" and not postgres:
        raise ConfigurationError("GATEWAY_JOB_RUNNER=queue demande une base PostgreSQL")
    return replace(settings, job_runner=runner)


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


def _audit_key(settings: Settings) -> Settings:
    """Find the audit chain's key: the variable, else its file; refuse a missing or weak one."""
    key, path = settings.audit_key.strip(), settings.audit_key_file
    if not key and path is None and settings.is_development:
        path = settings.instance_dir / "audit-key"
        if not path.exists():
            write_key_file(path)
    if not key and path is not None:
        key = read_key_file(path)
    if key.lower() in _PLACEHOLDER_SECRETS or len(key) < MIN_KEY_LENGTH:
        raise ConfigurationError(
            "GATEWAY_AUDIT_KEY (ou GATEWAY_AUDIT_KEY_FILE) manquante ou trop courte "
            f"({MIN_KEY_LENGTH} caractères au moins) : refus de démarrer"
        )
    return replace(settings, audit_key=key)


def read_key_file(path: Path, what: str = "de clé du journal d'audit") -> str:
    """Read a key file; refuse one that is missing or that others than its owner may read."""
    if not path.is_file():
        raise ConfigurationError(f"fichier {what} introuvable : {path}")
    if path.stat().st_mode & 0o077:
        raise ConfigurationError(f"fichier {what} lisible par d'autres : {path}")
    return path.read_text(encoding="utf-8").strip()


def write_key_file(path: Path) -> bool:
    """Create a new random key file, mode 0600, unless one exists; say whether it was created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    return True


SMTP_SECURITIES = {"starttls": 587, "tls": 465, "none": 25}  # each with its usual port


def _smtp(settings: Settings) -> Settings:
    """Check the mail server's settings and read its password file; no host, no transport."""
    security, host = settings.smtp_security, settings.smtp_host.strip()
    if security not in SMTP_SECURITIES:
        raise ConfigurationError("GATEWAY_SMTP_SECURITY doit valoir starttls, tls ou none")
    settings = replace(settings, public_url=_public_url(settings))
    if not host:
        return settings
    if "@" not in parseaddr(settings.smtp_sender)[1]:
        raise ConfigurationError("GATEWAY_SMTP_SENDER (adresse d'expédition) manquante ou invalide")
    password = settings.smtp_password
    if not password and settings.smtp_password_file is not None:
        password = read_key_file(settings.smtp_password_file, "du mot de passe SMTP")
    if bool(settings.smtp_user) != bool(password):
        raise ConfigurationError(
            "GATEWAY_SMTP_USER et GATEWAY_SMTP_PASSWORD (ou _FILE) vont ensemble"
        )
    if password and security == "none" and not settings.is_development:
        raise ConfigurationError(
            "GATEWAY_SMTP_SECURITY=none enverrait le mot de passe SMTP en clair : refusé"
        )
    if not settings.public_url and not settings.is_development:
        raise ConfigurationError(
            "GATEWAY_PUBLIC_URL manquante : les courriels n'auraient pas de lien"
        )
    port = settings.smtp_port or SMTP_SECURITIES[security]
    return replace(settings, smtp_host=host, smtp_port=port, smtp_password=password)


def _public_url(settings: Settings) -> str:
    """The portal's address without its final slash; development defaults to `make serve`'s."""
    url = settings.public_url.strip().rstrip("/")
    if not url:
        return "http://127.0.0.1:8000" if settings.is_development else ""
    scheme = urlsplit(url).scheme
    if scheme != "https" and not (scheme == "http" and settings.is_development):
        raise ConfigurationError("GATEWAY_PUBLIC_URL doit commencer par https://")
    return url
