"""A convention as the console shows it: its terms in words, its versions, its history, and the
detail page (with the draft's form) that several of the section's views render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from gateway.db.models import ConventionRecord, Requester
from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.conventions import queries
from gateway.services.conventions.documents import document_of
from gateway.services.conventions.templates import signatory_roles, template_for
from gateway.services.conventions.views import describe
from gateway.services.requesters.queries import get_requester
from gateway.services.territories.queries import caf_name
from gateway.state import request_session
from gateway.web.account.forms import page
from gateway.web.admin.common import caf_scope, is_national
from gateway.web.admin.convention_form import (
    PARTY_NAMES,
    edit_choices,
    signatory_rows,
    territory_name,
    values_of,
)
from gateway.web.espace.convention_pages import PRICING_LABELS
from policies.access import Action
from policies.access.values import LEVEL_LABELS, TIER_LABELS, type_label
from policies.conventions import ConventionStatus
from policies.domain import GeoLevel, RequesterType, Tier, Use

STATUS_LABELS = {
    ConventionStatus.BROUILLON.value: "Brouillon",
    ConventionStatus.ACTIVE.value: "Active",
    ConventionStatus.SUSPENDUE.value: "Suspendue",
    ConventionStatus.EXPIREE.value: "Expirée",
    ConventionStatus.RESILIEE.value: "Résiliée",
}
ACTION_LABELS = {
    Action.CONVENTION_CREATE.value: "Création",
    Action.CONVENTION_UPDATE.value: "Modification des termes",
    Action.CONVENTION_DOCUMENT.value: "Dépôt du document signé",
    Action.CONVENTION_ACTIVATE.value: "Activation",
    Action.CONVENTION_RESUME.value: "Reprise",
    Action.CONVENTION_SUSPEND.value: "Suspension",
    Action.CONVENTION_TERMINATE.value: "Résiliation",
    Action.CONVENTION_RENEW.value: "Renouvellement (nouvelle version)",
    Action.CONVENTION_EXPIRE.value: "Expiration constatée",
}
USE_WORDS = {
    Use.USAGE_FINAL.value: "usage final",
    Use.USAGE_INTERNE.value: "usage strictement interne",
    Use.ETUDES.value: "études",
    Use.REDIFFUSION.value: "rediffusion",
}


def requester_of(session: Session, requester_id: int) -> dict[str, Any]:
    """Return the requester as the pages name it: name, type in French, own territory."""
    found: Requester = get_requester(session, requester_id)
    territory = (
        territory_name(f"{found.territory_level}:{found.territory_code}")
        if found.territory_level and found.territory_code
        else ""
    )
    return {
        "id": found.id,
        "name": found.name,
        "type": found.type,
        "type_label": type_label(RequesterType(found.type)),
        "territory": territory,
        "caf_code": found.caf_code,
    }


def words(
    session: Session, found: Mapping[str, Any], requester: Mapping[str, Any]
) -> dict[str, Any]:
    """Say in French what a described convention covers (the page and the document)."""
    scope = found.get("scope") or {}
    catalogue = catalogue_in_force(session)
    territories = [
        territory_name(f"{t['level']}:{t['code']}") for t in scope.get("territories", ())
    ]
    if scope.get("own_territory"):
        own = requester.get("territory") or "aucun territoire enregistré"
        territories.insert(0, f"Le territoire du demandeur ({own}) et ce qu’il contient")
    indicators = [
        f"{catalogue.indicators[c].label} ({c})" if c in catalogue.indicators else c
        for c in scope.get("indicators", ())
    ]
    quotas = found.get("quotas") or {}
    return {
        "tiers": [TIER_LABELS[t] for t in Tier if t.value in scope.get("tiers", ())],
        "indicators": indicators,
        "territories": territories,
        "finest_level": LEVEL_LABELS[GeoLevel(scope.get("finest_level", "departement"))],
        "derogation": bool(scope.get("derogation_niveau")),
        "periods": [str(p) for p in sorted(scope.get("periods", ()))],
        "breakdowns": [
            catalogue.breakdowns[b].label if b in catalogue.breakdowns else b
            for b in scope.get("breakdowns", ())
        ],
        "uses": [USE_WORDS.get(u, u) for u in found.get("uses") or ()],
        "pricing": PRICING_LABELS.get(found.get("pricing") or "", found.get("pricing")),
        "extracts": _limit(quotas.get("extracts_per_month"), "extrait"),
        "cells": _limit(quotas.get("cells_per_month"), "cellule"),
        "status": STATUS_LABELS.get(found["status"], found["status"]),
    }


def _limit(value: int | None, unit: str) -> str:
    """Say a monthly quota: "au plus 10 extraits par mois", or "extraits sans limite"."""
    if value is None:
        return f"{unit}s sans limite"
    plural = "s" if value > 1 else ""
    return f"au plus {value:,} {unit}{plural} par mois".replace(",", "\u202f")


def versions(session: Session, record: ConventionRecord) -> dict[str, Any]:
    """Return the version before and after this one (same reference), if any."""
    found = queries.versions_of(session, record.reference)
    before = [v for v in found if v.version < record.version]
    after = [v for v in found if v.version > record.version]
    return {"previous": before[-1] if before else None, "next": after[0] if after else None}


def changes(session: Session, convention_id: int) -> list[dict[str, Any]]:
    """Return the change log's entries about this version, newest first, named in French."""
    return [
        {
            "at": c.at,
            "action": ACTION_LABELS.get(c.action, c.action),
            "actor_id": c.actor_id,
        }
        for c in queries.changes_of(session, convention_id)
    ]


def detail_page(
    convention_id: int,
    status: int = 200,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    refusal: list[str] | None = None,
    upload_error: str = "",
) -> Response:
    """Render a convention's page; a draft with its form (as sent, when `values` is given)."""
    session = request_session()
    record = queries.get_record(session, convention_id)
    found = describe(session, record)
    requester = requester_of(session, record.requester_id)
    draft = record.status == ConventionStatus.BROUILLON.value
    shown: dict[str, Any] = dict(values) if values is not None else values_of(found)
    roles = signatory_roles(template_for(requester["type"]))
    shown["signatories"] = signatory_rows(list(shown["signatories"]), roles)
    document = document_of(session, convention_id)
    return page(
        "admin/conventions/detail.html",
        status,
        private=True,
        convention=found,
        record=record,
        requester=requester,
        caf_name=caf_name(session, record.caf_code) or record.caf_code,
        said=words(session, found, requester),
        draft=draft,
        choices=edit_choices(session, record.caf_code) if draft else None,
        values=shown,
        errors=dict(errors or {}),
        refusal=refusal or [],
        upload_error=upload_error,
        document=document,
        versions=versions(session, record),
        changes=changes(session, convention_id),
        parties=PARTY_NAMES,
        statuses=STATUS_LABELS,
        national=is_national(),
        scope=caf_scope(),
        console_section="administration.conventions",
    )
