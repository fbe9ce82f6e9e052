"""The default published tariff, and reading seed files (YAML text in, schedules out)."""

from __future__ import annotations

from typing import Any

import yaml

from policies.errors import InvalidInput
from tariffs.schedule import TariffSchedule
from tariffs.schedule_mapping import schedule_from_mapping


def default_schedule_mapping() -> dict[str, Any]:
    """Return the default schedule (data/tariffs/default.yaml, without its comments)."""
    return {
        "caf": "*",
        "version": "2026.1",
        "intitule": "Barème par défaut de diffusion des données des Caf (coût marginal)",
        "en_vigueur_du": "2026-01-01",
        "en_vigueur_au": None,
        "devise": "EUR",
        "forfait_premiere_heure": {
            "traitement_demande": "40.00",
            "temps_machine": "32.00",
            "temps_analyste": "80.00",
            "heures_couvertes": "1",
        },
        "taux_horaire": {"machine": "30.00", "analyste": "60.00"},
        "production": {"cellules_par_bloc": 400, "prix_par_bloc": "0.30"},
        "estimation_travail": {
            "cellules_par_heure_machine": 50000,
            "heures_analyste_base": "0.50",
            "heures_analyste_par_indicateur": "0.10",
            "heures_analyste_par_zone_personnalisee": "0.25",
            "heures_analyste_par_ventilation_specifique": "0.50",
            "arrondi_heures": "0.25",
        },
        "coefficients_usage": {
            "usage_final": "1.00",
            "usage_strictement_interne": "0.80",
            "etudes": "0.70",
            "rediffusion": "1.50",
        },
        "coefficients_demandeur": {
            "grand_public": "0.50",
            "etat": "0.75",
            "partenaire_conventionne": "0.50",
            "prive": "1.00",
        },
        "categories_facturees": ["grand_public", "etat", "partenaire_conventionne", "prive"],
        "exonerations": [
            "socle_commun",
            "conseil_departemental_pmi",
            "diagnostic_caf",
            "convention_nationale_etat",
        ],
        "tva": {"applicable": True, "taux": "0.20"},
        "minimum_perception": "60.00",
        "validite_devis_jours": 90,
        "mentions_legales": [
            "Tarif fondé sur le coût marginal de production "
            "(doctrine de diffusion de la branche Famille).",
            "Données soumises au secret statistique ; diffusion dans le cadre d'une convention, "
            "avec sa note explicative.",
        ],
        "facturation": {
            "delai_paiement_jours": 30,
            "moyen_paiement": "virement",
            "adresse": [],
            "siret": None,
            "numero_tva": None,
            "mention_tva_non_applicable": None,
            "penalites_retard": "En cas de retard de paiement, pénalités au taux d'intérêt "
            "légal et, pour un débiteur professionnel, indemnité forfaitaire de 40 € pour frais "
            "de recouvrement (code de commerce, art. L441-10 et D441-5).",
        },
    }


def default_schedule() -> TariffSchedule:
    """Return the default schedule as a value."""
    return schedule_from_mapping(default_schedule_mapping())


def schedules_from_yaml(text: str) -> list[TariffSchedule]:
    """Read a seed file's text: one schedule, or a list of versions."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput("Fichier de barème illisible (YAML).", (str(error),)) from error
    documents = data if isinstance(data, list) else [data]
    return [schedule_from_mapping(document) for document in documents]
