"""Demonstration people (development only): one gestionnaire per demonstration requester.

Their addresses and the shared demonstration password go to instance/demo-accounts.json,
beside the demonstration keys, so that `make serve` gives accounts to sign in with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from gateway.db.models import Person, Requester
from gateway.services.accounts.passwords import Passwords
from gateway.services.accounts.signin import find_by_email
from gateway.services.accounts.values import PersonRole, PersonStatus

#: Known on purpose: these accounts exist only on development instances (`init --demo`).
DEMO_PASSWORD = "Demo des Caf en 2026"
#: A name per demonstration requester (by its slug in gateway.services.demo.requesters).
DEMO_NAMES = {
    "conseil_departemental": "Claire Fabre",
    "commune": "Camille Martin",
    "epci": "Karim Benali",
    "service_etat": "Sophie Laurent",
    "organisme_mission_publique": "Hugo Mercier",
    "cabinet_prive": "Julie Garnier",
    "admin_caf": "Nadia Roussel",
    "admin_national": "Marc Lefèvre",
}


def demo_email(slug: str) -> str:
    return f"{slug.replace('_', '.')}@demo.exemple.fr"


def write_demo_accounts(
    session: Session, passwords: Passwords, requesters: Mapping[str, Requester], path: Path
) -> dict[str, dict[str, object]]:
    """Create or restore one active gestionnaire per requester; write who they are to `path`."""
    accounts: dict[str, dict[str, object]] = {}
    for slug, requester in requesters.items():
        person = _ensure(session, passwords, slug, requester)
        accounts[slug] = {
            "email": person.email,
            "password": DEMO_PASSWORD,
            "name": person.name,
            "role": person.role,
            "requester_id": requester.id,
            "organisation": requester.name,
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(accounts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return accounts


def _ensure(session: Session, passwords: Passwords, slug: str, requester: Requester) -> Person:
    """Return the demonstration person, active with the demonstration password."""
    email = demo_email(slug)
    person = find_by_email(session, email)
    if person is None:
        person = Person(
            requester_id=requester.id,
            email=email,
            name=DEMO_NAMES.get(slug, "Personne de démonstration"),
            role=PersonRole.GESTIONNAIRE.value,
            status=PersonStatus.ACTIF.value,
        )
        session.add(person)
    if not passwords.verify(person.password_hash, DEMO_PASSWORD):
        person.password_hash = passwords.hash(DEMO_PASSWORD)
        person.session_generation = (person.session_generation or 0) + 1
    person.status = PersonStatus.ACTIF.value
    person.failed_sign_ins, person.locked_until = 0, None
    session.flush()
    return person
