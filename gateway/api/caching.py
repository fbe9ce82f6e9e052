"""HTTP caching of public reads: `ETag`, `If-None-Match` (304) and `Cache-Control`.

Reference data (the catalogue, the territories) change only when an administrator edits
the catalogue or an operator loads a geography: a short `max-age`, then revalidation by
`ETag`, a hash of the body, which changes exactly when the data do. A file named by its
publication (`/socle/publications/{id}`) never changes: a year, `immutable`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, request

F = TypeVar("F", bound=Callable[..., Any])

#: The catalogue: an administrator's edit applies at the next request, so caches check soon.
CATALOGUE_MAX_AGE = 60
#: The reference geography changes only when an operator loads a new one.
TERRITORIES_MAX_AGE = 3600
#: The socle of the current vintage: a new load publishes a new one.
CURRENT_SOCLE_MAX_AGE = 3600
#: What never changes: a year, the longest RFC 9111 advises.
IMMUTABLE = "public, max-age=31536000, immutable"


def body_tag(content: bytes) -> str:
    """Return a strong validator of a body: its SHA-256, shortened."""
    return hashlib.sha256(content).hexdigest()[:32]


def conditional(response: Response, etag: str, cache_control: str) -> Response:
    """Tag a public response and answer 304 when the client already holds it."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.make_conditional(request)  # the same response, made a 304 when it matches
    return response


def revalidated(max_age: int) -> Callable[[F], F]:
    """Cache a public JSON read for `max_age` seconds, then revalidate it by its `ETag`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def tagged(*args: Any, **kwargs: Any) -> Any:
            response = view(*args, **kwargs)
            if not isinstance(response, Response) or response.status_code != 200:
                return response
            cache_control = f"public, max-age={max_age}, must-revalidate"
            return conditional(response, body_tag(response.get_data()), cache_control)

        return cast(F, tagged)

    return decorator
