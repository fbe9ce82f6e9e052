"""The extract service: ask for an extract or a socle slice, then its status and its files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, defer

from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED
from gateway.delivery import FORMATS, Delivery, filename
from gateway.links import download_url, extract_url
from gateway.pipeline.run import Outcome
from gateway.services.requesters.queries import caf_of_requester
from gateway.state import app_state
from policies.access import Caller, RequesterProfile, may_see
from policies.domain import PERIODS, Use
from policies.errors import NotFound


def submit(
    caller: Caller, body: Mapping[str, Any], *, idempotency_key: str | None = None
) -> Outcome:
    """Ask for an extract: delivered now, or a background job to follow (a domain error else)."""
    return app_state().pipeline.submit(caller, body, idempotency_key=idempotency_key)


def socle_slice(caller: Caller, body: Mapping[str, Any]) -> Delivery:
    """Read a slice of the socle commun's publication of the current data."""
    return app_state().pipeline.socle(caller, body)


def socle_body(indicator: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Describe the public request of a socle slice, from the query of
    `GET /api/v1/socle/{indicator}` (the portal's socle page builds the same): one indicator,
    the territories asked (by default, every one of the level in France), the latest year by
    default, for a final use."""
    level = args["level"]
    if args.get("codes"):  # `codes=` names none: as if absent
        territories = {"level": level, "codes": args["codes"]}
    elif "parent_level" in args and "parent_code" in args:
        territories = {
            "level": level,
            "parent_level": args["parent_level"],
            "parent_code": args["parent_code"],
        }
    else:
        territories = {"level": level, "parent_level": "france", "parent_code": "FR"}
    return {
        "indicators": [indicator],
        "territories": territories,
        "periods": args.get("periods") or [PERIODS[-1]],
        "breakdowns": args.get("breakdowns") or [],
        "use": Use.USAGE_FINAL.value,
        "format": args["format"],
    }


def rendered(delivery: Delivery, format_name: str) -> tuple[bytes, str, str]:
    """Return the file of a delivery: bytes, media type and file name."""
    renderer = FORMATS[format_name]
    return renderer.render(delivery), renderer.media_type, filename(delivery, format_name)


def owned_extract(session: Session, extract_id: str, caller: Caller) -> Extract:
    """Return an extract its requester, or an administrator of its Caf, may see.

    Its stored result (every delivered cell: tens of megabytes for a large extract) is read
    only when used: a status or a kept file's download does not need it.
    """
    extract = session.get(Extract, extract_id, options=[defer(Extract.result)])
    profile = caller.profile
    if extract is None or not _may_see(session, extract, profile):
        raise NotFound(f"Aucun extrait « {extract_id} » pour ce demandeur.")
    return extract


def _may_see(session: Session, extract: Extract, profile: RequesterProfile) -> bool:
    if extract.requester_id is None:  # socle commun: public by definition
        return True
    owner_caf = caf_of_requester(session, extract.requester_id)
    return may_see(profile, extract.requester_id, owner_caf)


def status_of(extract: Extract) -> dict[str, Any]:
    links = {"statut": extract_url(extract.id)}
    if extract.status == DELIVERED:
        links |= {name: download_url(extract.id, name) for name in sorted(FORMATS)}
    return {
        "id": extract.id,
        "statut": extract.status,
        "progression": extract.progress,
        "cellules": extract.cells_delivered,
        "cellules_masquees": extract.cells_suppressed,
        "convention": extract.convention_ref,
        "facture": extract.invoice_number,
        "erreur": extract.error,
        "liens": links,
    }
