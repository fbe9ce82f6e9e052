"""The indicator catalogue in the database: seeded from the YAML file, validated on every read."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gateway.catalogue import load_catalogue
from gateway.db.models import BreakdownRecord, IndicatorRecord
from policies.catalogue import Catalogue, Indicator
from policies.catalogue_parsing import catalogue_to_data, parse_catalogue

_cache: dict[str, tuple[tuple[Any, ...], Catalogue]] = {}


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


def current_catalogue(session: Session) -> Catalogue:
    """Return the stored catalogue, rebuilt only when a record changed."""
    stamp = tuple(
        session.execute(
            select(func.count(IndicatorRecord.code), func.max(IndicatorRecord.updated_at))
        ).one()
    )
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    breakdowns = session.scalars(select(BreakdownRecord).order_by(BreakdownRecord.position))
    indicators = session.scalars(select(IndicatorRecord).order_by(IndicatorRecord.position))
    catalogue = parse_catalogue(
        {
            "breakdowns": [b.definition for b in breakdowns],
            "indicators": [i.definition for i in indicators],
        }
    )
    _cache[key] = (stamp, catalogue)
    return catalogue


def describe(indicator: Indicator, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Return the indicator as the API shows it, breakdowns expanded when the catalogue is given."""
    data = asdict(indicator)
    data["secret"] = data.pop("secrecy")
    data["breakdowns"] = [
        asdict(catalogue.breakdown(code)) if catalogue else {"code": code}
        for code in indicator.breakdowns
    ]
    return data
