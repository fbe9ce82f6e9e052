"""Is the database readable and writable? A probe that takes the write lock and rolls back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = logging.getLogger("gateway.sante")
LOCK_WAIT_MS = 1000


@dataclass(frozen=True)
class Component:
    """One component's state for /health: `state` is "ok" (or its kind), else what fails."""

    name: str
    ok: bool
    state: str
    details: tuple[tuple[str, str], ...] = ()  # shown beside the state (a version...)


def probe_database(engine: Engine) -> Component:
    """Read, then take the write lock and roll back: nothing is written."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            if connection.dialect.name == "sqlite":
                _probe_sqlite_write(connection)
            else:
                _probe_postgresql_write(connection)
    except _Busy:
        return Component("database", True, "occupée")
    except _ReadOnly as error:
        engine.dispose()  # every pooled session is read-only too: reconnect at the next use
        log.error("base de données en défaut : %s", error)
        return Component("database", False, str(error))
    except SQLAlchemyError as error:
        log.error("base de données en défaut : %s", _original(error))
        return Component("database", False, _reason(error))
    return Component("database", True, "ok")


def _probe_sqlite_write(connection: Connection) -> None:
    """Take SQLite's write lock (BEGIN IMMEDIATE fails on a read-only file), then release it.

    A writer holding the lock beyond a second is busy, not broken: the probe says so.
    """
    connection.commit()  # end the read above: BEGIN IMMEDIATE opens a transaction of its own
    usual = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.exec_driver_sql("ROLLBACK")
    except DBAPIError as error:
        if "locked" not in str(error.orig):
            raise
        raise _Busy() from None
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")


def _probe_postgresql_write(connection: Connection) -> None:
    """Refuse a read-only server or session, then check a write is allowed (rolled back)."""
    if connection.execute(text("SHOW transaction_read_only")).scalar_one() == "on":
        raise _ReadOnly("la base de données est en lecture seule")
    # Checked before execution, whatever the rows: a read-only transaction refuses it.
    connection.execute(text("UPDATE alembic_version SET version_num = version_num WHERE false"))
    connection.rollback()


class _ReadOnly(SQLAlchemyError):
    pass


class _Busy(SQLAlchemyError):
    pass


def _original(error: SQLAlchemyError) -> str:
    original = error.orig if isinstance(error, DBAPIError) else error
    return str(original).splitlines()[0] if str(original) else type(original).__name__


def _reason(error: SQLAlchemyError) -> str:
    """Return what fails, in French, without SQL or paths (the log has them)."""
    message = _original(error)
    if isinstance(error, _ReadOnly) or "readonly" in message or "read-only" in message:
        return "la base de données est en lecture seule"
    if message.startswith(("fichier", "dossier")):  # gateway.db.sqlite's faults
        return message.partition(" : ")[0]
    if "no such table" in message or "does not exist" in message:
        return "la base de données n'est pas initialisée (python -m gateway init)"
    return "la base de données ne répond pas"
