"""A national administrator editing an indicator's diffusion tier and secrecy rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import BreakdownRecord, IndicatorRecord
from gateway.pipeline.locks import STEP_TIMEOUT, serialise
from gateway.services.audit.changes import Recorded
from policies.access import Action
from policies.catalogue import Catalogue
from policies.catalogue_parsing import parse_catalogue
from policies.domain import Tier
from policies.errors import NotFound

#: What an edit may change, as the catalogue file writes it (the rest is the fiche's).
EDITABLE = ("tier", "restricted_to", "secrecy")


def _editable(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {key: definition.get(key) for key in EDITABLE}


INDICATOR = Recorded[IndicatorRecord](
    "indicator", lambda r: r.code, lambda r: _editable(r.definition)
)


def update_indicator(
    session: Session, actor_id: int | None, code: str, changes: Mapping[str, Any]
) -> Catalogue:
    """Change an indicator's tier, restriction or secrecy; return the catalogue it makes.

    `changes` holds `tier`, `restricted_to` and `secrecy` (only the parameters given change).
    The whole catalogue is validated again before anything is written (a ratio stays as
    restricted as its terms, related indicators keep one secrecy), and the change applies
    to the next request: the catalogue is parsed again whenever a record changes.
    """
    serialise(session, "catalogue", STEP_TIMEOUT)  # two edits at once: one after the other
    record = session.get(IndicatorRecord, code)
    if record is None:
        raise NotFound(f"Indicateur « {code} » inconnu du catalogue.")
    before = dict(record.definition)
    after = _edited(before, changes)
    catalogue = parse_catalogue(_catalogue_data(session, code, after))
    record.definition = after
    session.flush()
    INDICATOR.change(
        session, actor_id, Action.CATALOGUE_UPDATE, record, caf_code=None, before=_editable(before)
    )
    return catalogue


def _edited(definition: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    edited = dict(definition)
    if "tier" in changes:
        edited["tier"] = changes["tier"]
        if changes["tier"] != Tier.RESTREINT.value and "restricted_to" not in changes:
            edited.pop("restricted_to", None)  # only a restricted indicator names its types
    if "restricted_to" in changes:
        edited["restricted_to"] = list(changes["restricted_to"])
    if "secrecy" in changes:
        edited["secrecy"] = {**definition.get("secrecy", {}), **changes["secrecy"]}
    return edited


def _catalogue_data(session: Session, code: str, edited: dict[str, Any]) -> dict[str, Any]:
    """Return the stored catalogue as data, with the edited indicator in its place."""
    breakdowns = session.scalars(select(BreakdownRecord).order_by(BreakdownRecord.position))
    indicators = session.scalars(select(IndicatorRecord).order_by(IndicatorRecord.position))
    return {
        "breakdowns": [b.definition for b in breakdowns],
        "indicators": [edited if i.code == code else i.definition for i in indicators],
    }
