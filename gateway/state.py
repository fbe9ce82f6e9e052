"""The state of one app, built once by `create_app` and reached through `app_state()`.

Everything an app holds for its lifetime lives here, and only here: its settings, its
database, the cell store, the reference geography, the extract limits, its caches and the
extracts pipeline with its job runner. The API, the pages and the services reach it through
`app_state()` (the current Flask app's); the pipeline and the repositories below the
services never do: they are handed what they need.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.cache import Caches
from gateway.config import Settings
from gateway.db import Database
from gateway.db.health import Component, probe_database
from gateway.pipeline import queue
from gateway.pipeline.collector import settle_after_loading
from gateway.pipeline.jobs import JobRunner
from gateway.pipeline.limits import ExtractLimits, load_limits
from gateway.pipeline.run import Pipeline
from gateway.reference.geography import load_geography
from gateway.services.cell_store.queries import read_expected
from gateway.store import CellStore
from policies.errors import NotFound
from policies.geography import Geography

EXTENSION = "gateway"
#: A component's check for /health (the database, the store, the job queue...).
HealthCheck = Callable[[], Component]


@dataclass(frozen=True)
class AppState:
    """What one app holds for its lifetime (values, and objects that guard their own state)."""

    settings: Settings
    database: Database
    caches: Caches
    pipeline: Pipeline  # holds the cell store, the geography, the limits and the job runner
    # What /health runs, filled at assembly: a part that brings its own component (a job
    # queue on PostgreSQL...) appends its check, or replaces the one of the same name.
    health_checks: list[HealthCheck] = field(default_factory=list)

    @property
    def store(self) -> CellStore:
        return self.pipeline.store

    @property
    def geography(self) -> Geography:
        return self.pipeline.geography

    @property
    def limits(self) -> ExtractLimits:
        return self.pipeline.limits

    @property
    def jobs(self) -> JobRunner:
        return self.pipeline.jobs

    def close(self) -> None:
        """Close what the app holds open: the job queue's pool, the database's connections
        (a gunicorn worker that stops, a test's app at its end)."""
        if self.pipeline.queue is not None:
            self.pipeline.queue.close()
        self.database.dispose()

    def health(self) -> tuple[Component, ...]:
        """Run every component's check, each once (the last check of a name wins)."""
        components: dict[str, Component] = {}
        for check in self.health_checks:
            component = check()
            components[component.name] = component
        return tuple(components.values())


def build_state(settings: Settings) -> AppState:
    """Open the database and the store, load the reference data, assemble the pipeline."""
    database, caches = Database(settings.database_url, settings.audit_keys), Caches()
    pipeline = Pipeline(
        database,
        settings,
        store=CellStore(settings.cell_store_dir),
        geography=load_geography(settings.data_dir / "reference"),
        limits=load_limits(settings.data_dir / "extract_limits.yaml"),
        caches=caches,
        jobs=JobRunner(),
        # Chosen once, by the settings: the durable queue on PostgreSQL, else the embedded runner.
        queue=queue.QueueRunner(settings.database_url) if settings.job_runner == "queue" else None,
    )
    settle_after_loading()  # the reference data are loaded: out of the collector's passes
    state = AppState(settings, database, caches, pipeline)
    state.health_checks.extend(
        (lambda: probe_database(database.engine), lambda: store_health(pipeline.store))
    )
    grace = settings.store_sync_grace
    state.health_checks.append(lambda: store_sync_health(pipeline.store, database, grace))
    state.health_checks.append(pipeline.jobs.health)
    if pipeline.queue is not None:  # the durable queue replaces the embedded runner's check
        state.health_checks.append(lambda: queue.health(database))
    return state


def store_health(store: CellStore) -> Component:
    """Is the cell store's current version readable? Its version, shown."""
    try:
        version = store.version()
        readable = os.access(store.root, os.R_OK | os.X_OK)
    except NotFound:
        return Component("store", False, "l'entrepôt de cellules est vide")
    except (OSError, ValueError):
        return Component("store", False, "l'entrepôt de cellules est illisible")
    if not readable:
        return Component("store", False, "l'entrepôt de cellules est illisible")
    return Component("store", True, "ok", (("store_version", version),))


def served_version(store: CellStore) -> str | None:
    """Return the version a store serves, or None when it is empty or unreadable."""
    try:
        return store.version()
    except (NotFound, OSError, ValueError):
        return None


def store_sync_health(
    store: CellStore,
    database: Database,
    grace_seconds: int,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Component:
    """Does this node serve the expected (latest published) store version?

    A mismatch is tolerated `grace_seconds` after the publication, the time a rolling sync
    takes (every node's timer runs `sync-store`), then fails. The database's own fault is
    the database component's: here it only leaves the expected version unknown.
    """
    try:
        expected = read_expected(database)
    except SQLAlchemyError:
        return Component("store_sync", True, "version attendue inconnue (base injoignable)")
    if expected is None:
        return Component("store_sync", True, "aucune version publiée")
    details = (("expected_store_version", expected.version),)
    served = served_version(store)
    if served == expected.version:
        return Component("store_sync", True, "ok", details)
    deadline = expected.published_at + timedelta(seconds=grace_seconds)
    if now() < deadline:
        state = f"synchronisation en cours (tolérée jusqu'à {deadline:%H:%M:%S} UTC)"
        return Component("store_sync", True, state, details)
    state = (
        f"version servie {served or 'aucune'}, version attendue {expected.version} "
        f"(publiée le {expected.published_at:%d/%m/%Y à %H:%M} UTC) : lancez "
        "python -m gateway sync-store"
    )
    logging.getLogger("gateway.sante").error("entrepôt désynchronisé : %s", state)
    return Component("store_sync", False, state, details)


def init_state(app: Flask, state: AppState) -> None:
    """Attach the state to the app, and close each request's session at its end."""
    app.extensions[EXTENSION] = state

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def app_state(app: Flask | None = None) -> AppState:
    """Return the state of `app`, by default the current app's."""
    state: AppState = (app or current_app).extensions[EXTENSION]
    return state


def request_session() -> Session:
    """Return the read session of the current request (writes use `database.transaction()`)."""
    if "db_session" not in g:
        g.db_session = app_state().database.sessions()
    session: Session = g.db_session
    return session
