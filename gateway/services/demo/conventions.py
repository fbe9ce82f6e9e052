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

# slug -> terms; the scope reads as the convention would (DOMAIN.md sections 1 and 3).
DEMO_TERMS: dict[str, dict[str, Any]] = {
    "conseil_departemental": {
        "finalite": "Pilotage du RSA et schéma départemental des services aux familles",
        "uses": ["usage_final", "usage_strictement_interne"],
        "scope": {
            "tiers": ["socle_commun", "convention", "restreint"],
            "own_territory": True,
            "finest_level": "commune",
        },
        "pricing": "gratuit_exoneration",
    },
    "commune": {
        "finalite": "Diagnostic petite enfance de la commune (CTG)",
        "uses": ["usage_final"],
        "scope": {
            "tiers": ["socle_commun", "convention"],
            "own_territory": True,
            "finest_level": "commune",
        },
        "pricing": "tarif_par_extrait",
        "quotas": {"extracts_per_month": 20, "cells_per_month": 100_000},
    },
    "epci": {
        "finalite": "Diagnostic territorial de la Métropole (accueil du jeune enfant)",
        "uses": ["usage_final", "etudes"],
        "scope": {
            "tiers": ["socle_commun", "convention"],
            "own_territory": True,
            "finest_level": "commune",
        },
        "pricing": "tarif_par_extrait",
        "quotas": {"extracts_per_month": 30, "cells_per_month": 200_000},
    },
    "service_etat": {
        "finalite": "Politique de la ville et statistiques nationales (convention nationale)",
        "uses": ["usage_final", "etudes"],
        "scope": {
            "tiers": ["socle_commun", "convention", "restreint"],
            "territories": [{"level": "france", "code": "FR"}],
            "finest_level": "commune",
        },
        "pricing": "gratuit_exoneration",
    },
    "cabinet_prive": {
        "finalite": "Étude de besoins en accueil du jeune enfant pour une commune cliente",
        "uses": ["etudes"],
        "scope": {
            "tiers": ["convention"],
            "territories": [{"level": "departement", "code": "13"}],
            "finest_level": "epci",
        },
        "pricing": "tarif_par_extrait",
        "quotas": {"extracts_per_month": 5, "cells_per_month": 20_000},
    },
    "organisme_mission_publique": {
        "finalite": "Observatoire régional : diagnostic partagé santé et petite enfance",
        "uses": ["usage_final", "etudes"],
        "scope": {
            "tiers": ["socle_commun", "convention"],
            "own_territory": True,
            "finest_level": "commune",
        },
        "pricing": "forfait_annuel",
        "quotas": {"extracts_per_month": 15, "cells_per_month": 100_000},
    },
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
        record = create_convention(
            session, None, _body(requester.id, requester.caf_code, terms, clauses)
        )
        upload_document(
            session,
            None,
            record.id,
            filename="convention-demo.pdf",
            content_type="application/pdf",
            content=_DEMO_PDF,
        )
        activate_convention(session, None, record.id)
        created.append(f"{record.reference} v{record.version}")
    return created
