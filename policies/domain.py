"""Closed vocabularies shared by the whole gateway (codes are the public API values)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class RequesterType(StrEnum):
    """Requester types of the doctrine de diffusion (DOMAIN.md, section 1)."""

    GRAND_PUBLIC = "grand_public"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental"
    COMMUNE = "commune"
    EPCI = "epci"
    SERVICE_ETAT = "service_etat"
    ORGANISME_MISSION_PUBLIQUE = "organisme_mission_publique"  # observatoires, ORS, CDAJE...
    CABINET_PRIVE = "cabinet_prive"
    ADMIN_CAF = "admin_caf"
    ADMIN_NATIONAL = "admin_national"

    @property
    def is_admin(self) -> bool:
        return self in (RequesterType.ADMIN_CAF, RequesterType.ADMIN_NATIONAL)


class Tier(StrEnum):
    """Diffusion tier of an indicator."""

    SOCLE_COMMUN = "socle_commun"  # free, public, no key
    CONVENTION = "convention"  # only under an active convention
    RESTREINT = "restreint"  # convention, and only for the requester types listed
    INTERNE = "interne"  # never leaves the branch


class Source(StrEnum):
    """Producer of the underlying data; Acoss and MSA data carry their own restrictions."""

    CNAF = "cnaf"
    MSA = "msa"
    ACOSS = "acoss_cnt_paje"
    BCAS = "bcas"
    INSEE = "insee"


class Use(StrEnum):
    """Permitted use (usage) declared by a request and granted by a convention."""

    USAGE_FINAL = "usage_final"
    USAGE_INTERNE = "usage_strictement_interne"
    ETUDES = "etudes"
    REDIFFUSION = "rediffusion"


class PricingMode(StrEnum):
    """How a convention prices the requests it covers; the tariff reads it to waive a quote."""

    PER_EXTRACT = "tarif_par_extrait"  # the Caf's published tariff, request by request
    ANNUAL_FLAT_FEE = "forfait_annuel"  # already paid by the convention's annual flat fee
    FREE_EXEMPTION = "gratuit_exoneration"  # free by exemption (CD, PMI, Caf diagnostics)

    @property
    def quote_code(self) -> str:
        """Return the code quotes write the mode with ("convention_tarification")."""
        return _QUOTE_CODES[self]

    @classmethod
    def quote_codes(cls) -> dict[str, PricingMode]:
        """Return the modes by the code quotes write them with."""
        return {code: mode for mode, code in _QUOTE_CODES.items()}


#: Quotes (documents and the pricing requests stored with them) have written the modes with
#: codes of their own since the first quote: stored quotes are read back with them.
_QUOTE_CODES = {
    PricingMode.PER_EXTRACT: "par_extraction",
    PricingMode.ANNUAL_FLAT_FEE: "forfait_annuel",
    PricingMode.FREE_EXEMPTION: "gratuit",
}


class Axis(StrEnum):
    """IMAJE analysis axes."""

    PUBLIC = "public"
    OFFRE = "offre"
    USAGE = "usage"
    ADEQUATION = "adequation_tension"


class Kind(StrEnum):
    """What an indicator's cell value is."""

    COUNT = "count"
    AMOUNT = "amount"
    RATIO = "ratio"  # numerator / denominator, both declared indicators


class ContributingUnit(StrEnum):
    """The unit that counts as one contributor for the secrecy rules."""

    FOYER = "foyer_allocataire"
    ENFANT = "enfant"
    ASSISTANTE_MATERNELLE = "assistante_maternelle"
    EQUIPEMENT = "equipement"


class GeoLevel(StrEnum):
    """Geographic levels; `fineness` orders them from the finest."""

    COMMUNE = "commune"
    ZONE = "zone"  # a custom zone: a requester-defined set of communes
    EPCI = "epci"
    DEPARTEMENT = "departement"
    REGION = "region"
    FRANCE = "france"

    @property
    def fineness(self) -> int:
        """Lower is finer; a custom zone is as fine as the communes it is built from."""
        return _FINENESS[self]


class Fineness(IntEnum):
    COMMUNE = 0
    EPCI = 1
    DEPARTEMENT = 2
    REGION = 3
    FRANCE = 4


_FINENESS = {
    GeoLevel.COMMUNE: Fineness.COMMUNE,
    GeoLevel.ZONE: Fineness.COMMUNE,
    GeoLevel.EPCI: Fineness.EPCI,
    GeoLevel.DEPARTEMENT: Fineness.DEPARTEMENT,
    GeoLevel.REGION: Fineness.REGION,
    GeoLevel.FRANCE: Fineness.FRANCE,
}

#: The annual periods the gateway serves (a five-year history needs six).
PERIODS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)
