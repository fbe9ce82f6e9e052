"""What the job queue needs of the database layer: its address for libpq, its passing failures."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

#: Failures that pass: the connection lost, the server restarting, a lock not available.
PASSING_FAILURES: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def libpq_address(database_url: str) -> str:
    """Return the libpq address (`postgresql://...`) of a SQLAlchemy PostgreSQL URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)
