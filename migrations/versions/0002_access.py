"""access: policy matrix, convention clauses, conventions and documents, audit log, admin changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:30:56.791830
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "admin_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("caf_code", sa.String(length=8), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_change")),
    )
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_change_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_change_caf_code"), ["caf_code"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("caf_code", sa.String(length=8), nullable=True),
        sa.Column("key_prefix", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("convention_ref", sa.String(length=60), nullable=True),
        sa.Column("cells_delivered", sa.Integer(), nullable=False),
        sa.Column("cells_suppressed", sa.Integer(), nullable=False),
        sa.Column("price", sa.String(length=24), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_caf_code"), ["caf_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_convention_ref"), ["convention_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_requester_id"), ["requester_id"], unique=False
        )

    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The one row every append locks (gateway.services.audit.queries), created with the table.
    op.bulk_insert(audit_head, [{"id": 1, "length": 0, "last_hash": GENESIS_HASH}])

    op.create_table(
        "convention_clause",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_convention_clause")),
    )
    op.create_table(
        "policy_matrix",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_policy_matrix")),
    )
    op.create_table(
        "convention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("caf_code", sa.String(length=8), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("finalite", sa.Text(), nullable=False),
        sa.Column("uses", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("extracts_per_month", sa.Integer(), nullable=True),
        sa.Column("cells_per_month", sa.Integer(), nullable=True),
        sa.Column("pricing", sa.String(length=32), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("signatories", sa.JSON(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("rediffusion_to", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["caf_code"], ["caf.code"], name=op.f("fk_convention_caf_code_caf")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["convention.id"], name=op.f("fk_convention_previous_id_convention")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["requester.id"], name=op.f("fk_convention_requester_id_requester")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convention")),
        sa.UniqueConstraint("reference", "version", name=op.f("uq_convention_reference")),
    )
    with op.batch_alter_table("convention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_convention_caf_code"), ["caf_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_convention_reference"), ["reference"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_convention_requester_id"), ["requester_id"], unique=False
        )

    op.create_table(
        "convention_document",
        sa.Column("convention_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["convention.id"],
            name=op.f("fk_convention_document_convention_id_convention"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("convention_id", name=op.f("pk_convention_document")),
    )


def downgrade() -> None:
    op.drop_table("convention_document")
    with op.batch_alter_table("convention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convention_requester_id"))
        batch_op.drop_index(batch_op.f("ix_convention_reference"))
        batch_op.drop_index(batch_op.f("ix_convention_caf_code"))
    op.drop_table("convention")
    op.drop_table("policy_matrix")
    op.drop_table("convention_clause")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_requester_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_convention_ref"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_caf_code"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
    op.drop_table("audit_entry")
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_change_caf_code"))
        batch_op.drop_index(batch_op.f("ix_admin_change_at"))
    op.drop_table("admin_change")
