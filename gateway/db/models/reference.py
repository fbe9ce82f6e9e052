"""Reference geography: territories of every level and their parent links (non-nested allowed)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.base import Base


class Territory(Base):
    """A commune, EPCI, département, région or France itself."""

    __tablename__ = "territory"
    __table_args__ = (
        UniqueConstraint("level", "code"),
        Index("ix_territory_level_name_key", "level", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # lower case, no accents: for search
    population: Mapped[int | None]


class TerritoryLink(Base):
    """`child` lies inside `parent`; a commune has an EPCI and a département parent."""

    __tablename__ = "territory_link"

    child_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), primary_key=True
    )
    parent_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Caf(Base):
    """A Caisse d'allocations familiales; it covers one département."""

    __tablename__ = "caf"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    departement: Mapped[str] = mapped_column(String(3), unique=True)
