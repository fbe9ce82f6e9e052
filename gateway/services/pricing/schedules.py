"""Tariff schedules in the database: seeded from data/tariffs, versioned per Caf by dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import Caf, Requester, TariffScheduleVersion
from gateway.pipeline.locks import STEP_TIMEOUT, serialise
from gateway.reference.seeds import read_tariff_schedules
from gateway.services.audit.changes import Recorded
from gateway.services.pricing.queries import current_record, require_caf, version_records
from policies.access import Action
from policies.errors import Conflict, InvalidInput
from tariffs import (
    TariffSchedule,
    schedule_from_mapping,
    schedule_to_mapping,
)


def seed_default_schedule(session: Session, data_dir: Path) -> int:
    """Store the versions of data/tariffs/default.yaml that are missing; return how many."""
    added = 0
    for schedule in read_tariff_schedules(data_dir / "tariffs" / "default.yaml"):
        exists = session.scalar(
            select(TariffScheduleVersion.id).where(
                TariffScheduleVersion.caf_code == schedule.caf_code,
                TariffScheduleVersion.version == schedule.version,
            )
        )
        if exists is None:
            session.add(_record(schedule, created_by=None))
            added += 1
    session.flush()
    return added


def _record(schedule: TariffSchedule, created_by: int | None) -> TariffScheduleVersion:
    return TariffScheduleVersion(
        caf_code=schedule.caf_code,
        version=schedule.version,
        effective_from=schedule.effective_from,
        effective_to=schedule.effective_to,
        document=schedule_to_mapping(schedule),
        created_by=created_by,
    )


def candidate_schedule(caf_code: str, document: Mapping[str, Any]) -> TariffSchedule:
    """Validate a candidate version for a Caf; faulty fields are listed in `errors`."""
    data = {**document, "caf": caf_code}
    try:
        return schedule_from_mapping(data)
    except InvalidInput as error:
        raise InvalidInput("Barème tarifaire invalide.", errors=_field_errors(error)) from error


def _field_errors(error: InvalidInput) -> dict[str, list[str]]:
    """Turn "field: message" reasons into the problem document's per-field errors."""
    errors: dict[str, list[str]] = {}
    for member in error.reasons or (error.detail,):
        reason = member if isinstance(member, str) else member["message"]
        field, sep, message = reason.partition(": ")
        key, text = (f"bareme.{field}", message) if sep else ("bareme", reason)
        errors.setdefault(key, []).append(text[:1].upper() + text[1:])
    return errors


def publish_version(
    session: Session, caf_code: str, document: Mapping[str, Any], *, today: date, by: int | None
) -> TariffScheduleVersion:
    """Store a new version of the Caf's schedule, closing the version it replaces.

    A version starts today or later (a tariff never changes the past) and after the
    Caf's latest version; quotes keep the version they were made with. Two versions
    published at once would both close the same one: one at a time per Caf. The change log
    records the Caf's schedule before (its latest version, as it stood) and after.
    """
    serialise(session, f"bareme|{caf_code}", STEP_TIMEOUT)
    require_caf(session, caf_code)
    schedule = candidate_schedule(caf_code, document)
    check_publishable(session, schedule, today=today)
    previous = version_records(session, caf_code)
    before = version_summary(previous[-1]) if previous else None
    if previous and (
        previous[-1].effective_to is None or previous[-1].effective_to >= schedule.effective_from
    ):
        _close(previous[-1], schedule.effective_from - timedelta(days=1))
    record = _record(schedule, created_by=by)
    session.add(record)
    session.flush()
    SCHEDULE.change(session, by, Action.TARIFF_UPDATE, record, caf_code=caf_code, before=before)
    return record


def check_publishable(session: Session, schedule: TariffSchedule, *, today: date) -> None:
    """Refuse a candidate version that starts in the past, or not after the Caf's latest one.

    The checks `publish_version` makes before it writes, for a page to ask them first.
    """
    if schedule.effective_from < today:
        raise InvalidInput(
            "Barème tarifaire invalide.",
            errors={
                "bareme.en_vigueur_du": [
                    f"Un barème ne peut pas être rétroactif (avant le {today})."
                ]
            },
        )
    caf_code = schedule.caf_code
    previous = version_records(session, caf_code)
    if any(r.version == schedule.version for r in previous):
        raise Conflict(f"La version {schedule.version} du barème de la Caf {caf_code} existe déjà.")
    if previous and previous[-1].effective_from >= schedule.effective_from:
        raise Conflict(
            f"La nouvelle version doit entrer en vigueur après le "
            f"{previous[-1].effective_from} (version {previous[-1].version})."
        )


def _close(record: TariffScheduleVersion, last_day: date) -> None:
    record.effective_to = last_day
    record.document = {**record.document, "en_vigueur_au": last_day.isoformat()}


def published(session: Session, caf_code: str, today: date) -> dict[str, Any]:
    """Return what GET /tariffs/{caf} shows: the version in force and every version known."""
    require_caf(session, caf_code)
    current = current_record(session, caf_code, today)
    own = version_records(session, caf_code)
    return {
        "caf": caf_code,
        "date": today,
        "bareme_propre": bool(own),
        "en_vigueur": current.document,
        "versions": [version_summary(r) for r in own or [current]],
    }


def version_summary(record: TariffScheduleVersion) -> dict[str, Any]:
    return {
        "id": record.id,
        "caf": record.caf_code,
        "version": record.version,
        "en_vigueur_du": record.effective_from,
        "en_vigueur_au": record.effective_to,
        "bareme": record.document,
    }


#: A Caf's schedule in the change log: one entity per Caf, each version one of its states.
SCHEDULE = Recorded[TariffScheduleVersion]("tariff_schedule", lambda v: v.caf_code, version_summary)


def version_history(session: Session, caf_code: str) -> list[dict[str, Any]]:
    """Return the Caf's own versions, newest first, each with who published it (None: seed)."""
    records = version_records(session, caf_code)
    ids = {r.created_by for r in records if r.created_by is not None}
    rows = session.execute(select(Requester.id, Requester.name).where(Requester.id.in_(ids)))
    names = {int(i): str(name) for i, name in rows}
    return [
        {**version_summary(r), "publie_par": names.get(r.created_by) if r.created_by else None}
        for r in reversed(records)
    ]


def cafs_and_schedules(session: Session) -> list[tuple[str, str, bool]]:
    """Return every Caf (code, name) and whether it has published its own schedule."""
    own = set(session.scalars(select(TariffScheduleVersion.caf_code).distinct()))
    return [
        (c.code, c.name, c.code in own) for c in session.scalars(select(Caf).order_by(Caf.code))
    ]
