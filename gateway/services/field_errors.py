"""Field errors found by a service (not by a schema), in the one 422 shape."""

from __future__ import annotations

from policies.errors import InvalidInput


def invalid_fields(errors: dict[str, list[str]]) -> InvalidInput:
    """Build a 422 naming each faulty field, as schema errors do."""
    error = InvalidInput("Certains champs sont invalides.")
    error.errors = errors  # type: ignore[attr-defined]  (read by the problem builder)
    return error
