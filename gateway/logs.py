"""Structured JSON logs: one object per line, each carrying the request id."""

from __future__ import annotations

import logging
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-Id"


class RequestIdFilter(logging.Filter):
    """Attach the current request id (or '-' outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(level: str) -> None:
    """Send JSON lines to stderr for the gateway's and the web server's loggers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    )
    handler.addFilter(RequestIdFilter())
    for name in ("gateway", "gunicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False


def init_request_ids(app: Flask) -> None:
    """Take the caller's request id when sane, else make one; echo it in the response."""

    @app.before_request
    def assign_request_id() -> None:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        valid = 8 <= len(supplied) <= 64 and supplied.replace("-", "").isalnum()
        g.request_id = supplied if valid else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):  # type: ignore[no-untyped-def]
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
        logging.getLogger("gateway.http").info(
            "requête",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
            },
        )
        return response
