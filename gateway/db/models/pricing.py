"""Tariffs as stored: schedule versions, quotes, orders, invoices, counters, idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, utcnow

MONEY = Numeric(12, 2)


class QuoteStatus(StrEnum):
    """Lifecycle of a quote (public API values)."""

    PROPOSED = "propose"
    ACCEPTED = "accepte"
    EXPIRED = "expire"


class OrderStatus(StrEnum):
    """Lifecycle of an order: accepted, then delivered (and invoiced unless at 0 €)."""

    ORDERED = "commandee"
    DELIVERED = "livree"


class TariffScheduleVersion(Base):
    """One version of a Caf's tariff ("*": the default), as its published mapping."""

    __tablename__ = "tariff_schedule"
    __table_args__ = (
        UniqueConstraint("caf_code", "version"),
        UniqueConstraint("caf_code", "effective_from", name="uq_tariff_schedule_caf_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caf_code: Mapped[str] = mapped_column(String(8))  # not a foreign key: "*" is no Caf
    version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]  # last day in force (inclusive); None while open
    document: Mapped[dict[str, Any]]  # tariffs.schedule_to_mapping
    created_by: Mapped[int | None] = mapped_column(ForeignKey("requester.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuoteRecord(Base):
    """A priced request, as proposed to a requester; the Quote value is `document`."""

    __tablename__ = "quote"
    __table_args__ = (Index("ix_quote_requester_fingerprint", "requester_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id"), index=True)
    caf_code: Mapped[str] = mapped_column(ForeignKey("caf.code"), index=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("tariff_schedule.id"))
    status: Mapped[str] = mapped_column(String(16), default=QuoteStatus.PROPOSED.value)
    fingerprint: Mapped[str] = mapped_column(String(64))
    description: Mapped[dict[str, Any]]  # the request as the requester described it
    pricing_request: Mapped[dict[str, Any]]  # what the tariff counted (for previews)
    document: Mapped[dict[str, Any]]  # tariffs.quote_to_mapping
    convention_ref: Mapped[str | None] = mapped_column(String(80))
    made_on: Mapped[date]
    valid_until: Mapped[date]
    total: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(Base):
    """An accepted quote: one order per quote, delivered once."""

    __tablename__ = "purchase_order"  # "order" is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id"), unique=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id"), index=True)
    caf_code: Mapped[str] = mapped_column(ForeignKey("caf.code"))
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.ORDERED.value)
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class InvoiceRecord(Base):
    """An issued invoice: numbered per Caf and year without gaps; one per order."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("caf_code", "year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    caf_code: Mapped[str] = mapped_column(ForeignKey("caf.code"))
    year: Mapped[int]
    sequence: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), unique=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id"), index=True)
    requester_type: Mapped[str] = mapped_column(String(40))  # at issue, for revenue reports
    use: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date]
    net: Mapped[Decimal] = mapped_column(MONEY)
    vat: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    document: Mapped[dict[str, Any]]  # tariffs.invoice_to_mapping; the PDF is rendered on demand
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceCounter(Base):
    """The next invoice sequence of a Caf and year; its row lock serializes numbering."""

    __tablename__ = "invoice_counter"

    caf_code: Mapped[str] = mapped_column(ForeignKey("caf.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    next_value: Mapped[int] = mapped_column(default=1)


class IdempotencyKey(Base):
    """A replayable response: the same key, requester and endpoint answer the same."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("requester_id", "endpoint", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
