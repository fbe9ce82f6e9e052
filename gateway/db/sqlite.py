"""SQLite files: opened without ever being created, and let go of as soon as they are unwritable.

Only `init` and the migrations create the database (alembic opens the plain URL); the app
opens the file read-write without creating it (`mode=rw`), so a worker started while the
file is away fails and says so instead of serving an empty database at that path.

In WAL mode every connection, readers included, writes to the memory-mapped `-shm` index:
once the files are unwritable, the next access to that mapping may kill the process with
SIGBUS (the kernel refuses the page write; SQLite never sees an error). `PRAGMA mmap_size`
does not govern that mapping, and `locking_mode=EXCLUSIVE`, which keeps the index in heap
memory, would serialise the workers. So the files are checked before each checkout of a
connection (a few `access` calls): an unwritable file drops every pooled connection and the
request gets a 503, never a crash. Closing a WAL connection writes to the mapping too, so a
connection dropped while the files are unwritable is parked, open and untouched, and closed
once they are writable again. A fault arriving in the middle of a request may still crash
its worker; gunicorn starts another, which checks the files before opening them.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import URL, Engine, event, make_url
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError

#: What SQLite says when its files went away or became unwritable under an open connection.
FILE_FAULTS = (
    "readonly database",
    "unable to open database file",
    "disk i/o error",
)


class SqliteFileFault(DisconnectionError):
    """A database file is missing or unwritable (a French message, for the log and /health)."""


def file_path(url: str | URL) -> Path | None:
    """Return the database file of a SQLite URL, or None (in memory, or another database)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None  # already a URI: the caller chose its own mode
    return Path(database)


def serving_url(url: str) -> str | URL:
    """Return the URL the app opens: a SQLite file read-write, never created."""
    path = file_path(url)
    if path is None:
        return url
    query = {**make_url(url).query, "mode": "rw", "uri": "true"}
    return make_url(url).set(database=f"file:{quote(str(path))}", query=query)


def file_fault(path: Path) -> str | None:
    """Say what keeps the database at `path` from being read and written, or None."""
    if not path.exists():
        return f"fichier de base de données absent : {path}"
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists() and not os.access(name, os.R_OK | os.W_OK):
            return f"fichier de base de données non modifiable : {name}"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"dossier de la base de données non modifiable : {path.parent}"
    return None


class _Parked:
    """Connections dropped while their files were unwritable: closed once they are writable."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    def park(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            self._connections.append(connection)

    def close_all(self) -> None:
        with self._lock:
            parked, self._connections = self._connections, []
        for connection in parked:
            sqlite3.Connection.close(connection)


def connection_class(path: Path) -> type[sqlite3.Connection]:
    """Return the DBAPI connection class of the database at `path` (`sqlite3.connect` factory)."""
    parked = _Parked()

    class GuardedConnection(sqlite3.Connection):
        def close(self) -> None:
            if file_fault(path) is not None:
                parked.park(self)  # closing would write to the unwritable -shm mapping
                return
            parked.close_all()
            super().close()

    GuardedConnection.parked = parked  # type: ignore[attr-defined]
    return GuardedConnection


def connect_args(path: Path | None) -> dict[str, Any]:
    """Return the `sqlite3.connect` arguments of the app's engine."""
    args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
    if path is not None:
        args["factory"] = connection_class(path)
    return args


def guard(engine: Engine, path: Path) -> None:
    """Check the files before each connection and checkout; drop the pool on a fault.

    A fault is logged once, when first met (not at start: `init` opens the app before its
    migrations create the file).
    """
    logged: list[str] = []

    @event.listens_for(engine, "checkout")
    def _files_usable(dbapi: Any, _record: object, _proxy: object) -> None:
        fault = file_fault(path)
        if fault is None:
            type(dbapi).parked.close_all()
        else:
            error = SqliteFileFault(fault)
            error.invalidate_pool = True  # every pooled connection maps the same -shm
            raise error

    @event.listens_for(engine, "do_connect")
    def _refuse_faulty(_dialect: object, _record: object, _args: object, _params: object) -> None:
        fault = file_fault(path)
        if fault is None:
            logged.clear()
            return
        if fault not in logged:
            logged[:] = [fault]
            logging.getLogger("gateway.db").error(
                "%s : le service répond 503 jusqu'à son retour (seul `python -m gateway init` "
                "crée la base)",
                fault,
            )
        raise sqlite3.OperationalError(fault)

    @event.listens_for(engine, "handle_error")
    def _drop_pool_on_file_fault(context: ExceptionContext) -> None:
        message = str(context.original_exception).lower()
        if any(fault in message for fault in FILE_FAULTS):
            context.is_disconnect = True  # a connection opened read-only stays so: reopen
