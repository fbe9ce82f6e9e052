"""Demonstration conventions for the demo requesters (development only), signed and active."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import ConventionRecord
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.conventions.documents import upload_document
from gateway.services.conventions.drafts import create_convention
from gateway.services.conventions.lifecycle import activate_convention
from gateway.services.demo.requesters import ensure_demo_requesters

PERIODS = list(range(2019, 2025))
#: Every breakdown of the catalogue: demo conventions cover the IMAJE tables in full.
BREAKDOWNS = ["age_enfant", "age_jeune_enfant", "situation_familiale", "mode_accueil"]
START, END = date(2025, 1, 1), date(2027, 12, 31)
_DEMO_PDF = (
    b"%PDF-1.4\n% Convention de demonstration : donnees synthetiques, sans valeur juridique.\n"
    b"%%EOF\n"
)


def _terms(
    finalite: str,
    uses: list[str],
    tiers: list[str],
    pricing: str,
    *,
    quotas: tuple[int, int] | None = None,
    territory: tuple[str, str] | None = None,
    finest_level: str = "commune",
) -> dict[str, Any]:
    """One convention's terms: on the requester's own territory unless `territory` (level,
    code) names one; `quotas`: extracts and cells per month."""
    where: dict[str, Any] = (
        {"territories": [{"level": territory[0], "code": territory[1]}]}
        if territory
        else {"own_territory": True}
    )
    terms: dict[str, Any] = {
        "finalite": finalite,
        "uses": uses,
        "scope": {"tiers": tiers, **where, "finest_level": finest_level},
        "pricing": pricing,
    }
    if quotas is not None:
        terms["quotas"] = {"extracts_per_month": quotas[0], "cells_per_month": quotas[1]}
    return terms


SOCLE, CONVENTION, RESTREINT = "socle_commun", "convention", "restreint"
FINAL, INTERNAL, STUDIES = "usage_final", "usage_strictement_interne", "etudes"
FREE, PER_EXTRACT, YEARLY = "gratuit_exoneration", "tarif_par_extrait", "forfait_annuel"

# slug -> terms; the scope reads as the convention would (DOMAIN.md sections 1 and 3).
DEMO_TERMS: dict[str, dict[str, Any]] = {
    "conseil_departemental": _terms(
        "Pilotage du RSA et schéma départemental des services aux familles",
        [FINAL, INTERNAL],
        [SOCLE, CONVENTION, RESTREINT],
        FREE,
    ),
    "commune": _terms(
        "Diagnostic petite enfance de la commune (CTG)",
        [FINAL],
        [SOCLE, CONVENTION],
        PER_EXTRACT,
        quotas=(20, 100_000),
    ),
    "epci": _terms(
        "Diagnostic territorial de la Métropole (accueil du jeune enfant)",
        [FINAL, STUDIES],
        [SOCLE, CONVENTION],
        PER_EXTRACT,
        quotas=(30, 200_000),
    ),
    "service_etat": _terms(
        "Politique de la ville et statistiques nationales (convention nationale)",
        [FINAL, STUDIES],
        [SOCLE, CONVENTION, RESTREINT],
        FREE,
        territory=("france", "FR"),
    ),
    "cabinet_prive": _terms(
        "Étude de besoins en accueil du jeune enfant pour une commune cliente",
        [STUDIES],
        [CONVENTION],
        PER_EXTRACT,
        quotas=(5, 20_000),
        territory=("departement", "13"),
        finest_level="epci",
    ),
    "organisme_mission_publique": _terms(
        "Observatoire régional : diagnostic partagé santé et petite enfance",
        [FINAL, STUDIES],
        [SOCLE, CONVENTION],
        YEARLY,
        quotas=(15, 100_000),
    ),
}


def _body(
    requester_id: int, caf_code: str, terms: dict[str, Any], clauses: list[str]
) -> dict[str, Any]:
    scope = {"periods": PERIODS, "breakdowns": BREAKDOWNS, **terms["scope"]}
    return {
        **terms,
        "caf_code": caf_code,
        "requester_id": requester_id,
        "scope": scope,
        "start": START,
        "end": END,
        "clauses": clauses,
        "signatories": [
            {
                "name": "Directeur de la Caf des Bouches-du-Rhône",
                "role": "directeur",
                "party": "caf",
                "signed_on": START,
            },
            {
                "name": "Représentant légal du demandeur",
                "role": "signataire habilité",
                "party": "demandeur",
                "signed_on": START,
            },
        ],
        "notes": "Convention de démonstration (données synthétiques).",
    }


def seed_demo_conventions(session: Session) -> list[str]:
    """Create and activate the missing demonstration conventions; return their labels."""
    requesters = ensure_demo_requesters(session)
    clauses = [c.code for c in mandatory_clauses(session)]
    created = []
    for slug, terms in DEMO_TERMS.items():
        requester = requesters[slug]
        exists = session.scalar(
            select(ConventionRecord.id).where(ConventionRecord.requester_id == requester.id)
        )
        if exists is not None or requester.caf_code is None:
            continue
        body = _body(requester.id, requester.caf_code, terms, clauses)
        record = activated_convention(session, body, document=_DEMO_PDF)
        created.append(f"{record.reference} v{record.version}")
    return created


def activated_convention(
    session: Session,
    terms: dict[str, Any],
    *,
    document: bytes,
    filename: str = "convention-demo.pdf",
) -> ConventionRecord:
    """Create a convention, attach its signed PDF and activate it, all at once (no actor)."""
    record = create_convention(session, None, terms)
    upload_document(
        session,
        None,
        record.id,
        filename=filename,
        content_type="application/pdf",
        content=document,
    )
    return activate_convention(session, None, record.id)
