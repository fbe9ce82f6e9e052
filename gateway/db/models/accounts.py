"""People of requester organisations, their single-use links, and access requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base, utcnow


class Person(Base):
    """A person's account on the portal: one requester organisation, one role, one status."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("requester.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised (lower case)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # gateway.services.accounts.values.Role
    status: Mapped[str] = mapped_column(String(16))  # ...values.PersonStatus
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id; None: invited
    # Consecutive failed sign-ins, and the end of the lockout they caused.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Raised on sign-out, password change and disabling: every older session cookie dies.
    session_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None]  # requester id of the inviting administrator (None: system)
    last_sign_in_at: Mapped[datetime | None]


class AccountToken(Base):
    """A single-use link (invitation, password reset): only the SHA-256 of its token is kept."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # ...values.TokenPurpose
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AccessRequestRecord(Base):
    """An organisation asking for an account (DataPass-style), until an administrator decides."""

    __tablename__ = "access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    caf_code: Mapped[str] = mapped_column(ForeignKey("caf.code"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # ...values.AccessRequestStatus
    organisation: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14))  # a SIREN (9 digits) or a SIRET (14)
    requester_type: Mapped[str] = mapped_column(String(40))  # policies.domain.RequesterType
    territory_level: Mapped[str | None] = mapped_column(String(16))
    territory_code: Mapped[str | None] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None]  # requester id of the deciding administrator
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("requester.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
