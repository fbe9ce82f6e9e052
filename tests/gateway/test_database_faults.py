"""A SQLite connection that went read-only is dropped, not kept: the next request reopens.

Made unwritable, a SQLite file is opened read-only without a word (SQLite falls back), and
such a connection stays read-only once the file is writable again: pooled, it answered 503
long after the fault. `PRAGMA query_only` stands in for it here (as root, a file's mode
stops nothing).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from gateway.db import Database


def test_a_connection_gone_read_only_is_replaced(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA query_only = ON")  # back to the pool read-only
    with pytest.raises(OperationalError, match="readonly"), database.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = version_num"))
    with database.transaction() as session:  # a new connection: writable
        session.execute(text("UPDATE alembic_version SET version_num = version_num"))
    database.dispose()


def test_the_app_never_creates_a_missing_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'absente.sqlite3'}"
    database = Database(url)
    with pytest.raises(OperationalError, match="fichier de base de données absent"):
        database.engine.connect().close()
    assert not Path(make_url(url).database or "").exists()
    database.dispose()
