"""The extract's identification as plain data, shared by the JSON and JSON-stat renderers."""

from __future__ import annotations

from typing import Any

from gateway.delivery.model import Delivery
from gateway.delivery.note import source_lines


def extract_metadata(delivery: Delivery) -> dict[str, Any]:
    """Return the extract's identification as plain JSON data (French keys)."""
    return {
        "identifiant": delivery.extract_id,
        "date_production": delivery.created_at.isoformat(),
        "demandeur": {"nom": delivery.requester_name, "type": delivery.requester_type},
        "caf": {"code": delivery.caf_code, "nom": delivery.caf_name},
        "convention": delivery.convention_reference,
        "cadre": "convention" if delivery.convention_reference else "socle_commun",
        "usage": delivery.use,
        "indicateurs": [ind.code for ind in delivery.indicators],
        "ventilations": list(delivery.breakdown_columns),
        "regles_secret": {
            ind.code: list(_rules(delivery, ind.code)) for ind in delivery.indicators
        },
        "intervalle_protection_pourcent": delivery.interval_percent,
        "donnees_synthetiques": delivery.synthetic,
        "avertissements": list(delivery.warnings),
        "prix_eur": None if delivery.price_total is None else str(delivery.price_total),
        "devis": delivery.quote_reference,
        "sources": list(source_lines(delivery)),
        "nombre_cellules": len(delivery.cells),
        "nombre_cellules_masquees": delivery.secret_count,
        "territoires_a_cheval": [
            {"niveau": level, "code": code, "libelle": label, "departements": list(departements)}
            for (level, code, label), departements in delivery.straddling.items()
        ],
        "territoires_exclus": [e.to_json() for e in delivery.excluded],
    }


def _rules(delivery: Delivery, code: str) -> tuple[str, ...]:
    indicator = next(ind for ind in delivery.indicators if ind.code == code)
    return delivery.rules.get(code, indicator.secrecy.rules)
