"""What a limited response says of its limit, and the client's address behind trusted proxies.

The headers follow the IETF draft "RateLimit header fields for HTTP"
(draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "anonyme";q=60;w=60` names the
policy, its quota and window in seconds; `RateLimit: "anonyme";r=59;t=60` the events left
and the seconds until the window frees one. A 429 also carries `Retry-After`.
"""

from __future__ import annotations

from flask import Flask, Response, g
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway.api.ratelimit import Quota

_QUOTA_KEY = "rate_limit_quota"


def note_quota(policy: str, quota: Quota) -> None:
    """Remember the request's window, for the response's `RateLimit` headers."""
    setattr(g, _QUOTA_KEY, (policy, quota))


def rate_limit_headers(response: Response) -> Response:
    """Add the `RateLimit-Policy` and `RateLimit` headers to a limited response."""
    noted: tuple[str, Quota] | None = g.get(_QUOTA_KEY)
    if noted is not None:
        policy, quota = noted
        response.headers["RateLimit-Policy"] = f'"{policy}";q={quota.limit};w={quota.window}'
        response.headers["RateLimit"] = f'"{policy}";r={quota.remaining};t={quota.reset}'
    return response


def trust_proxies(app: Flask, trusted_proxies: int) -> None:
    """Read the client's address (and scheme, host) from the `trusted_proxies` last proxies.

    Without a trusted proxy the socket's peer is the client: an `X-Forwarded-For` sent by
    anyone is ignored, so no caller picks the address its limits are counted under.
    """
    if trusted_proxies > 0:
        n = trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def init_throttle(app: Flask, trusted_proxies: int) -> None:
    """Trust the configured proxies and add the rate-limit headers to every response."""
    trust_proxies(app, trusted_proxies)
    app.after_request(rate_limit_headers)
