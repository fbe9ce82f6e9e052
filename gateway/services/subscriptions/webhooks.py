"""A subscription's webhook address and secret: checked and made once, at subscription.

The rules are the webhook transport's (`gateway.notify.webhook`: https only outside
development, no credentials, no address of this machine or of a private network; names are
resolved and checked again at each call); here a refusal becomes the field error of the
request, and the secret is made in the transport's format (`whsec_`, 32 random bytes).
"""

from __future__ import annotations

from gateway.notify.webhook import WebhookRefused, check_url, new_secret
from policies.errors import InvalidInput

FIELD = "webhook"


def check_webhook_url(url: str | None, *, development: bool) -> str | None:
    """Return the address to call, or None when none is given; refuse it in French."""
    if url is None or not url.strip():
        return None
    try:
        return check_url(url, development=development)
    except WebhookRefused as refused:
        raise InvalidInput(
            "Certains champs sont invalides.", errors={FIELD: [refused.reason]}
        ) from None


def webhook_secret() -> str:
    """Return a new signing secret, shown to the requester once."""
    return new_secret()
