"""The indicator catalogue as stored: seeded from data/catalogue.yaml, tiers and rules editable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, utcnow


class IndicatorRecord(Base):
    """One indicator's definition, as the catalogue file declares it (validated on every read)."""

    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int]  # order of the catalogue file, kept in every listing
    definition: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BreakdownRecord(Base):
    """One breakdown (ventilation) and its categories."""

    __tablename__ = "breakdown"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int]
    definition: Mapped[dict[str, Any]]
