"""Tariff schedules: one per Caf, versioned by effective dates, published as data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from policies.domain import RequesterType, Use
from policies.errors import Conflict, InvalidInput, NotFound
from tariffs.exemptions import Exemption
from tariffs.money import decimal_places

#: The schedule used by every Caf that has not published its own.
DEFAULT_CAF_CODE = "*"

_Key = TypeVar("_Key", bound=StrEnum)

_CAF_CODE = re.compile(r"^(\*|[0-9A-Z]{2,5})$")


class PricingCategory(StrEnum):
    """Requester categories of the tariff (DOMAIN.md, section 4)."""

    GRAND_PUBLIC = "grand_public"
    ETAT = "etat"
    PARTENAIRE_CONVENTIONNE = "partenaire_conventionne"  # the "cadre partenarial"
    PRIVE = "prive"  # "autre / privé"


CATEGORY_LABELS: Mapping[PricingCategory, str] = MappingProxyType(
    {
        PricingCategory.GRAND_PUBLIC: "grand public",
        PricingCategory.ETAT: "État",
        PricingCategory.PARTENAIRE_CONVENTIONNE: "partenaire conventionné",
        PricingCategory.PRIVE: "autre / privé",
    }
)

USE_LABELS: Mapping[Use, str] = MappingProxyType(
    {
        Use.USAGE_FINAL: "usage final",
        Use.USAGE_INTERNE: "usage strictement interne",
        Use.ETUDES: "études",
        Use.REDIFFUSION: "rediffusion",
    }
)

_PARTNER_TYPES = frozenset(
    {
        RequesterType.CONSEIL_DEPARTEMENTAL,
        RequesterType.COMMUNE,
        RequesterType.EPCI,
        RequesterType.ORGANISME_MISSION_PUBLIQUE,
    }
)


def pricing_category(requester_type: RequesterType, *, partnership: bool) -> PricingCategory:
    """Map a requester type to its tariff category.

    Collectivities and public-service bodies are partners only when they act under
    a partnership convention (CTG, convention de partenariat); otherwise they pay
    as "autre / privé". Private consultancies are always "autre / privé".
    """
    if requester_type.is_admin:
        raise InvalidInput(
            "Les administrateurs de la branche ne sont pas tarifés.",
            (f"type_demandeur: {requester_type.value} n'a pas de catégorie tarifaire",),
        )
    if requester_type is RequesterType.GRAND_PUBLIC:
        return PricingCategory.GRAND_PUBLIC
    if requester_type is RequesterType.SERVICE_ETAT:
        return PricingCategory.ETAT
    if requester_type in _PARTNER_TYPES and partnership:
        return PricingCategory.PARTENAIRE_CONVENTIONNE
    return PricingCategory.PRIVE


@dataclass(frozen=True)
class Forfait:
    """The Evry model's flat fee for the first hour, in euros excluding VAT."""

    handling: Decimal  # handling and administering the request
    machine: Decimal  # first hour of machine time
    analyst: Decimal  # first hour of analyst (chargé d'études) time
    covered_hours: Decimal = Decimal(1)  # hours of each kind the forfait covers

    @property
    def total(self) -> Decimal:
        return self.handling + self.machine + self.analyst


@dataclass(frozen=True)
class Production:
    """The Insee model: a price per started block of cells, per geographic zone."""

    block_cells: int
    price_per_block: Decimal


@dataclass(frozen=True)
class Billing:
    """How a Caf invoices: its identity on invoices and its payment terms (the one source)."""

    payment_days: int = 30  # days between the invoice's issue and its due date
    payment_method: str = "virement"
    address: tuple[str, ...] = ()  # the Caf's postal address, when the Caf published it
    siret: str | None = None
    vat_number: str | None = None  # numéro de TVA intracommunautaire, when VAT applies
    vat_exemption: str | None = None  # the mention printed when VAT does not apply
    late_payment: str | None = None  # penalties and recovery costs, as the Caf states them


@dataclass(frozen=True)
class WorkEstimate:
    """How the hours of a request are estimated, in hours unless stated."""

    cells_per_machine_hour: int
    base_analyst_hours: Decimal
    analyst_hours_per_indicator: Decimal
    analyst_hours_per_custom_zone: Decimal
    analyst_hours_per_bespoke_breakdown: Decimal
    billing_increment_hours: Decimal = Decimal("0.25")  # hours are billed by started quarter


@dataclass(frozen=True)
class TariffSchedule:
    """One published version of a Caf's tariff; every amount in euros excluding VAT."""

    caf_code: str
    version: str
    label: str
    effective_from: date
    effective_to: date | None  # last day in force (inclusive); None while open
    forfait: Forfait
    hourly_machine: Decimal
    hourly_analyst: Decimal
    production: Production
    work: WorkEstimate
    use_coefficients: Mapping[Use, Decimal]
    category_coefficients: Mapping[PricingCategory, Decimal]
    vat_rate: Decimal
    vat_applies: bool
    minimum_charge: Decimal
    quote_validity_days: int
    billed_categories: frozenset[PricingCategory] = frozenset(PricingCategory)
    granted_exemptions: frozenset[Exemption] = frozenset(Exemption)
    legal_mentions: tuple[str, ...] = ()
    currency: str = "EUR"
    billing: Billing = Billing()

    def __post_init__(self) -> None:
        object.__setattr__(self, "use_coefficients", MappingProxyType(dict(self.use_coefficients)))
        object.__setattr__(
            self, "category_coefficients", MappingProxyType(dict(self.category_coefficients))
        )
        problems = schedule_problems(self)
        if problems:
            raise InvalidInput(f"Barème tarifaire {self.version!r} invalide.", problems)

    def in_force(self, on: date) -> bool:
        """Tell whether this version is in force on the given day."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def schedule_problems(s: TariffSchedule) -> list[str]:
    """List what is wrong with a schedule, each reason naming its published field."""
    return [
        *_identity_problems(s),
        *_amount_problems(s),
        *_work_problems(s),
        *_coefficient_problems("coefficients_usage", s.use_coefficients, list(Use)),
        *_coefficient_problems(
            "coefficients_demandeur", s.category_coefficients, list(PricingCategory)
        ),
    ]


def _identity_problems(s: TariffSchedule) -> list[str]:
    problems: list[str] = []
    if not _CAF_CODE.match(s.caf_code):
        problems.append("caf: code de Caf attendu (par exemple 131) ou * pour le barème par défaut")
    if not s.version.strip():
        problems.append("version: obligatoire")
    if s.effective_to is not None and s.effective_to < s.effective_from:
        problems.append("en_vigueur_au: antérieure à en_vigueur_du")
    if s.currency != "EUR":
        problems.append("devise: seul EUR est accepté")
    if Exemption.SOCLE_COMMUN not in s.granted_exemptions:
        problems.append("exonerations: le socle commun est toujours gratuit")
    if _negative(s.vat_rate) or s.vat_rate >= 1:
        problems.append("tva.taux: taux entre 0 et 1 attendu (0.20 pour 20 %)")
    if s.quote_validity_days < 1:
        problems.append("validite_devis_jours: au moins 1 jour")
    return problems + _billing_problems(s.billing)


def _billing_problems(b: Billing) -> list[str]:
    problems: list[str] = []
    if not 0 <= b.payment_days <= 60:  # code de commerce, art. L441-10: 60 days at most
        problems.append("facturation.delai_paiement_jours: entre 0 et 60 jours")
    if b.siret is not None and not (b.siret.isdigit() and len(b.siret) == 14):
        problems.append("facturation.siret: 14 chiffres attendus")
    if not b.payment_method.strip():
        problems.append("facturation.moyen_paiement: obligatoire")
    return problems


def _amount_problems(s: TariffSchedule) -> list[str]:
    amounts = {  # amounts that appear as such on a quote: exact to the cent
        "forfait_premiere_heure.traitement_demande": s.forfait.handling,
        "forfait_premiere_heure.temps_machine": s.forfait.machine,
        "forfait_premiere_heure.temps_analyste": s.forfait.analyst,
        "minimum_perception": s.minimum_charge,
    }
    rates = {  # unit prices, multiplied then rounded to the cent
        "taux_horaire.machine": s.hourly_machine,
        "taux_horaire.analyste": s.hourly_analyst,
        "production.prix_par_bloc": s.production.price_per_block,
    }
    problems = [
        f"{name}: doit être positif ou nul"
        for name, v in {**amounts, **rates}.items()
        if _negative(v)
    ]
    problems += [f"{name}: au centime près" for name, v in amounts.items() if decimal_places(v) > 2]
    problems += [
        f"{name}: au plus 4 décimales" for name, v in rates.items() if decimal_places(v) > 4
    ]
    return problems


def _work_problems(s: TariffSchedule) -> list[str]:
    w = s.work
    hours = {
        "forfait_premiere_heure.heures_couvertes": s.forfait.covered_hours,
        "estimation_travail.heures_analyste_base": w.base_analyst_hours,
        "estimation_travail.heures_analyste_par_indicateur": w.analyst_hours_per_indicator,
        "estimation_travail.heures_analyste_par_zone_personnalisee": (
            w.analyst_hours_per_custom_zone
        ),
        "estimation_travail.heures_analyste_par_ventilation_specifique": (
            w.analyst_hours_per_bespoke_breakdown
        ),
    }
    problems = [f"{name}: doit être positif ou nul" for name, v in hours.items() if _negative(v)]
    problems += [
        f"{name}: au plus 4 décimales" for name, v in hours.items() if decimal_places(v) > 4
    ]
    if s.production.block_cells <= 0:
        problems.append("production.cellules_par_bloc: doit être strictement positif")
    if w.cells_per_machine_hour <= 0:
        problems.append("estimation_travail.cellules_par_heure_machine: strictement positif")
    increment = w.billing_increment_hours
    if _negative(increment) or not 0 < increment <= 1 or decimal_places(increment) > 4:
        problems.append("estimation_travail.arrondi_heures: entre 0 (exclu) et 1 heure")
    return problems


def _negative(value: Decimal) -> bool:
    return not value.is_finite() or value < 0


def _coefficient_problems(
    name: str, coefficients: Mapping[_Key, Decimal], expected: Iterable[_Key]
) -> list[str]:
    problems = [
        f"{name}.{key}: coefficient manquant" for key in expected if key not in coefficients
    ]
    problems += [
        f"{name}.{key}: doit être strictement positif (une gratuité est une exonération)"
        for key, value in coefficients.items()
        if not value.is_finite() or value <= 0
    ]
    return problems


def select_version(schedules: Iterable[TariffSchedule], on: date) -> TariffSchedule:
    """Return the version of one Caf's schedule in force on `on` (the latest to start)."""
    candidates = [s for s in schedules if s.in_force(on)]
    if len({s.caf_code for s in candidates}) > 1:
        raise InvalidInput("Les versions proposées appartiennent à plusieurs Caf.")
    if not candidates:
        raise NotFound(f"Aucun barème tarifaire en vigueur le {on.isoformat()}.")
    latest = max(s.effective_from for s in candidates)
    chosen = [s for s in candidates if s.effective_from == latest]
    if len(chosen) > 1:
        versions = ", ".join(sorted(s.version for s in chosen))
        raise Conflict(f"Plusieurs versions du barème entrent en vigueur le {latest}: {versions}.")
    return chosen[0]


def schedule_for(schedules: Iterable[TariffSchedule], caf_code: str, on: date) -> TariffSchedule:
    """Return the Caf's own version in force on `on`, else the default schedule's."""
    pool = list(schedules)
    own = [s for s in pool if s.caf_code == caf_code and s.in_force(on)]
    if own:
        return select_version(own, on)
    return select_version([s for s in pool if s.caf_code == DEFAULT_CAF_CODE], on)
