"""A schedule as a published document (French keys, exact numbers as strings) and as YAML."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import yaml

from policies.domain import Use
from policies.errors import InvalidInput
from tariffs.exemptions import Exemption
from tariffs.schedule import (
    Billing,
    Forfait,
    PricingCategory,
    Production,
    TariffSchedule,
    WorkEstimate,
)
from tariffs.serial import Reader, dec, ordered, read_document

_SECTIONS: dict[str, tuple[str, ...]] = {
    "forfait_premiere_heure": (
        "traitement_demande",
        "temps_machine",
        "temps_analyste",
        "heures_couvertes",
    ),
    "taux_horaire": ("machine", "analyste"),
    "production": ("cellules_par_bloc", "prix_par_bloc"),
    "estimation_travail": (
        "cellules_par_heure_machine",
        "heures_analyste_base",
        "heures_analyste_par_indicateur",
        "heures_analyste_par_zone_personnalisee",
        "heures_analyste_par_ventilation_specifique",
        "arrondi_heures",
    ),
    "tva": ("applicable", "taux"),
    "facturation": (
        "delai_paiement_jours",
        "moyen_paiement",
        "adresse",
        "siret",
        "numero_tva",
        "mention_tva_non_applicable",
        "penalites_retard",
    ),
}
_TOP_LEVEL = (
    "caf",
    "version",
    "intitule",
    "en_vigueur_du",
    "en_vigueur_au",
    "devise",
    "coefficients_usage",
    "coefficients_demandeur",
    "categories_facturees",
    "exonerations",
    "minimum_perception",
    "validite_devis_jours",
    "mentions_legales",
    *_SECTIONS,
)


def schedule_from_mapping(data: Mapping[str, Any]) -> TariffSchedule:
    """Build a schedule from its published form; InvalidInput lists every faulty field."""
    return read_document(data, "Barème tarifaire", _schedule_fields)


def _schedule_fields(r: Reader) -> Callable[[], TariffSchedule]:
    r.only("", _TOP_LEVEL)
    for section, keys in _SECTIONS.items():
        r.only(section, keys)
    return partial(
        TariffSchedule,
        caf_code=r.text("caf"),
        version=r.text("version"),
        label=r.text("intitule", ""),
        effective_from=r.day("en_vigueur_du"),
        effective_to=r.optional_day("en_vigueur_au"),
        currency=r.text("devise", "EUR"),
        forfait=_forfait(r),
        hourly_machine=r.decimal("taux_horaire.machine"),
        hourly_analyst=r.decimal("taux_horaire.analyste"),
        production=Production(
            r.integer("production.cellules_par_bloc"), r.decimal("production.prix_par_bloc")
        ),
        work=_work(r),
        use_coefficients=r.enum_map("coefficients_usage", Use),
        category_coefficients=r.enum_map("coefficients_demandeur", PricingCategory),
        billed_categories=r.choices("categories_facturees", PricingCategory, list(PricingCategory)),
        granted_exemptions=r.choices("exonerations", Exemption, list(Exemption)),
        vat_rate=r.decimal("tva.taux"),
        vat_applies=r.boolean("tva.applicable"),
        minimum_charge=r.decimal("minimum_perception", "0"),
        quote_validity_days=r.integer("validite_devis_jours"),
        legal_mentions=r.texts("mentions_legales", []),
        billing=_billing(r),
    )


def schedules_from_yaml(text: str) -> list[TariffSchedule]:
    """Read a seed file's text: one schedule, or a list of versions."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput("Fichier de barème illisible (YAML).", (str(error),)) from error
    documents = data if isinstance(data, list) else [data]
    return [schedule_from_mapping(document) for document in documents]


def _billing(r: Reader) -> Billing:
    p = "facturation."
    return Billing(
        payment_days=r.integer(p + "delai_paiement_jours", 30),
        payment_method=r.text(p + "moyen_paiement", "virement"),
        address=r.texts(p + "adresse", []),
        siret=r.optional_text(p + "siret"),
        vat_number=r.optional_text(p + "numero_tva"),
        vat_exemption=r.optional_text(p + "mention_tva_non_applicable"),
        late_payment=r.optional_text(p + "penalites_retard"),
    )


def _forfait(r: Reader) -> Forfait:
    return Forfait(
        handling=r.decimal("forfait_premiere_heure.traitement_demande"),
        machine=r.decimal("forfait_premiere_heure.temps_machine"),
        analyst=r.decimal("forfait_premiere_heure.temps_analyste"),
        covered_hours=r.decimal("forfait_premiere_heure.heures_couvertes", "1"),
    )


def _work(r: Reader) -> WorkEstimate:
    p = "estimation_travail."
    return WorkEstimate(
        cells_per_machine_hour=r.integer(p + "cellules_par_heure_machine"),
        base_analyst_hours=r.decimal(p + "heures_analyste_base"),
        analyst_hours_per_indicator=r.decimal(p + "heures_analyste_par_indicateur"),
        analyst_hours_per_custom_zone=r.decimal(p + "heures_analyste_par_zone_personnalisee"),
        analyst_hours_per_bespoke_breakdown=r.decimal(
            p + "heures_analyste_par_ventilation_specifique"
        ),
        billing_increment_hours=r.decimal(p + "arrondi_heures", "0.25"),
    )


def schedule_to_mapping(s: TariffSchedule) -> dict[str, Any]:
    """Write a schedule in its published form (JSON-ready: strings, lists, no Decimal)."""
    return {
        "caf": s.caf_code,
        "version": s.version,
        "intitule": s.label,
        "en_vigueur_du": s.effective_from.isoformat(),
        "en_vigueur_au": s.effective_to.isoformat() if s.effective_to else None,
        "devise": s.currency,
        "forfait_premiere_heure": {
            "traitement_demande": dec(s.forfait.handling),
            "temps_machine": dec(s.forfait.machine),
            "temps_analyste": dec(s.forfait.analyst),
            "heures_couvertes": dec(s.forfait.covered_hours),
        },
        "taux_horaire": {"machine": dec(s.hourly_machine), "analyste": dec(s.hourly_analyst)},
        "production": {
            "cellules_par_bloc": s.production.block_cells,
            "prix_par_bloc": dec(s.production.price_per_block),
        },
        "estimation_travail": {
            "cellules_par_heure_machine": s.work.cells_per_machine_hour,
            "heures_analyste_base": dec(s.work.base_analyst_hours),
            "heures_analyste_par_indicateur": dec(s.work.analyst_hours_per_indicator),
            "heures_analyste_par_zone_personnalisee": dec(s.work.analyst_hours_per_custom_zone),
            "heures_analyste_par_ventilation_specifique": dec(
                s.work.analyst_hours_per_bespoke_breakdown
            ),
            "arrondi_heures": dec(s.work.billing_increment_hours),
        },
        "coefficients_usage": {u.value: dec(s.use_coefficients[u]) for u in Use},
        "coefficients_demandeur": {
            c.value: dec(s.category_coefficients[c]) for c in PricingCategory
        },
        "categories_facturees": ordered(s.billed_categories, PricingCategory),
        "exonerations": ordered(s.granted_exemptions, Exemption),
        "tva": {"applicable": s.vat_applies, "taux": dec(s.vat_rate)},
        "minimum_perception": dec(s.minimum_charge),
        "validite_devis_jours": s.quote_validity_days,
        "mentions_legales": list(s.legal_mentions),
        "facturation": {
            "delai_paiement_jours": s.billing.payment_days,
            "moyen_paiement": s.billing.payment_method,
            "adresse": list(s.billing.address),
            "siret": s.billing.siret,
            "numero_tva": s.billing.vat_number,
            "mention_tva_non_applicable": s.billing.vat_exemption,
            "penalites_retard": s.billing.late_payment,
        },
    }
