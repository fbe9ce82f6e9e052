"""The zone picker's search: by name, accents and case folded; by code, as written."""

from __future__ import annotations

from gateway.services.extracts.zone_choices import ZoneCommune, matching

COMMUNES = (
    ZoneCommune("2A004", "Ajaccio", 73_000),
    ZoneCommune("13005", "Aubagne", 47_000),
    ZoneCommune("13001", "Aix-en-Provence", 147_000),
)


def test_a_corsican_code_is_found() -> None:
    """Regression: the code was compared with the folded text ("2a0"), so "2A0" found nothing."""
    assert [c.code for c in matching(COMMUNES, "2A0")] == ["2A004"]
    assert [c.code for c in matching(COMMUNES, "2a004")] == ["2A004"]


def test_names_are_folded_and_codes_prefixed() -> None:
    assert [c.code for c in matching(COMMUNES, "aix en")] == ["13001"]
    assert [c.code for c in matching(COMMUNES, "1300")] == ["13005", "13001"]
    assert matching(COMMUNES, "  ") == COMMUNES
