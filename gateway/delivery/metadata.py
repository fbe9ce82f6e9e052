"""The extract's identification as plain data, shared by the JSON and JSON-stat renderers."""

from __future__ import annotations

from typing import Any

from gateway.delivery.model import Delivery
from gateway.delivery.note import applied_rules, source_lines


def extract_metadata(delivery: Delivery) -> dict[str, Any]:
    """Return the extract's identification as plain JSON data (French keys)."""
    return {
        "identifiant": delivery.header.extract_id,
        "date_production": delivery.header.created_at.isoformat(),
        "demandeur": {
            "nom": delivery.header.requester_name,
            "type": delivery.header.requester_type,
        },
        "caf": {"code": delivery.header.caf_code, "nom": delivery.header.caf_name},
        "convention": delivery.header.convention_reference,
        "cadre": "convention" if delivery.header.convention_reference else "socle_commun",
        "usage": delivery.header.use,
        "indicateurs": [ind.code for ind in delivery.indicators],
        "ventilations": list(delivery.breakdown_columns),
        "regles_secret": {
            ind.code: [str(rule) for rule in applied_rules(delivery, ind)]
            for ind in delivery.indicators
        },
        "intervalle_protection_pourcent": delivery.interval_percent,
        "donnees_synthetiques": delivery.header.synthetic,
        "avertissements": list(delivery.warnings),
        "prix_eur": None
        if delivery.header.price_total is None
        else str(delivery.header.price_total),
        "devis": delivery.header.quote_reference,
        "sources": list(source_lines(delivery)),
        "nombre_cellules": len(delivery.cells),
        "nombre_cellules_masquees": delivery.secret_count,
        "territoires_a_cheval": [
            {"niveau": level, "code": code, "libelle": label, "departements": list(departements)}
            for (level, code, label), departements in delivery.straddling.items()
        ],
        "territoires_exclus": [e.to_json() for e in delivery.header.excluded],
    }
