"""Extracts, custom zones and the release ledger (what was released, to whom, cell by cell)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, utcnow


class TerritoryDefinition(Base):
    """A set of communes, stored once and shared by every cell released on exactly that set."""

    __tablename__ = "territory_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the sorted codes
    size: Mapped[int]
    communes: Mapped[str] = mapped_column(Text)  # sorted codes joined by ","


class DefinitionMember(Base):
    """Commune -> definitions containing it: how the linked part of the ledger is found."""

    __tablename__ = "definition_member"

    definition_id: Mapped[int] = mapped_column(
        ForeignKey("territory_definition.id", ondelete="CASCADE"), primary_key=True
    )
    commune: Mapped[str] = mapped_column(String(5), primary_key=True, index=True)


class Zone(Base):
    """A requester's custom zone (zone personnalisée): a named set of communes."""

    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("requester_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    definition_id: Mapped[int] = mapped_column(ForeignKey("territory_definition.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


#: An extract's status, as stored and served: waiting, running, delivered (or, for the socle,
#: published), failed.
PENDING, RUNNING, DELIVERED, FAILED = "en_attente", "en_cours", "livre", "echec"
EXTRACT_STATUSES = (PENDING, RUNNING, DELIVERED, FAILED)
IN_FLIGHT = (PENDING, RUNNING)


class Extract(Base):
    """One extract request and its outcome; large ones run in the background."""

    __tablename__ = "extract"
    __table_args__ = (Index("ix_extract_requester_fingerprint", "requester_id", "fingerprint"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("requester.id"))  # None: socle
    fingerprint: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))  # one of EXTRACT_STATUSES
    progress: Mapped[int] = mapped_column(default=0)
    convention_ref: Mapped[str | None] = mapped_column(String(64))
    store_version: Mapped[str | None] = mapped_column(String(64))
    cells_delivered: Mapped[int] = mapped_column(default=0)
    cells_suppressed: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any] | None]  # the delivered cells and metadata (JSON)
    error: Mapped[dict[str, Any] | None]  # the problem document of a failed background job
    # A background extract's inputs, to run it again from its row alone (a queued job carries
    # only the extract's id): body, idempotency key, order, day, the caller's prefix and name.
    job: Mapped[dict[str, Any] | None]
    invoice_number: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]


class ReleasedCell(Base):
    """One released cell of the ledger: indicator x period x category x set of communes.

    `audience` is the requester it was released to, or None when public (socle commun):
    public cells count as known to everybody in every later protection.
    """

    __tablename__ = "released_cell"
    __table_args__ = (
        Index("ix_released_cell_lookup", "indicator", "period", "definition_id"),
        Index("ix_released_cell_audience", "audience", "indicator", "period"),
        # Was this commune set released to these audiences? (the differencing rule)
        Index("ix_released_cell_definition", "definition_id", "audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    extract_id: Mapped[str] = mapped_column(ForeignKey("extract.id", ondelete="CASCADE"))
    audience: Mapped[int | None] = mapped_column(ForeignKey("requester.id"))
    indicator: Mapped[str] = mapped_column(String(64))
    period: Mapped[int]
    category: Mapped[str] = mapped_column(String(64))  # "Total" for all categories
    definition_id: Mapped[int] = mapped_column(ForeignKey("territory_definition.id"))
    published: Mapped[bool]
    value: Mapped[float | None]  # None when suppressed
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
