"""Database access: one engine per app, sessions for a read or an explicit transaction.

The app's `Database` lives in its state (`gateway.state`), which also gives each request its
read session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from gateway.db import sqlite
from policies.audit_keys import AuditKeys

AUDIT_KEYS = "audit_keys"  # the sessions' `info` entry holding the audit chain's key ring


class Database:
    """The engine and session factory of one gateway instance.

    Its sessions carry the audit chain's key ring (`session.info["audit_keys"]`): whoever
    opens a transaction, the entries it appends are signed, and a database opened without
    the ring can read the chain but not write to it.
    """

    def __init__(self, url: str, audit_keys: AuditKeys | None = None) -> None:
        self.url = url
        self.engine = _make_engine(url)
        info = {} if audit_keys is None else {AUDIT_KEYS: audit_keys}
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._lock_engine: Engine | None = None

    @property
    def lock_engine(self) -> Engine:
        """A second pool for the connections that only hold locks (PostgreSQL advisory locks).

        Not the sessions' pool: a delivery waiting for a lock must not hold a connection the
        holder of that lock needs for its own reads and commit. Pooled all the same: a new
        PostgreSQL connection per delivery (a backend process forked, then authenticated) cost
        more than a short extract and held concurrent deliveries back (throughput, 8 clients
        against 1: 1.47 with a connection per delivery, 1.63–2.01 pooled). A connection goes
        back to the pool after its transaction, so no transaction-level lock outlives it.
        """
        if self._lock_engine is None:
            self._lock_engine = create_engine(
                self.url, pool_size=4, max_overflow=32, pool_pre_ping=True
            )
        return self._lock_engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Run a block as one transaction: committed at the end, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self._lock_engine is not None:
            self._lock_engine.dispose()


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


#: JSON columns through orjson: an extract's stored result (a département's 15,000 cells,
#: 5 MB) took 80 ms to serialise with the standard library, a tenth of the whole request.
_JSON_CODEC: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def _make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets foreign keys, WAL and a busy timeout for several workers.

    A SQLite file is opened read-write, never created, and checked before each checkout
    (`gateway.db.sqlite`): only `init` and the migrations create the database.
    """
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, **_JSON_CODEC)
        event.listen(engine, "handle_error", _drop_pool_when_read_only)
        return engine
    path = sqlite.file_path(url)
    engine = create_engine(
        sqlite.serving_url(url), connect_args=sqlite.connect_args(path), **_JSON_CODEC
    )
    if path is not None:
        sqlite.guard(engine, path)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def _drop_pool_when_read_only(context: ExceptionContext) -> None:
    """A read-only session (a standby, a database set read-only) stays so: reconnect later."""
    if getattr(context.original_exception, "sqlstate", None) == _READ_ONLY_SQL_TRANSACTION:
        context.is_disconnect = True


_READ_ONLY_SQL_TRANSACTION = "25006"
