"""The policy matrix in the database: versions seeded from data/policy_matrix.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.cache import Versioned
from gateway.db.models import PolicyMatrixVersion
from gateway.reference.seeds import POLICY_MATRIX_FILE, read_policy_matrix_document
from policies.access import PolicyMatrix, policy_matrix_from_mapping


def seed_policy_matrix(session: Session, path: Path = POLICY_MATRIX_FILE) -> bool:
    """Store the seed as version 1 unless a matrix is already stored; return whether it did."""
    if session.scalar(select(func.count()).select_from(PolicyMatrixVersion)):
        return False
    session.add(
        PolicyMatrixVersion(version=1, document=read_policy_matrix_document(path), created_by=None)
    )
    session.flush()
    return True


def current_version(session: Session) -> PolicyMatrixVersion | None:
    return session.scalar(
        select(PolicyMatrixVersion).order_by(PolicyMatrixVersion.version.desc()).limit(1)
    )


def current_document(session: Session) -> tuple[int, dict[str, Any]]:
    """Return the number and document of the matrix in force (version 0: the seed file)."""
    stored = current_version(session)
    if stored is None:
        return 0, read_policy_matrix_document()
    return stored.version, stored.document


def current_matrix(session: Session, cache: Versioned[PolicyMatrix] | None = None) -> PolicyMatrix:
    """Return the matrix in force; with a cache, parsed once per stored version."""
    version, document = current_document(session)
    if cache is None or version == 0:  # the seed file, read again: it may change
        return policy_matrix_from_mapping(document)
    return cache.get(version, lambda: policy_matrix_from_mapping(document))
