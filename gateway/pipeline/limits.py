"""Extract limits per requester type, read from data/extract_limits.yaml (a readable file)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from policies.domain import GeoLevel, RequesterType
from policies.errors import InvalidInput, SecrecyRefusal
from policies.refusals import Refusal, Rule


@dataclass(frozen=True)
class ExtractLimits:
    """How big an extract may be, when it goes to the background, when it is too fine."""

    max_cells: Mapping[RequesterType, int]
    background_above: int  # cells: larger extracts run as background jobs (202 + job URL)
    max_suppressed_share: float  # above this share of secret cells, the table is too fine

    def max_cells_for(self, requester_type: RequesterType) -> int:
        return self.max_cells.get(requester_type, 0)


def load_limits(path: Path) -> ExtractLimits:
    """Read and check the limits file (once per app: `gateway.state`)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        limits = ExtractLimits(
            max_cells={RequesterType(k): int(v) for k, v in raw["max_cellules"].items()},
            background_above=int(raw["arriere_plan_au_dela_de"]),
            max_suppressed_share=float(raw["part_masquee_maximale"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"{path} : fichier de limites invalide ({error}).") from error
    if not 0 < limits.max_suppressed_share <= 1:
        raise InvalidInput(f"{path} : part_masquee_maximale doit être dans ]0, 1].")
    return limits


COARSER = {
    GeoLevel.COMMUNE: GeoLevel.EPCI,
    GeoLevel.ZONE: GeoLevel.EPCI,
    GeoLevel.EPCI: GeoLevel.DEPARTEMENT,
    GeoLevel.DEPARTEMENT: GeoLevel.REGION,
    GeoLevel.REGION: GeoLevel.FRANCE,
}


def too_fine(
    secret: int, cells: int, levels: Collection[GeoLevel], limits: ExtractLimits
) -> SecrecyRefusal | None:
    """Return the refusal of a table its protection would mostly mask, with a coarser level.

    The refusal states the rule and the remedy, never the share masked: the table is
    neither delivered nor recorded, and its share would be a free probe of the data.
    """
    if secret / max(1, cells) <= limits.max_suppressed_share:
        return None
    coarser = sorted({COARSER[level].value for level in levels if level in COARSER})
    suggestion = ", ".join(coarser) or "un niveau plus agrégé"
    maximum = f"{limits.max_suppressed_share:.0%}"
    return SecrecyRefusal(
        f"Tableau trop fin : sa protection masquerait plus de {maximum} des cellules, la part "
        f"maximale admise. Demandez le niveau {suggestion}, ou moins de catégories et de "
        "ventilations.",
        [
            Refusal(
                Rule.SECRET_TROP_FIN,
                f"plus de {maximum} des cellules seraient masquées",
                f"niveau géographique suggéré : {suggestion} ; ou moins de "
                "catégories et de ventilations",
            )
        ],
    )
