"""change person: the person who made an administrator's change on the pages

An administration requester has several people; a change made on the console names the
person who made it, beside the requester they act as (gateway/services/audit/changes.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("admin_change") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("admin_change") as batch:
        batch.drop_column("person_id")
