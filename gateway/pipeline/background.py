"""Extracts too large to wait for: claimed as one row, delivered by a job, followed by status.

The job runs `Pipeline._deliver`, on the embedded runner's thread (SQLite) or in a queue
worker (PostgreSQL, `gateway.pipeline.queue`); its progress, its failure or the twin it ended
up serving are written on its extract's row, which any process reads. The row also holds the
job's inputs (`Extract.job`), so that a queued job carries only the extract's id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gateway.db import Database
from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED, FAILED, IN_FLIGHT, PENDING
from gateway.delivery import Delivery
from gateway.delivery.storage import ExtractFiles
from gateway.pipeline import claims
from gateway.pipeline.locks import serialise
from gateway.pipeline.prepare import Prepared
from gateway.pipeline.record import AlreadyDelivered, fill
from gateway.services.extracts import queries as extracts

LOG = logging.getLogger("gateway.extracts")


def claim(
    database: Database,
    extract_id: str,
    prepared: Prepared,
    key: str | None,
    *,
    version: str,
    lock_timeout: float,
    job: dict[str, Any] | None = None,
) -> Extract:
    """Record a background extract, or return the same request's extract already in flight."""
    with database.transaction() as session:
        serialise(session, claims.request_step(prepared, version), lock_timeout)
        extract = claims.twin(session, prepared, version, (*IN_FLIGHT, DELIVERED))
        if extract is None:
            extract = Extract(id=extract_id)
            fill(extract, prepared, version, PENDING)
            extract.job = job
            extracts.store_extract(session, extract)
        claims.remember(session, prepared, key, extract.id)
    return extract


def run_job(
    database: Database,
    extract_id: str,
    deliver: Callable[[], str],
    transient: tuple[type[Exception], ...] = (),
) -> None:
    """Deliver a claimed extract: `deliver` returns the id of the extract delivered.

    When that is an identical extract delivered while the job waited, the job's extract
    becomes a copy of it (same mask); a failure is reported by the extract's status, except
    the `transient` ones, raised for the queue to try again later.
    """
    try:
        progress(database, extract_id, 0)  # taken up: "en cours" from now on
        delivered_id = deliver()
        if delivered_id != extract_id:
            with database.transaction() as session:
                extracts.copy_delivery(session, extract_id, delivered_id, datetime.now(UTC))
    except AlreadyDelivered:
        LOG.info("extrait %s déjà livré : rien de plus", extract_id)
    except transient:
        LOG.warning("extrait %s : échec passager, nouvel essai plus tard", extract_id)
        raise
    except Exception as error:  # the job's failure is reported by its status, not lost
        LOG.exception("extrait %s en échec", extract_id)
        detail = {"detail": getattr(error, "detail", "Erreur interne.")}
        with database.transaction() as session:
            extracts.record_failure(session, extract_id, FAILED, detail)


def keep_files(files: ExtractFiles, delivery: Delivery | None) -> None:
    """Render a delivered extract in every format and keep the files for its downloads.

    A failure here is logged, not the job's: the extract is delivered, and a download whose
    file is missing renders it then.
    """
    if delivery is None:
        return
    try:
        files.render_all(delivery)
    except Exception:
        LOG.exception("extrait %s : fichiers non conservés", delivery.header.extract_id)


def progress(database: Database, extract_id: str, percent: int) -> None:
    """Show a job's progress on its extract's row."""
    with database.transaction() as session:
        extracts.record_progress(session, extract_id, percent)
