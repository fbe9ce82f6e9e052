"""The app's state as tests reach it: the database in an app context, an app's pipeline."""

from __future__ import annotations

from flask import Flask

from gateway.db import Database
from gateway.pipeline import queue
from gateway.pipeline.run import Pipeline
from gateway.services import upkeep
from gateway.state import app_state


def get_database() -> Database:
    """Return the current app's database (inside `app.app_context()`)."""
    return app_state().database


def pipeline(app: Flask | None = None) -> Pipeline:
    """Return the app's extracts pipeline."""
    return app_state(app).pipeline


def finish_jobs(app: Flask, timeout: float = 120) -> None:
    """Run the app's background extracts to their end: the embedded runner's threads, or a
    worker of the queue in this process until no job is left (PostgreSQL)."""
    runner = pipeline(app)
    if runner.queue is None:
        runner.jobs.wait_all(timeout=timeout)
        return
    queue.work(upkeep.worker_app(app_state(app)), wait=False)
