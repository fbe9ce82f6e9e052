"""The policy matrix an administrator reads and replaces (every version is kept)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gateway.db.models import PolicyMatrixVersion
from gateway.pipeline.locks import STEP_TIMEOUT, serialise
from gateway.services.access.queries import current_document, current_matrix
from gateway.services.audit.changes import Recorded
from gateway.state import app_state
from policies.access import Action, PolicyMatrix, policy_matrix_from_mapping
from policies.errors import Conflict

MATRIX = Recorded[PolicyMatrixVersion]("policy_matrix", lambda v: v.version, lambda v: v.document)


def matrix_in_force(session: Session) -> PolicyMatrix:
    """Return the matrix in force, parsed once per version for the whole app."""
    return current_matrix(session, app_state().caches.matrix)


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
    MATRIX.change(session, actor_id, Action.POLICY_UPDATE, stored, caf_code=None, before=before)
    return stored.version, document
