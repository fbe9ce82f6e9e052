"""gunicorn settings: its own log lines in JSON, like the app's (which logs each request)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "2"))
# Threaded workers: while a request waits (SQLite's lock, a commit, its client), another thread
# of the worker answers, and connections are kept alive. The secrecy engine is CPU-bound and
# its threads share their worker's core (the GIL): computing grows with WORKERS, not THREADS.
# Against 2 sync workers, mixed workload: 1.6x the requests (bench.hot_path_bench, README).
worker_class = os.environ.get("WORKER_CLASS", "gthread")
threads = int(os.environ.get("THREADS", "4"))
timeout = 120  # large extracts run as background jobs; this bounds the synchronous ones
# A stop or restart lets a request under way finish (30 s by default would cut a long one).
graceful_timeout = timeout
accesslog = None
# The longest request line gunicorn reads (its maximum); a longer one gets 414 before the app
# sees it, as a problem document like every error of the gateway (`post_worker_init`).
limit_request_line = 8190

# gunicorn's control socket (`gunicornc`): one per instance, under its folder, not the default
# shared by every gunicorn of the user ($HOME/.gunicorn/gunicorn.ctl, where a second instance
# took over the first's). AF_UNIX paths stop at 108 bytes: beyond, no control socket.
_instance = os.environ.get("GATEWAY_INSTANCE_DIR") or str(
    Path(__file__).resolve().parent.parent / "instance"
)
control_socket = str(Path(_instance).resolve() / "gunicorn.ctl")
control_socket_disable = len(control_socket.encode()) > 100

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        }
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def on_starting(server: Any) -> None:
    """Refuse to start a node whose store lacks the version the database expects (production).

    Checked once, in the arbiter, before any worker forks; a RuntimeError is printed by
    gunicorn ("Error: ...") with exit status 1. Development only warns.
    """
    from gateway.config import load_settings
    from gateway.services.cell_store.startup import check_store_at_start

    check_store_at_start(load_settings())


def post_worker_init(worker: Any) -> None:
    """Have gunicorn write its own refusals (line too long, bad headers) as problem documents.

    gunicorn answers them itself, before the app, with an English HTML page written by
    `gunicorn.util.write_error`; each worker replaces that writer once booted.
    """
    from gunicorn import util

    util.write_error = write_problem
    _check_subscriptions(worker)


def _check_subscriptions(worker: Any) -> None:
    """On the embedded runner (SQLite, one machine), each worker runs the subscriptions due
    every minute; on PostgreSQL the queue's workers do (gateway/services/subscriptions)."""
    from gateway.services.subscriptions.embedded import start_checking

    state = _state_of(worker)
    if state is not None and state.pipeline.queue is None:
        start_checking(state)


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Write gunicorn's refusal as the gateway's problem document (`mesg` is English: unused)."""
    from gunicorn import util

    from gateway.api.problems import PROBLEM_MIME, server_problem

    request_id = uuid.uuid4().hex
    body = json.dumps(server_problem(status_int, "", request_id), ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_MIME}\r\nContent-Length: {len(body)}\r\n"
        f"X-Request-Id: {request_id}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def worker_exit(server: Any, worker: Any) -> None:
    """Close the stopping worker's pools (the job queue's, the database's) rather than leave
    their connections and threads to the interpreter's exit."""
    state = _state_of(worker)
    if state is not None:
        state.close()


def _state_of(worker: Any) -> Any:
    """Return the app state of a worker's loaded app, or None before it was loaded."""
    from gateway.state import EXTENSION

    return getattr(getattr(worker, "wsgi", None), "extensions", {}).get(EXTENSION)
