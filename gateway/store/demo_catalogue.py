"""The stored indicators the demonstration data covers, checked against data/catalogue.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gateway.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from policies.errors import InvalidInput

#: Breakdown categories the generator was calibrated for (the catalogue must agree).
BREAKDOWNS: Mapping[str, tuple[str, ...]] = {
    "age_enfant": ("0_2", "3_5", "6_10", "11_14", "15_17", "18_24"),
    "age_jeune_enfant": ("0_2", "3_5"),
    "situation_familiale": ("isole", "monoparent", "couple_sans_enfant", "couple_avec_enfants"),
    "mode_accueil": ("collectif", "familial"),
}


@dataclass(frozen=True)
class Stored:
    """One stored indicator: its single breakdown (if any) and whether units span categories."""

    breakdown: str | None = None
    exclusive: bool = True


#: Every indicator with stored cells (ratios are computed from these, never stored).
STORED: Mapping[str, Stored] = {
    "ALLOC": Stored(),
    "PERCOU": Stored(),
    "ALLOC_SITFAM": Stored("situation_familiale"),
    # A foyer with children in two age bands contributes to both cells.
    "ENF_COUVERTS": Stored("age_enfant", exclusive=False),
    "AL": Stored(),
    "AL_MONTANT": Stored(),
    "AAH": Stored(),
    "AAH_MONTANT": Stored(),
    "PPA": Stored(),
    "PPA_MONTANT": Stored(),
    "RSA": Stored(),
    "RSA_MONTANT": Stored(),
    "PAJE": Stored(),
    "PAJE_MONTANT": Stored(),
    "ENF_MOINS_6": Stored("age_jeune_enfant", exclusive=False),
    "ENF_MOINS_3": Stored(),
    "FAM_ACTIVES_MOINS_3": Stored("situation_familiale"),
    "ASSMAT_ACTIVES": Stored(),
    "PLACES_ASSMAT": Stored(),
    "ENF_GARDES_ASSMAT": Stored("age_jeune_enfant", exclusive=False),
    "ENF_GARDES_HORS_COMMUNE": Stored(),
    "CMG_MONTANT": Stored(),
    "PLACES_EAJE": Stored(),
    "ENF_INSCRITS_EAJE": Stored("mode_accueil"),
    "INDUS_MONTANT": Stored(),
}


def catalogue_breakdowns(
    path: Path = DEFAULT_CATALOGUE_PATH,
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return indicator -> {breakdown: categories} for the stored indicators.

    Refuses any disagreement between the catalogue and the breakdowns this generator
    was calibrated for.
    """
    expected = {
        code: {s.breakdown: BREAKDOWNS[s.breakdown]} if s.breakdown else {}
        for code, s in STORED.items()
    }
    catalogue = load_catalogue(path)
    found = {
        code: {b: catalogue.breakdown(b).category_codes for b in catalogue.get(code).breakdowns}
        for code in STORED
        if code in catalogue
    }
    for code, breakdowns in expected.items():
        if found.get(code) != breakdowns:
            raise InvalidInput(
                f"{path.name} : l’indicateur {code} n’a pas les ventilations attendues par "
                f"le générateur de démonstration ({breakdowns}, lu {found.get(code)})"
            )
    return expected
