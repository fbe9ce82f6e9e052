"""The sample request a new tariff version is tried on: its fields, read and described."""

from __future__ import annotations

from typing import Any

from gateway.services.catalogue.views import catalogue_in_force
from gateway.services.pricing.samples import Sample
from gateway.state import request_session
from gateway.web.account.forms import Errors
from policies.access.values import LEVEL_LABELS, TYPE_LABELS, USE_LABELS
from policies.domain import GeoLevel, RequesterType, Use


def first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


SAMPLE_TYPES = [(t.value, first_up(TYPE_LABELS[t])) for t in RequesterType if not t.is_admin]
SAMPLE_USES = [(u.value, first_up(USE_LABELS[u])) for u in Use]
SAMPLE_LEVELS = [
    (level.value, first_up(LEVEL_LABELS[level])) for level in GeoLevel if level is not GeoLevel.ZONE
]
SAMPLE_DEFAULTS = {
    "exemple_type": RequesterType.CABINET_PRIVE.value,
    "exemple_usage": Use.ETUDES.value,
    "exemple_indicateurs": "3",
    "exemple_ventilation": "",
    "exemple_periodes": "5",
    "exemple_niveau": GeoLevel.COMMUNE.value,
    "exemple_territoires": "10",
    "exemple_zones": "0",
}
SAMPLE_COUNTS = {  # field: (label, least)
    "exemple_indicateurs": ("Nombre d’indicateurs", 1),
    "exemple_periodes": ("Nombre de périodes", 1),
    "exemple_territoires": ("Nombre de territoires", 1),
    "exemple_zones": ("Dont zones personnalisées", 0),
}


def read_sample(values: dict[str, Any]) -> tuple[Sample | None, Errors]:
    """Read the sample request of the page; errors name its fields."""
    errors: Errors = {}
    counts: dict[str, int] = {}
    for name, (label, least) in SAMPLE_COUNTS.items():
        text = str(values.get(name, "")).strip()
        if not text.isdigit() or int(text) < least or int(text) > 100_000:
            errors[name] = f"{label} : un nombre entier d’au moins {least} est attendu."
        else:
            counts[name] = int(text)
    kind = values.get("exemple_type", "")
    use = values.get("exemple_usage", "")
    if kind not in dict(SAMPLE_TYPES):
        errors["exemple_type"] = "Choisissez un type de demandeur dans la liste."
    if use not in dict(SAMPLE_USES):
        errors["exemple_usage"] = "Choisissez un usage dans la liste."
    if values.get("exemple_niveau", "") not in dict(SAMPLE_LEVELS):
        errors["exemple_niveau"] = "Choisissez un niveau territorial dans la liste."
    categories = _categories(str(values.get("exemple_ventilation", "")))
    if categories is None:
        errors["exemple_ventilation"] = "Choisissez une ventilation dans la liste."
    if counts.get("exemple_zones", 0) > counts.get("exemple_territoires", 1):
        errors["exemple_zones"] = "Pas plus de zones personnalisées que de territoires."
    if errors:
        return None, errors
    assert categories is not None
    return Sample(
        requester_type=RequesterType(kind),
        use=Use(use),
        indicators=counts["exemple_indicateurs"],
        categories=categories,
        periods=counts["exemple_periodes"],
        zones=counts["exemple_territoires"],
        custom_zones=counts["exemple_zones"],
        partnership=bool(values.get("exemple_partenariat")),
    ), {}


def _categories(breakdown: str) -> int | None:
    if not breakdown:
        return 1
    known = catalogue_in_force(request_session()).breakdowns
    return len(known[breakdown].categories) if breakdown in known else None


def breakdown_options() -> list[tuple[str, str]]:
    known = catalogue_in_force(request_session()).breakdowns.values()
    return [("", "Aucune (une modalité)")] + [
        (b.code, f"{b.label} ({len(b.categories)} modalités)") for b in known
    ]


def sample_text(values: dict[str, Any]) -> str:
    """Describe the sample request in one French sentence."""
    breakdown = dict(breakdown_options()).get(str(values.get("exemple_ventilation", "")), "")
    level = dict(SAMPLE_LEVELS).get(str(values.get("exemple_niveau")), "")
    kind = dict(SAMPLE_TYPES).get(str(values.get("exemple_type")), "")
    use = dict(SAMPLE_USES).get(str(values.get("exemple_usage")), "")
    partner = ", sous convention de partenariat" if values.get("exemple_partenariat") else ""
    return (
        f"{kind}{partner}, {use.lower()} : {values['exemple_indicateurs']} indicateur(s), "
        f"ventilation « {breakdown} », {values['exemple_periodes']} période(s), "
        f"{values['exemple_territoires']} territoire(s) de niveau « {level.lower()} » "
        f"dont {values['exemple_zones']} zone(s) personnalisée(s)."
    )
