"""The audit log: an append-only hash chain of decisions and deliveries, and its head."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base


class AuditEntry(Base):
    """One decision or delivery; `hash` covers every other column and the previous hash."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    requester_id: Mapped[int | None] = mapped_column(index=True)  # no FK: the log outlives rows
    caf_code: Mapped[str | None] = mapped_column(String(8), index=True)  # requester's Caf then
    key_prefix: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    rules: Mapped[list[Any]]
    convention_ref: Mapped[str | None] = mapped_column(String(60), index=True)
    cells_delivered: Mapped[int]
    cells_suppressed: Mapped[int]
    price: Mapped[str | None] = mapped_column(String(24))  # exact decimal, as text
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row locked by every append: it serializes writers and remembers the head.

    Keeping the last hash here also detects the removal of the newest entries, which a
    chain alone cannot see.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    length: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
