"""At start-up, a node that lacks the expected store version refuses to serve (production)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from gateway.config import Settings
from gateway.db import Database
from gateway.services.cell_store.queries import read_expected
from gateway.state import served_version
from gateway.store import CellStore

log = logging.getLogger("gateway.entrepot")


class StoreNotReady(RuntimeError):
    """The local store does not serve the expected version (gunicorn prints it and exits 1)."""


def unexpected_store(settings: Settings) -> str | None:
    """Say, in French, why this node's store is not the expected one; None when it is.

    An unreachable database leaves the question open (None, logged): refusing would keep the
    node down after the database comes back, and /health already reports the database.
    """
    database = Database(settings.database_url)
    try:
        expected = read_expected(database)
    except SQLAlchemyError as error:
        log.warning(
            "version attendue de l'entrepôt inconnue au démarrage : %s", type(error).__name__
        )
        return None
    finally:
        database.dispose()
    if expected is None:
        return None
    served = served_version(CellStore(settings.cell_store_dir))
    if served == expected.version:
        return None
    return (
        f"l'entrepôt de cellules local ({settings.cell_store_dir}) sert la version "
        f"{served or 'aucune'} au lieu de la version attendue {expected.version} : lancez "
        "« python -m gateway sync-store » avant de démarrer"
    )


def check_store_at_start(settings: Settings) -> None:
    """Refuse to start in production when the store lacks the expected version; warn else."""
    problem = unexpected_store(settings)
    if problem is None:
        return
    if settings.is_development:
        log.warning("Attention : %s.", problem)
        return
    raise StoreNotReady(f"Démarrage refusé : {problem}.")
