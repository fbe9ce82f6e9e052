"""The attacked gateway: an app on SQLite with the test store, and conventioned requesters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from gateway.db import get_database
from gateway.db.models import ReleasedCell, TerritoryDefinition
from gateway.services import requesters
from gateway.services.api_keys import issue_key
from gateway.services.convention_clauses import mandatory_clauses
from gateway.services.convention_documents import upload_document
from gateway.services.convention_lifecycle import activate_convention
from gateway.services.conventions import create_convention
from gateway.store import CellStore
from policies.catalogue import Catalogue
from tests.attacks.oracle import Verdict, attack
from tests.attacks.player import Observation, Player

PERIODS = list(range(2019, 2025))
BREAKDOWNS = ("age_enfant", "age_jeune_enfant", "situation_familiale", "mode_accueil")
_PDF = b"%PDF-1.4\n% convention de test (attaque)\n%%EOF\n"


@dataclass(frozen=True)
class Requester:
    """A requester the adversary plays: its id and its API key."""

    id: int
    key: str
    departement: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def conventioned_departement(app: Flask, departement: str) -> Requester:
    """Create a conseil départemental with an active free convention on its département."""
    with app.app_context(), get_database().transaction() as session:
        requester = requesters.create_requester(
            session,
            None,
            {
                "name": f"Conseil départemental {departement} (adversaire {uuid.uuid4().hex[:8]})",
                "type": "conseil_departemental",
                "caf_code": departement,
                "territory_level": "departement",
                "territory_code": departement,
            },
        )
        clauses = [c.code for c in mandatory_clauses(session)]
        record = create_convention(session, None, _convention(requester.id, departement, clauses))
        upload_document(
            session,
            None,
            record.id,
            filename="convention.pdf",
            content_type="application/pdf",
            content=_PDF,
        )
        activate_convention(session, None, record.id)
        key = issue_key(session, requester.id).plaintext
        return Requester(requester.id, key, departement)


def _convention(requester_id: int, departement: str, clauses: list[str]) -> dict[str, Any]:
    start = date(2024, 1, 1)
    return {
        "caf_code": departement,
        "requester_id": requester_id,
        "finalite": "Pilotage du RSA et schéma départemental des services aux familles",
        "uses": ["usage_final", "usage_strictement_interne"],
        "scope": {
            "tiers": ["socle_commun", "convention", "restreint"],
            "own_territory": True,
            "finest_level": "commune",
            "periods": PERIODS,
            "breakdowns": list(BREAKDOWNS),
        },
        "pricing": "gratuit_exoneration",
        "start": start,
        "end": date(2099, 12, 31),
        "clauses": clauses,
        "signatories": [
            {
                "name": "Directeur de la Caf",
                "role": "directeur",
                "party": "caf",
                "signed_on": start,
            },
            {"name": "Président", "role": "président", "party": "demandeur", "signed_on": start},
        ],
    }


def public_observations(app: Flask, audiences: tuple[int, ...] = ()) -> set[Observation]:
    """Return every published cell of the ledger released to everyone (and to `audiences`)."""
    audience = ReleasedCell.audience.is_(None) | ReleasedCell.audience.in_(audiences)
    query = (
        select(
            ReleasedCell.indicator,
            ReleasedCell.period,
            ReleasedCell.category,
            TerritoryDefinition.communes,
            ReleasedCell.value,
        )
        .join(TerritoryDefinition, TerritoryDefinition.id == ReleasedCell.definition_id)
        .where(audience, ReleasedCell.published.is_(True))
    )
    with app.app_context(), get_database().sessions() as session:
        return {
            Observation(indicator, period, category, frozenset(communes.split(",")), value)
            for indicator, period, category, communes, value in session.execute(query)
        }


def judge(app: Flask, player: Player, store: CellStore, catalogue: Catalogue) -> Verdict:
    """Attack with everything the player received and everything public."""
    seen = player.observations | public_observations(app)
    targets = player.requested | set(player.zones.values())
    return attack(seen, store, catalogue, targets)
