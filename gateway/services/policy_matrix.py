"""The policy matrix in the database: versions seeded from data/policy_matrix.yaml, editable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.db.models import PolicyMatrixVersion
from gateway.pipeline.locks import serialise
from gateway.services.admin_changes import record_change
from gateway.services.conventions import STEP_TIMEOUT
from policies.access import SEED_PATH, PolicyMatrix, policy_matrix_from_mapping
from policies.errors import Conflict, InvalidInput

_cache: dict[tuple[str, int], PolicyMatrix] = {}


def read_matrix_file(path: Path = SEED_PATH) -> dict[str, Any]:
    """Read and validate the matrix file (the seed by default)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path.name} : document YAML attendu (table)")
    policy_matrix_from_mapping(raw)
    return raw


def seed_policy_matrix(session: Session, path: Path = SEED_PATH) -> bool:
    """Store the seed as version 1 unless a matrix is already stored; return whether it did."""
    if session.scalar(select(func.count()).select_from(PolicyMatrixVersion)):
        return False
    session.add(PolicyMatrixVersion(version=1, document=read_matrix_file(path), created_by=None))
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
        return 0, read_matrix_file()
    return stored.version, stored.document


def current_matrix(session: Session) -> PolicyMatrix:
    """Return the matrix in force, parsed once per version."""
    version, document = current_document(session)
    key = (str(session.get_bind().url), version)
    if version == 0 or key not in _cache:
        _cache[key] = policy_matrix_from_mapping(document)
    return _cache[key]


def replace_matrix(
    session: Session,
    actor_id: int | None,
    document: dict[str, Any],
    read_version: int | None = None,
) -> tuple[int, dict[str, Any]]:
    """Validate a whole new matrix and store it as the next version (old ones are kept).

    `read_version`, the version the administrator read (GET), must still be the current one.
    Two replacements at once would both take the next version number: one at a time.
    """
    serialise(session, "matrice-acces", STEP_TIMEOUT)
    policy_matrix_from_mapping(document)
    version, before = current_document(session)
    if read_version is not None and read_version != version:
        raise Conflict(
            f"La matrice d'accès a changé depuis sa lecture (version {read_version} lue, "
            f"version {version} en vigueur).",
            ["relire la matrice (GET), y reporter les modifications, puis la renvoyer"],
        )
    stored = PolicyMatrixVersion(version=version + 1, document=document, created_by=actor_id)
    session.add(stored)
    session.flush()
    record_change(
        session,
        actor_id=actor_id,
        action="policy_update",
        entity="policy_matrix",
        entity_id=stored.version,
        caf_code=None,
        before=before,
        after=document,
    )
    return stored.version, document
