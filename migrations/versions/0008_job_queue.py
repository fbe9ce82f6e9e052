"""job queue: procrastinate's schema on PostgreSQL; the inputs of a queued extract

On PostgreSQL, background extracts are jobs of procrastinate's queue (gateway/pipeline/
queue.py), run by `python -m gateway worker`. Its tables, types and functions are the ones
procrastinate ships for its pinned version (`procrastinate.schema.SchemaManager.get_schema`),
created in their own schema, `job_queue`, so they stay apart from the gateway's tables: the
queue's connections put it first on their search path. SQLite keeps the embedded runner and
gets no queue. On both, an extract records what its job needs to run again from its row alone
(`extract.job`: body, idempotency key, order, day, the caller's key prefix and name).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA = "job_queue"  # gateway.pipeline.queue.SCHEMA, frozen here as this revision applied it


def upgrade() -> None:
    with op.batch_alter_table("extract") as batch:
        batch.add_column(sa.Column("job", sa.JSON(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    previous = bind.exec_driver_sql("SHOW search_path").scalar_one()
    bind.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    bind.exec_driver_sql(f"SET LOCAL search_path TO {SCHEMA}")
    # The raw driver cursor: procrastinate's SQL holds '%' and ':' that a bound statement reads
    # as parameters.
    cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(SchemaManager.get_schema())
    cursor.close()
    # Later revisions of the same run create the gateway's tables where they always were.
    bind.execute(sa.text("SELECT set_config('search_path', :path, true)"), {"path": previous})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    with op.batch_alter_table("extract") as batch:
        batch.drop_column("job")
