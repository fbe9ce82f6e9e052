"""Conventions created and edited as drafts: terms checked, territory confined, change logged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import Caf, ConventionRecord, MandatoryClauseRecord, Requester, Territory
from gateway.pipeline.locks import STEP_TIMEOUT, serialise
from gateway.services.audit.changes import Recorded
from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.conventions.queries import get_record, next_reference
from gateway.services.conventions.values import (
    scope_from_json,
    signatories_from_json,
    snapshot,
    store_value,
    to_value,
)
from gateway.services.requesters.territory import confine_to_caf
from policies.access import Action
from policies.conventions import (
    Convention,
    ConventionStatus,
    Quotas,
)
from policies.domain import GeoLevel, PricingMode, Use
from policies.errors import Conflict, InvalidInput


def today() -> date:
    return datetime.now(UTC).date()


def terms(fields: dict[str, Any]) -> dict[str, Any]:
    """Turn validated API fields into Convention keyword arguments (only those given)."""
    converters: dict[str, Callable[[Any], Any]] = {
        "finalite": lambda v: v,
        "uses": lambda v: frozenset(Use(u) for u in v),
        "scope": scope_from_json,
        "start": lambda v: v,
        "end": lambda v: v,
        "quotas": lambda v: Quotas(v.get("extracts_per_month"), v.get("cells_per_month")),
        "pricing": PricingMode,
        "clauses": frozenset,
        "signatories": signatories_from_json,
        "notes": lambda v: v,
        "rediffusion_to": lambda v: frozenset(str(r) for r in v),
    }
    names = {"rediffusion_to": "allows_rediffusion_to"}
    return {names.get(k, k): convert(fields[k]) for k, convert in converters.items() if k in fields}


def create_convention(
    session: Session, actor_id: int | None, fields: dict[str, Any]
) -> ConventionRecord:
    """Create a draft (version 1) between a Caf and a requester of that Caf (or a national one)."""
    caf_code, requester_id = fields["caf_code"], fields["requester_id"]
    # The reference counts the Caf's conventions of the year: two drafts created at once
    # would take the same one. One at a time per Caf and year, first in the transaction.
    serialise(session, f"reference-convention|{caf_code}|{today().year}", STEP_TIMEOUT)
    requester = session.get(Requester, requester_id)
    if requester is None:
        raise InvalidInput(
            "Certains champs sont invalides.",
            errors={"requester_id": [f"Aucun demandeur n° {requester_id}."]},
        )
    if session.get(Caf, caf_code) is None:  # a national requester names any Caf: a real one
        raise InvalidInput(
            "Certains champs sont invalides.",
            errors={"caf_code": [f"Aucune Caf de code {caf_code}."]},
        )
    if requester.caf_code not in (None, caf_code):
        raise InvalidInput(
            "Certains champs sont invalides.",
            errors={"requester_id": [f"Le demandeur relève de la Caf {requester.caf_code}."]},
        )
    record = ConventionRecord(
        reference=next_reference(session, caf_code, today().year),
        version=1,
        caf_code=caf_code,
        requester_id=requester_id,
    )
    conv = Convention(
        id="",
        reference=record.reference,
        caf_code=caf_code,
        requester_id=str(requester_id),
        finalite="",
        uses=frozenset(),
        scope=scope_from_json({}),
    )
    conv = replace(conv, **terms(fields))
    check_terms(session, conv)
    confine_to_caf(session, actor_id, reach(conv, requester), "périmètre de la convention")
    store_value(record, conv)
    session.add(record)
    session.flush()
    record_convention_change(session, actor_id, Action.CONVENTION_CREATE, record, None)
    return record


def update_convention(
    session: Session, actor_id: int | None, convention_id: int, fields: dict[str, Any]
) -> ConventionRecord:
    """Change the terms of a draft; a signed convention changes only by renewal."""
    record = get_record(session, convention_id)
    if record.status != ConventionStatus.BROUILLON:
        raise Conflict(
            f"La convention {record.reference} v{record.version} n'est plus un brouillon "
            f"(statut « {record.status} ») : ses termes ne se modifient plus.",
            ["renouveler la convention pour en changer les termes (nouvelle version)"],
        )
    before = snapshot(record)
    previous = to_value(record)
    conv = replace(previous, **terms(fields))
    check_terms(session, conv)
    requester = session.get(Requester, record.requester_id)
    added = set(reach(conv, requester)) - set(reach(previous, requester))
    confine_to_caf(session, actor_id, sorted(added), "périmètre de la convention")
    store_value(record, conv)
    session.flush()
    record_convention_change(session, actor_id, Action.CONVENTION_UPDATE, record, before)
    return record


def reach(conv: Convention, requester: Requester | None) -> list[tuple[GeoLevel, str]]:
    """Return the territories a convention opens: its own, and the requester's if it says so."""
    places = sorted(conv.scope.territories)
    if conv.scope.own_territory and requester and requester.territory_level:
        places.append((GeoLevel(requester.territory_level), str(requester.territory_code)))
    return places


def check_terms(session: Session, conv: Convention) -> None:
    """Refuse unknown indicators, territories, clauses and requesters, naming the field."""
    errors: dict[str, list[str]] = {}
    catalogue = catalogue_in_force(session)
    unknown = sorted(c for c in conv.scope.indicators if c not in catalogue)
    if unknown:
        errors["scope"] = [f"Indicateurs inconnus : {', '.join(unknown)}."]
    missing = [
        f"{level.value} {code}"
        for level, code in sorted(conv.scope.territories)
        if session.scalar(
            select(Territory.id).where(Territory.level == level.value, Territory.code == code)
        )
        is None
    ]
    if missing:
        errors.setdefault("scope", []).append(f"Territoires inconnus : {', '.join(missing)}.")
    known = set(session.scalars(select(MandatoryClauseRecord.code)))
    if known and conv.clauses - known:
        errors["clauses"] = [f"Clauses inconnues : {', '.join(sorted(conv.clauses - known))}."]
    others = {int(r) for r in conv.allows_rediffusion_to}
    found = set(session.scalars(select(Requester.id).where(Requester.id.in_(others))))
    if others - found:
        errors["rediffusion_to"] = [f"Demandeurs inconnus : {sorted(others - found)}."]
    if conv.start and conv.end and conv.end < conv.start:
        errors["end"] = ["Date de fin antérieure à la date de début."]
    if errors:
        raise InvalidInput("Certains champs sont invalides.", errors=errors)


CONVENTION = Recorded[ConventionRecord]("convention", lambda r: r.id, snapshot)


def record_convention_change(
    session: Session,
    actor_id: int | None,
    action: Action,
    record: ConventionRecord,
    before: dict[str, Any] | None,
) -> None:
    CONVENTION.change(session, actor_id, action, record, caf_code=record.caf_code, before=before)
