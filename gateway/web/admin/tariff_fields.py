"""A tariff schedule as a form: each parameter a labelled number field, read back into the
published document (`tariffs.schedule_mapping`), errors named by the field they are about."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from policies.errors import InvalidInput
from tariffs import Exemption, PricingCategory
from tariffs.money import NBSP, decimal_places, format_eur, format_number
from tariffs.schedule import CATEGORY_LABELS

Errors = dict[str, str]


@dataclass(frozen=True)
class Parameter:
    """One number of the schedule: where it sits in the document, how a reader names it."""

    path: str  # "forfait_premiere_heure.traitement_demande"
    label: str
    unit: str  # "eur", "eur_rate", "hours", "coefficient", "rate", "count", "days"
    hint: str = ""

    @property
    def name(self) -> str:
        """The form field's name and id (dots would need escaping in a fragment)."""
        return self.path.replace(".", "__")

    @property
    def integer(self) -> bool:
        return self.unit in ("count", "days")


def _p(path: str, label: str, unit: str, hint: str = "") -> Parameter:
    return Parameter(path, label, unit, hint)


#: The schedule's numbers, by section, in the order the quote computes with them.
SECTIONS: tuple[tuple[str, tuple[Parameter, ...]], ...] = (
    (
        "Forfait de la première heure (modèle d’Evry)",
        (
            _p(
                "forfait_premiere_heure.traitement_demande",
                "Traitement de la demande",
                "eur",
                "Instruction, convention, livraison, note explicative.",
            ),
            _p("forfait_premiere_heure.temps_machine", "Première heure de temps machine", "eur"),
            _p("forfait_premiere_heure.temps_analyste", "Première heure de chargé d’études", "eur"),
            _p(
                "forfait_premiere_heure.heures_couvertes",
                "Heures comprises dans le forfait",
                "hours",
                "Heures de chaque nature couvertes par le forfait.",
            ),
        ),
    ),
    (
        "Heures au-delà du forfait",
        (
            _p("taux_horaire.machine", "Taux horaire machine", "eur_rate", "Euros par heure."),
            _p(
                "taux_horaire.analyste",
                "Taux horaire de chargé d’études",
                "eur_rate",
                "Euros par heure (coût salarial chargé).",
            ),
        ),
    ),
    (
        "Production (modèle Insee)",
        (
            _p("production.cellules_par_bloc", "Cellules par bloc", "count"),
            _p("production.prix_par_bloc", "Prix par bloc entamé et par zone", "eur_rate"),
        ),
    ),
    (
        "Estimation du travail",
        (
            _p(
                "estimation_travail.cellules_par_heure_machine",
                "Cellules calculées par heure machine",
                "count",
            ),
            _p(
                "estimation_travail.heures_analyste_base",
                "Heures d’analyste de base",
                "hours",
                "Lecture de la demande, contrôle du secret.",
            ),
            _p(
                "estimation_travail.heures_analyste_par_indicateur",
                "Heures d’analyste par indicateur",
                "hours",
            ),
            _p(
                "estimation_travail.heures_analyste_par_zone_personnalisee",
                "Heures d’analyste par zone personnalisée",
                "hours",
            ),
            _p(
                "estimation_travail.heures_analyste_par_ventilation_specifique",
                "Heures d’analyste par ventilation spécifique",
                "hours",
            ),
            _p(
                "estimation_travail.arrondi_heures",
                "Facturation par tranche de",
                "hours",
                "0,25 : au quart d’heure entamé.",
            ),
        ),
    ),
    (
        "Coefficients d’usage",
        (
            _p("coefficients_usage.usage_final", "Usage final", "coefficient"),
            _p(
                "coefficients_usage.usage_strictement_interne",
                "Usage strictement interne",
                "coefficient",
            ),
            _p("coefficients_usage.etudes", "Études", "coefficient"),
            _p("coefficients_usage.rediffusion", "Rediffusion", "coefficient"),
        ),
    ),
    (
        "Coefficients par catégorie de demandeur",
        tuple(
            _p(
                f"coefficients_demandeur.{c.value}",
                CATEGORY_LABELS[c][:1].upper() + CATEGORY_LABELS[c][1:],
                "coefficient",
            )
            for c in PricingCategory
        ),
    ),
    (
        "Minimum, TVA et délais",
        (
            _p(
                "minimum_perception",
                "Minimum de perception",
                "eur",
                "Hors taxes, après coefficients, sauf devis gratuit.",
            ),
            _p("tva.taux", "Taux de TVA", "rate", "0,20 pour 20 %."),
            _p("validite_devis_jours", "Validité d’un devis", "days"),
            _p(
                "facturation.delai_paiement_jours",
                "Délai de paiement d’une facture",
                "days",
                "60 jours au plus.",
            ),
        ),
    ),
)
PARAMETERS: tuple[Parameter, ...] = tuple(p for _, group in SECTIONS for p in group)

UNITS = {
    "eur": "€ HT",
    "eur_rate": "€ HT",
    "hours": "heures",
    "coefficient": "coefficient",
    "rate": "taux",
    "count": "",
    "days": "jours",
}
EXEMPTION_LABELS: Mapping[Exemption, str] = {
    Exemption.SOCLE_COMMUN: "Socle commun (toujours gratuit)",
    Exemption.CONSEIL_DEPARTEMENTAL_PMI: "Conseil départemental et PMI",
    Exemption.DIAGNOSTIC_CAF: "Diagnostics requis par la Caf",
    Exemption.CONVENTION_NATIONALE_ETAT: "Services de l’État sous convention nationale",
}
CATEGORY_OPTIONS = [
    (c.value, CATEGORY_LABELS[c][:1].upper() + CATEGORY_LABELS[c][1:]) for c in PricingCategory
]
EXEMPTION_OPTIONS = [(e.value, label) for e, label in EXEMPTION_LABELS.items()]


def value_at(document: Mapping[str, Any], path: str) -> Any:
    """Return the value at a dotted path of the document (None when absent)."""
    value: Any = document
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def shown(parameter: Parameter, value: Any) -> str:
    """Write a parameter's value for a reader: French numbers, euros with their sign."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if parameter.unit == "eur":
        return format_eur(number)
    if parameter.unit == "eur_rate":  # a unit price: cents at least, up to 4 decimals
        return f"{format_number(number, max(2, decimal_places(number)))}{NBSP}€"
    if parameter.unit == "rate":
        return f"{format_number(number * 100)}{NBSP}%"
    unit = {"hours": "h", "days": "jours"}.get(parameter.unit, "")
    return f"{format_number(number)}{NBSP}{unit}" if unit else format_number(number)


def form_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the form's values from a schedule document (numbers written the French way)."""
    values: dict[str, Any] = {
        p.name: str(value_at(document, p.path) or "").replace(".", ",") for p in PARAMETERS
    }
    values["tva_applicable"] = "oui" if value_at(document, "tva.applicable") else ""
    values["categories_facturees"] = list(document.get("categories_facturees") or [])
    values["exonerations"] = list(document.get("exonerations") or [])
    values["intitule"] = document.get("intitule", "")
    return values


def _number(text: str, parameter: Parameter) -> Decimal | int | None:
    cleaned = text.replace(NBSP, "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if parameter.integer:
        return int(number) if number == number.to_integral_value() else None
    return number


def document_from_form(
    form: Mapping[str, Any], base: Mapping[str, Any], caf_code: str
) -> tuple[dict[str, Any], Errors]:
    """Return the candidate document (the base with the form's values) and the form's errors.

    The base is the schedule in force: what the form does not show (mentions, the Caf's
    invoicing identity) is carried over unchanged.
    """
    document = copy.deepcopy(dict(base))
    errors: Errors = {}
    for parameter in PARAMETERS:
        text = str(form.get(parameter.name, "")).strip()
        number = _number(text, parameter) if text else None
        if number is None:
            errors[parameter.name] = f"Saisissez « {parameter.label} » : " + (
                "un nombre entier, par exemple 30."
                if parameter.integer
                else "un nombre, par exemple 0,30."
            )
            continue
        _put(document, parameter.path, number if parameter.integer else str(number))
    document["tva"] = {**document.get("tva", {}), "applicable": bool(form.get("tva_applicable"))}
    document["categories_facturees"] = _chosen(form, "categories_facturees", CATEGORY_OPTIONS)
    exemptions = _chosen(form, "exonerations", EXEMPTION_OPTIONS)
    document["exonerations"] = sorted(
        {*exemptions, Exemption.SOCLE_COMMUN.value},
        key=[e.value for e in Exemption].index,
    )
    document["intitule"] = str(form.get("intitule", "")).strip() or document.get("intitule", "")
    document["caf"] = caf_code
    document["version"] = str(form.get("version", "")).strip()
    document["en_vigueur_au"] = None
    day = _day(str(form.get("en_vigueur_du", "")))
    if not document["version"]:
        errors["version"] = "Saisissez le nom de la version, par exemple 2027.1."
    if day is None:
        errors["en_vigueur_du"] = "Saisissez la date d’entrée en vigueur, par exemple 01/01/2027."
    else:
        document["en_vigueur_du"] = day.isoformat()
    return document, errors


def _chosen(form: Mapping[str, Any], name: str, options: list[tuple[str, str]]) -> list[str]:
    raw = form.get(name) or []
    picked = {raw} if isinstance(raw, str) else set(raw)
    return [value for value, _ in options if value in picked]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _put(document: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def field_errors(error: InvalidInput) -> Errors:
    """Place a schedule's errors ("bareme.tva.taux": ...) beside the fields they are about."""
    names = {p.path: p.name for p in PARAMETERS}
    names |= {"en_vigueur_du": "en_vigueur_du", "version": "version"}
    names |= {"categories_facturees": "categories_facturees", "exonerations": "exonerations"}
    placed: Errors = {}
    for key, messages in error.errors.items():
        path = key.removeprefix("bareme.").removeprefix("bareme")
        field = names.get(path, "")
        text = " ".join(messages)
        if field:
            label = next((p.label for p in PARAMETERS if p.name == field), "")
            text = f"{label} : {text[:1].lower()}{text[1:]}" if label else text
        placed[field] = f"{placed[field]} {text}" if field in placed else text
    return placed or {"": error.detail}
