"""Demonstration requesters (development only) and their keys in instance/demo-keys.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db.models import Requester
from gateway.services.requesters.api_keys import authenticate, issue_key
from policies.domain import GeoLevel, RequesterType


@dataclass(frozen=True)
class DemoRequester:
    slug: str
    name: str
    type: RequesterType
    caf_code: str | None
    territory: tuple[GeoLevel, str] | None


# The Bouches-du-Rhône (Caf 13) hosts the demonstration: large city, small communes, and the
# Métropole Aix-Marseille-Provence, an EPCI reaching beyond the département's communes.
DEMO_REQUESTERS = (
    DemoRequester(
        "conseil_departemental",
        "Conseil départemental des Bouches-du-Rhône",
        RequesterType.CONSEIL_DEPARTEMENTAL,
        "13",
        (GeoLevel.DEPARTEMENT, "13"),
    ),
    DemoRequester(
        "commune", "Commune d'Aubagne", RequesterType.COMMUNE, "13", (GeoLevel.COMMUNE, "13005")
    ),
    DemoRequester(
        "epci",
        "Métropole d'Aix-Marseille-Provence",
        RequesterType.EPCI,
        "13",
        (GeoLevel.EPCI, "200054807"),
    ),
    DemoRequester(
        "service_etat",
        "Préfecture des Bouches-du-Rhône",
        RequesterType.SERVICE_ETAT,
        "13",
        (GeoLevel.DEPARTEMENT, "13"),
    ),
    DemoRequester(
        "organisme_mission_publique",
        "Observatoire régional de la santé Provence-Alpes-Côte d'Azur",
        RequesterType.ORGANISME_MISSION_PUBLIQUE,
        "13",
        (GeoLevel.REGION, "93"),
    ),
    DemoRequester(
        "cabinet_prive", "Cabinet Territoires Conseil", RequesterType.CABINET_PRIVE, "13", None
    ),
    DemoRequester(
        "admin_caf",
        "Caf des Bouches-du-Rhône (administration)",
        RequesterType.ADMIN_CAF,
        "13",
        None,
    ),
    DemoRequester(
        "admin_national",
        "Cnaf (administration nationale)",
        RequesterType.ADMIN_NATIONAL,
        None,
        None,
    ),
)


def ensure_demo_requesters(session: Session) -> dict[str, Requester]:
    """Create the demonstration requesters that are missing; return them by slug."""
    found: dict[str, Requester] = {}
    for demo in DEMO_REQUESTERS:
        requester = session.scalar(
            select(Requester).where(Requester.name == demo.name, Requester.type == demo.type.value)
        )
        if requester is None:
            level, code = demo.territory or (None, None)
            requester = Requester(
                name=demo.name,
                type=demo.type.value,
                caf_code=demo.caf_code,
                territory_level=level.value if level else None,
                territory_code=code,
                contact_email=f"{demo.slug.replace('_', '.')}@exemple.fr",
            )
            session.add(requester)
            session.flush()
        found[demo.slug] = requester
    return found


def write_demo_keys(session: Session, path: Path) -> dict[str, dict[str, object]]:
    """Reuse the keys of an existing demo-keys.json while they still work; issue missing ones."""
    requesters = ensure_demo_requesters(session)
    previous = _read(path)
    keys: dict[str, dict[str, object]] = {}
    for slug, requester in requesters.items():
        entry = previous.get(slug, {})
        plaintext = str(entry.get("key", ""))
        key = authenticate(session, plaintext) if plaintext else None
        if key is None or key.requester_id != requester.id:
            plaintext = issue_key(session, requester.id, label="démonstration").plaintext
        keys[slug] = {
            "requester_id": requester.id,
            "name": requester.name,
            "type": requester.type,
            "key": plaintext,
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keys, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return keys


def _read(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
