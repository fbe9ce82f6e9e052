"""A subscription's webhook address, as the requester gives it: refused as a field error."""

from __future__ import annotations

import pytest

from gateway.services.subscriptions.webhooks import check_webhook_url
from policies.errors import InvalidInput


@pytest.mark.parametrize(
    ("url", "development", "expected"),
    [
        (None, False, None),
        ("  ", False, None),
        ("https://cd13.exemple.fr/livraisons", False, "https://cd13.exemple.fr/livraisons"),
        ("http://cd13.exemple.fr/livraisons", True, "http://cd13.exemple.fr/livraisons"),
        ("http://localhost:9000/x", True, "http://localhost:9000/x"),
        ("http://cd13.exemple.fr/livraisons", False, "https://"),
        ("ftp://cd13.exemple.fr/", True, "https://"),
        ("https://", False, "serveur"),
        ("https://[", False, "invalide"),
        ("https://jean:secret@cd13.exemple.fr/", False, "identifiants"),
        ("https://localhost/x", False, "ce serveur"),
        ("https://127.0.0.1/x", False, "réseau privé"),
        ("https://192.168.1.10/x", False, "réseau privé"),
        ("https://[::1]/x", False, "réseau privé"),
    ],
)
def test_webhook_addresses(url: str | None, development: bool, expected: str | None) -> None:
    if expected is None or expected.startswith(("http://", "https://c")):
        assert check_webhook_url(url, development=development) == expected
        return
    with pytest.raises(InvalidInput) as refused:
        check_webhook_url(url, development=development)
    assert expected in refused.value.errors["webhook"][0]
