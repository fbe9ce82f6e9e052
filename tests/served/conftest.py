"""Fixtures of the served tests: a fresh demonstration instance under gunicorn, per backend."""

from tests.support.served import served_gateway

__all__ = ["served_gateway"]
