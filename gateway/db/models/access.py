"""Access control as stored: policy matrix versions, convention clauses, conventions, admin log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, utcnow


class PolicyMatrixVersion(Base):
    """One version of the policy matrix, as the YAML seed spells it; the latest one applies."""

    __tablename__ = "policy_matrix"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None]  # requester id of the administrator (None: seed)


class MandatoryClauseRecord(Base):
    """A chapter every convention must contain before activation (configurable list)."""

    __tablename__ = "convention_clause"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)


class ConventionRecord(Base):
    """One version of a convention; renewals add a row sharing the reference."""

    __tablename__ = "convention"
    __table_args__ = (UniqueConstraint("reference", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(default=1)
    caf_code: Mapped[str] = mapped_column(ForeignKey("caf.code"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # policies.conventions.ConventionStatus
    finalite: Mapped[str] = mapped_column(Text, default="")
    uses: Mapped[list[Any]]
    scope: Mapped[dict[str, Any]]  # see gateway.services.conventions.values
    start: Mapped[date | None]
    end: Mapped[date | None]
    extracts_per_month: Mapped[int | None]
    cells_per_month: Mapped[int | None]
    pricing: Mapped[str] = mapped_column(String(32))  # policies.domain.PricingMode
    clauses: Mapped[list[Any]]
    signatories: Mapped[list[Any]]
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    rediffusion_to: Mapped[list[Any]]
    notes: Mapped[str] = mapped_column(Text, default="")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("convention.id"))
    history: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConventionDocument(Base):
    """The signed document of a convention version (PDF), kept with its SHA-256.

    Stored in the database rather than under instance/: the document, its hash and the
    convention change commit together in one transaction, every worker sees it without a
    shared file system, and the database backup carries it (10 MB at most, a few per Caf).
    """

    __tablename__ = "convention_document"

    convention_id: Mapped[int] = mapped_column(
        ForeignKey("convention.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[int | None]


class AdminChange(Base):
    """One administrator's change: who, when, on what, the state before and after."""

    __tablename__ = "admin_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None]  # requester id of the administrator (None: command line)
    # The person who acted, signed in on the pages (None: an API key or the command line); no
    # foreign key: the log outlives what it names.
    person_id: Mapped[int | None]
    caf_code: Mapped[str | None] = mapped_column(String(8), index=True)  # Caf of the target
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
