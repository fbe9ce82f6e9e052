"""Seed the access rules (policy matrix and mandatory clauses) from the shipped files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from gateway.services.access.queries import seed_policy_matrix
from gateway.services.conventions.clauses import seed_mandatory_clauses


def seed_access_rules(session: Session, data_dir: Path) -> list[str]:
    """Store what is missing, keep what administrators changed; return French messages."""
    messages = []
    if seed_policy_matrix(session, data_dir / "policy_matrix.yaml"):
        messages.append("Matrice d'accès chargée (version 1).")
    count = seed_mandatory_clauses(session, data_dir / "convention_clauses.yaml")
    if count:
        messages.append(f"Clauses obligatoires des conventions chargées ({count}).")
    return messages
