"""Conventions between storage and pure values: the JSON columns <-> policies.conventions."""

from __future__ import annotations

from datetime import date
from typing import Any

from gateway.db.models import ConventionRecord
from policies.conventions import (
    Convention,
    ConventionScope,
    ConventionStatus,
    Party,
    Quotas,
    Signatory,
    StatusChange,
)
from policies.domain import GeoLevel, PricingMode, Tier, Use


def scope_from_json(raw: dict[str, Any]) -> ConventionScope:
    return ConventionScope(
        indicators=frozenset(raw.get("indicators", ())),
        tiers=frozenset(Tier(t) for t in raw.get("tiers", ())),
        territories=frozenset(
            (GeoLevel(t["level"]), t["code"]) for t in raw.get("territories", ())
        ),
        own_territory=bool(raw.get("own_territory", False)),
        epci_a_cheval=bool(raw.get("epci_a_cheval", True)),
        finest_level=GeoLevel(raw.get("finest_level", GeoLevel.DEPARTEMENT.value)),
        periods=frozenset(int(p) for p in raw.get("periods", ())),
        breakdowns=frozenset(raw.get("breakdowns", ())),
        derogation_niveau=bool(raw.get("derogation_niveau", False)),
    )


def scope_to_json(scope: ConventionScope) -> dict[str, Any]:
    return {
        "indicators": sorted(scope.indicators),
        "tiers": sorted(t.value for t in scope.tiers),
        "territories": [
            {"level": level.value, "code": code}
            for level, code in sorted(scope.territories, key=lambda t: (t[0].value, t[1]))
        ],
        "own_territory": scope.own_territory,
        "epci_a_cheval": scope.epci_a_cheval,
        "finest_level": scope.finest_level.value,
        "periods": sorted(scope.periods),
        "breakdowns": sorted(scope.breakdowns),
        "derogation_niveau": scope.derogation_niveau,
    }


def day_of(value: date | str | None) -> date | None:
    """Return a date from a date or its ISO text (JSON columns hold text, callers hold dates)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


def signatories_from_json(raw: list[Any]) -> tuple[Signatory, ...]:
    return tuple(
        Signatory(s["name"], s.get("role", ""), Party(s["party"]), day_of(s.get("signed_on")))
        for s in raw
    )


def signatories_to_json(signatories: tuple[Signatory, ...]) -> list[dict[str, Any]]:
    """Return the signatories as stored: JSON, signature dates as ISO text."""
    return [
        {**s, "signed_on": s["signed_on"].isoformat() if s["signed_on"] else None}
        for s in signatories_shown(signatories)
    ]


def signatories_shown(signatories: tuple[Signatory, ...]) -> list[dict[str, Any]]:
    """Return the signatories as the API shows them (signature dates as dates)."""
    return [
        {
            "name": s.name,
            "role": s.role,
            "party": s.party.value,
            "signed_on": s.signed_on,
        }
        for s in signatories
    ]


def history_to_json(history: tuple[StatusChange, ...]) -> list[dict[str, Any]]:
    return [
        {
            "on": h.on.isoformat(),
            "from": h.from_status.value,
            "to": h.to_status.value,
            "reason": h.reason_fr,
        }
        for h in history
    ]


def history_from_json(raw: list[Any]) -> tuple[StatusChange, ...]:
    return tuple(
        StatusChange(
            date.fromisoformat(h["on"]),
            ConventionStatus(h["from"]),
            ConventionStatus(h["to"]),
            h.get("reason", ""),
        )
        for h in raw
    )


def to_value(record: ConventionRecord) -> Convention:
    """Return the pure value the decision and the lifecycle functions work on."""
    return Convention(
        id=str(record.id),
        reference=record.reference,
        caf_code=record.caf_code,
        requester_id=str(record.requester_id),
        finalite=record.finalite,
        uses=frozenset(Use(u) for u in record.uses),
        scope=scope_from_json(record.scope),
        start=record.start,
        end=record.end,
        version=record.version,
        status=ConventionStatus(record.status),
        quotas=Quotas(record.extracts_per_month, record.cells_per_month),
        pricing=PricingMode(record.pricing),
        clauses=frozenset(record.clauses),
        signatories=signatories_from_json(record.signatories),
        document_sha256=record.document_sha256,
        allows_rediffusion_to=frozenset(str(r) for r in record.rediffusion_to),
        notes=record.notes,
        previous_id=str(record.previous_id) if record.previous_id else None,
        history=history_from_json(record.history),
    )


def store_value(record: ConventionRecord, conv: Convention) -> None:
    """Write a value's terms and status onto its record (identity columns stay)."""
    record.finalite = conv.finalite
    record.uses = sorted(u.value for u in conv.uses)
    record.scope = scope_to_json(conv.scope)
    record.start, record.end = conv.start, conv.end
    record.extracts_per_month = conv.quotas.extracts_per_month
    record.cells_per_month = conv.quotas.cells_per_month
    record.pricing = conv.pricing.value
    record.clauses = sorted(conv.clauses)
    record.signatories = signatories_to_json(conv.signatories)
    record.document_sha256 = conv.document_sha256
    record.rediffusion_to = sorted(int(r) for r in conv.allows_rediffusion_to)
    record.notes = conv.notes
    record.status = conv.status.value
    record.history = history_to_json(conv.history)


def snapshot(record: ConventionRecord) -> dict[str, Any]:
    """Return the record as JSON for the admin change log."""
    data = {c.name: getattr(record, c.name) for c in ConventionRecord.__table__.columns}
    for name in ("start", "end", "created_at", "updated_at"):
        data[name] = data[name].isoformat() if data[name] else None
    return data
