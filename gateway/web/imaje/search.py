"""Find a territory's code by its name or code, for the screens' forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from gateway.services.territories import queries as reference
from policies.errors import NotFound

SEARCH_LIMIT = 12


def territory_matches(session: Session, text: str, levels: Sequence[str]) -> list[Any]:
    """Return the territories of these levels named like `text`, a code typed as such first."""
    text = text.strip()[:100]
    if not text:
        return []
    found: dict[tuple[str, str], Any] = {}
    for level in levels:
        try:
            territory = reference.get_territory(session, level, text.upper()).territory
            found[(level, territory.code)] = territory
        except NotFound:
            pass
    for level in levels:
        named = reference.TerritoryFilter(level=level, q=text)
        for territory in reference.list_territories(session, named, 1, SEARCH_LIMIT).items:
            found.setdefault((level, territory.code), territory)
    return list(found.values())[:SEARCH_LIMIT]
