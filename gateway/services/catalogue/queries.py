"""The indicator catalogue in the database: seeded from the YAML file, parsed once per change."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gateway.cache import Versioned
from gateway.catalogue import load_catalogue
from gateway.db.models import BreakdownRecord, IndicatorRecord
from policies.catalogue import Catalogue
from policies.catalogue_parsing import catalogue_to_data, parse_catalogue


def catalogue_is_loaded(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(IndicatorRecord)) or 0) > 0


def seed_catalogue(session: Session, path: Path) -> int:
    """Replace the stored catalogue by the file's (validated first: all or nothing)."""
    return store_catalogue(session, load_catalogue(path))


def store_catalogue(session: Session, catalogue: Catalogue) -> int:
    """Write a validated catalogue, keeping the order of its indicators and breakdowns."""
    data = catalogue_to_data(catalogue)
    session.execute(delete(IndicatorRecord))
    session.execute(delete(BreakdownRecord))
    for position, raw in enumerate(data["breakdowns"]):
        session.add(BreakdownRecord(code=raw["code"], position=position, definition=raw))
    for position, raw in enumerate(data["indicators"]):
        session.add(IndicatorRecord(code=raw["code"], position=position, definition=raw))
    session.flush()
    return len(data["indicators"])


def current_catalogue(session: Session, cache: Versioned[Catalogue] | None = None) -> Catalogue:
    """Return the stored catalogue; with a cache, parsed again only when a record changed."""
    if cache is None:
        return _parsed(session)
    stamp = tuple(
        session.execute(
            select(func.count(IndicatorRecord.code), func.max(IndicatorRecord.updated_at))
        ).one()
    )
    return cache.get(stamp, lambda: _parsed(session))


def _parsed(session: Session) -> Catalogue:
    breakdowns = session.scalars(select(BreakdownRecord).order_by(BreakdownRecord.position))
    indicators = session.scalars(select(IndicatorRecord).order_by(IndicatorRecord.position))
    return parse_catalogue(
        {
            "breakdowns": [b.definition for b in breakdowns],
            "indicators": [i.definition for i in indicators],
        }
    )
