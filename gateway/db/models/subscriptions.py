"""Subscriptions (abonnements): a request delivered again at each data vintage or period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db.base import Base, utcnow


class Subscription(Base):
    """A requester's standing request: its body (as `POST /extracts` takes it), its cadence,
    its status and where its deliveries are announced."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("requester.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    request: Mapped[dict[str, Any]]  # the extract request, format included
    cadence: Mapped[str] = mapped_column(String(16))  # services.subscriptions.values.Cadence
    status: Mapped[str] = mapped_column(String(16))  # services.subscriptions.values.Status
    # The requester accepted, at subscription, that each delivery be priced and invoiced by
    # its convention's tariff (a paid delivery is otherwise a quote nobody would accept).
    price_accepted: Mapped[bool] = mapped_column(default=False)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    # Kept as is: signing needs the secret itself (HMAC); shown to the requester only once.
    webhook_secret: Mapped[str | None] = mapped_column(String(64))
    key_prefix: Mapped[str | None] = mapped_column(String(16))  # the key that subscribed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paused_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class SubscriptionDelivery(Base):
    """One due delivery of a subscription: claimed once per due period (the unique pair is
    what makes concurrent runners and retried jobs deliver it exactly once)."""

    __tablename__ = "subscription_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    due: Mapped[str] = mapped_column(String(80))  # "2026-12", "2026-T4", "2026", "v:<version>"
    status: Mapped[str] = mapped_column(String(16))  # services.subscriptions.values.DeliveryStatus
    extract_id: Mapped[str | None] = mapped_column(ForeignKey("extract.id"))
    store_version: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[dict[str, Any] | None]  # a refusal's or failure's problem: code, detail...
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    # announcements tried (runner.NOTIFY_ATTEMPTS at most; each claimed by compare and set)
    notify_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    subscription: Mapped[Subscription] = relationship(lazy="joined")
