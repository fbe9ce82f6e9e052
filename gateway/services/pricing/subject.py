"""What a quote or an invoice says is bought, line by line, from the stored request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.access.values import LEVEL_LABELS, USE_LABELS
from policies.domain import GeoLevel, Use


def request_subject(description: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Describe what is bought, line by line, from the stored request (quote, invoice)."""
    subject = [
        ("Indicateurs", ", ".join(description.get("indicators") or ())),
        ("Territoires", _territories_text(description)),
        ("Périodes", ", ".join(map(str, description.get("periods") or ()))),
        ("Ventilations", ", ".join(description.get("breakdowns") or ()) or "aucune"),
    ]
    bespoke = description.get("bespoke_breakdowns") or ()
    if bespoke:
        text = "; ".join(f"{b['label']} ({b['categories']} modalités)" for b in bespoke)
        subject.append(("Ventilations spécifiques", text))
    margins = [
        m for m, key in (("total", "totals"), ("parents", "parents")) if description.get(key)
    ]
    if margins:
        subject.append(("Marges ajoutées", ", ".join(margins)))
    subject.append(("Usage", _label(USE_LABELS, Use, description.get("use"))))
    return tuple(subject)


#: "chaque commune du département 13": the parent level with its French preposition.
_OF = {"epci": "de l'EPCI", "departement": "du département", "region": "de la région"}


def _label(labels: Mapping[Any, str], kind: Any, code: object) -> str:
    """Return the French label of a stored code, or the code itself when it is unknown."""
    try:
        return labels[kind(code)]
    except (KeyError, ValueError):
        return str(code or "-")


def _territories_text(description: Mapping[str, Any]) -> str:
    lines = description.get("territories") or ()
    # One line as asked in a request body; several for a screen comparing territories.
    parts = [_line_text(spec) for spec in ([lines] if isinstance(lines, Mapping) else lines)]
    for zone in description.get("zones") or ():
        name = zone.get("nom") or zone.get("code") or zone.get("id")
        parts.append(f"zone personnalisée « {name} » ({len(zone.get('communes') or ())} communes)")
    return " ; ".join(parts) or "-"


def _line_text(spec: Mapping[str, Any]) -> str:
    level = _label(LEVEL_LABELS, GeoLevel, spec.get("level") or "commune")
    if spec.get("codes"):
        return f"{level} : {', '.join(spec['codes'])}"
    parent = _OF.get(spec["parent_level"], f"de {spec['parent_level']}")
    return f"chaque {level} {parent} {spec['parent_code']}"
