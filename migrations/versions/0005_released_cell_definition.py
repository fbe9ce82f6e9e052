"""release ledger: index by definition, for "was this set released to these audiences?"

The differencing rule (gateway/pipeline/differencing.py) asks, for each commune set sharing a
commune with a custom zone, whether any of the requester's audiences received it: one index
seek per set, on both backends and whatever the statistics, instead of a scan of every cell
the audiences received.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("released_cell", schema=None) as batch_op:
        batch_op.create_index(
            "ix_released_cell_definition", ["definition_id", "audience"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("released_cell", schema=None) as batch_op:
        batch_op.drop_index("ix_released_cell_definition")
