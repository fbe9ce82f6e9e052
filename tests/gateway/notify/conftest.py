"""Fixtures of the notification tests: a TLS certificate for the local SMTP and HTTPS servers."""

from __future__ import annotations

import pytest

from tests.support.mailserver import Certificate, make_certificate


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (skipped, said, without openssl)."""
    found = make_certificate(tmp_path_factory.mktemp("tls"))
    if found is None:
        pytest.skip("openssl introuvable : pas de certificat de test pour TLS")
    return found
