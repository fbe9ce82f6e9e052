"""Access requests: an organisation asks for an account; an administrator of its Caf decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import AccessRequestRecord, Caf, Territory
from gateway.services.accounts.identifiers import normalise_siret
from gateway.services.accounts.people import Invitation, invite_person
from gateway.services.accounts.values import (
    AccessRequestStatus,
    PersonRole,
    normalise_email,
)
from gateway.services.audit.changes import Recorded
from gateway.services.paging import Page, paginate, where_equal
from gateway.services.requesters.queries import get_requester
from gateway.services.requesters.registry import create_requester
from policies.access import Action
from policies.domain import GeoLevel, RequesterType
from policies.errors import Conflict, InvalidInput, NotFound

#: Who may ask: organisations, not the public (no account) nor administrators (appointed).
REQUESTABLE_TYPES = tuple(
    t for t in RequesterType if t is not RequesterType.GRAND_PUBLIC and not t.is_admin
)
#: Types whose territory is their own institution's: they must name it.
TERRITORIAL_TYPES = (RequesterType.COMMUNE, RequesterType.EPCI, RequesterType.CONSEIL_DEPARTEMENTAL)
LEVELS = (GeoLevel.COMMUNE, GeoLevel.EPCI, GeoLevel.DEPARTEMENT, GeoLevel.REGION)
PURPOSE_MIN, PURPOSE_MAX = 20, 4000  # characters


@dataclass(frozen=True)
class Approval:
    """An approved request: the organisation's first person is invited."""

    request: AccessRequestRecord
    invitation: Invitation


def snapshot(record: AccessRequestRecord) -> dict[str, Any]:
    return {
        "status": record.status,
        "organisation": record.organisation,
        "siret": record.siret,
        "requester_type": record.requester_type,
        "caf_code": record.caf_code,
        "contact_email": record.contact_email,
        "rejection_reason": record.rejection_reason,
        "requester_id": record.requester_id,
        "person_id": record.person_id,
    }


ACCESS_REQUEST = Recorded[AccessRequestRecord]("access_request", lambda r: r.id, snapshot)


def submit_access_request(session: Session, fields: dict[str, Any]) -> AccessRequestRecord:
    """Record an organisation's request after checking every field (422 naming each one)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, check in _CHECKS:
        try:
            values[name] = check(session, fields, values)
        except InvalidInput as error:
            for field, messages in error.errors.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidInput("Certains champs sont invalides.", errors=errors)
    level, code = values.pop("territory")
    record = AccessRequestRecord(
        **values,
        territory_level=level,
        territory_code=code,
        status=AccessRequestStatus.EN_ATTENTE.value,
    )
    session.add(record)
    session.flush()
    return record


def list_access_requests(
    session: Session,
    *,
    caf_code: str | None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """List requests, oldest first; `caf_code` restricts to one Caf (None: all, national)."""
    query = where_equal(
        select(AccessRequestRecord).order_by(AccessRequestRecord.id),
        (AccessRequestRecord.caf_code, caf_code),
        (AccessRequestRecord.status, status),
    )
    return paginate(session, query, page, per_page)


def get_access_request(session: Session, request_id: int) -> AccessRequestRecord:
    record = session.get(AccessRequestRecord, request_id)
    if record is None:
        raise NotFound(f"Aucune demande d'accès n° {request_id}.")
    return record


def caf_of_access_request(session: Session, request_id: int) -> str | None:
    """Return the Caf that decides a request; None when unknown (only national admins act)."""
    record = session.get(AccessRequestRecord, request_id)
    return record.caf_code if record else None


def approve_access_request(
    session: Session,
    actor_id: int | None,
    request_id: int,
    requester_id: int | None = None,
    role: str | None = None,
) -> Approval:
    """Create the requester (or join an existing one of the Caf) and invite the contact.

    A new organisation's contact becomes its first gestionnaire; joining an existing one,
    a lecteur unless `role` says otherwise. One transaction, two recorded changes at least.
    """
    record = _pending(session, request_id)
    before = snapshot(record)
    if requester_id is None:
        requester = create_requester(session, actor_id, _requester_fields(record))
        role = role or PersonRole.GESTIONNAIRE
    else:
        requester = get_requester(session, requester_id)
        if requester.caf_code != record.caf_code:
            raise InvalidInput(
                "Certains champs sont invalides.",
                errors={
                    "requester_id": ["Ce demandeur n'est pas rattaché à la Caf de la demande."]
                },
            )
        role = role or PersonRole.LECTEUR
    invitation = invite_person(
        session,
        actor_id,
        requester.id,
        {"email": record.contact_email, "name": record.contact_name, "role": role},
    )
    _decide(record, actor_id, AccessRequestStatus.APPROUVEE)
    record.requester_id, record.person_id = requester.id, invitation.person.id
    _record(session, actor_id, Action.ACCESS_REQUEST_APPROVE, record, before)
    return Approval(record, invitation)


def reject_access_request(
    session: Session, actor_id: int | None, request_id: int, reason: str
) -> AccessRequestRecord:
    """Refuse a request with a reason the organisation's contact is told."""
    record = _pending(session, request_id)
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise InvalidInput(
            "Certains champs sont invalides.",
            errors={"reason": ["Donnez le motif du refus (5 caractères au moins)."]},
        )
    before = snapshot(record)
    _decide(record, actor_id, AccessRequestStatus.REJETEE)
    record.rejection_reason = reason
    _record(session, actor_id, Action.ACCESS_REQUEST_REJECT, record, before)
    return record


def _pending(session: Session, request_id: int) -> AccessRequestRecord:
    record = get_access_request(session, request_id)
    if record.status != AccessRequestStatus.EN_ATTENTE:
        raise Conflict(f"La demande d'accès n° {request_id} a déjà été traitée.")
    return record


def _decide(record: AccessRequestRecord, actor_id: int | None, status: AccessRequestStatus) -> None:
    record.status = status.value
    record.decided_at = datetime.now(UTC)
    record.decided_by = actor_id


def _record(
    session: Session,
    actor_id: int | None,
    action: Action,
    record: AccessRequestRecord,
    before: dict[str, Any],
) -> None:
    session.flush()
    ACCESS_REQUEST.change(
        session, actor_id, action, record, caf_code=record.caf_code, before=before
    )


def _requester_fields(record: AccessRequestRecord) -> dict[str, Any]:
    return {
        "name": record.organisation,
        "type": record.requester_type,
        "caf_code": record.caf_code,
        "territory_level": record.territory_level,
        "territory_code": record.territory_code,
        "contact_name": record.contact_name,
        "contact_email": record.contact_email,
    }


# Field checks, in the form's order; each returns the stored value or raises InvalidInput.


def _text(name: str, label: str, low: int, high: int) -> Any:
    def check(_session: Session, fields: dict[str, Any], _values: dict[str, Any]) -> str:
        value = " ".join(str(fields.get(name) or "").split())
        if not value:
            raise _error(name, f"Saisissez {label}.")
        if not low <= len(value) <= high:
            raise _error(name, f"Entre {low} et {high} caractères.")
        return value

    return check


def _siret(_session: Session, fields: dict[str, Any], _values: dict[str, Any]) -> str:
    return normalise_siret(str(fields.get("siret") or ""))


def _type(_session: Session, fields: dict[str, Any], _values: dict[str, Any]) -> str:
    value = str(fields.get("requester_type") or "")
    if value not in {t.value for t in REQUESTABLE_TYPES}:
        raise _error("requester_type", "Choisissez le type de votre organisation.")
    return value


def _caf(session: Session, fields: dict[str, Any], _values: dict[str, Any]) -> str:
    code = str(fields.get("caf_code") or "")
    if not code or session.get(Caf, code) is None:
        raise _error("caf_code", "Choisissez la Caf de votre territoire.")
    return code


def _territory(
    session: Session, fields: dict[str, Any], values: dict[str, Any]
) -> tuple[str | None, str | None]:
    level = str(fields.get("territory_level") or "") or None
    code = "".join(str(fields.get("territory_code") or "").split()).upper() or None
    territorial = values.get("requester_type") in {t.value for t in TERRITORIAL_TYPES}
    if level is None and code is None and not territorial:
        return None, None
    if level not in {lvl.value for lvl in LEVELS}:
        raise _error("territory_level", "Choisissez le niveau de votre territoire.")
    if code is None:
        raise _error("territory_code", "Saisissez le code de votre territoire.")
    query = select(Territory.id).where(Territory.level == level, Territory.code == code)
    if session.scalar(query) is None:
        raise _error(
            "territory_code",
            "Territoire inconnu : code Insee de la commune, SIREN de l'EPCI, numéro du "
            "département ou de la région.",
        )
    return level, code


def _email(_session: Session, fields: dict[str, Any], _values: dict[str, Any]) -> str:
    return normalise_email(str(fields.get("contact_email") or ""), "contact_email")


def _error(field: str, message: str) -> InvalidInput:
    return InvalidInput("Certains champs sont invalides.", errors={field: [message]})


_CHECKS = (
    ("organisation", _text("organisation", "le nom de l'organisation", 2, 200)),
    ("siret", _siret),
    ("requester_type", _type),
    ("caf_code", _caf),
    ("territory", _territory),
    ("purpose", _text("purpose", "l'usage prévu des données", PURPOSE_MIN, PURPOSE_MAX)),
    ("contact_name", _text("contact_name", "votre nom et votre prénom", 2, 200)),
    ("contact_email", _email),
)
