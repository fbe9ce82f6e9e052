"""Calibration of the synthetic demonstration data: real magnitudes, real shapes.

Shapes (shares of allocataires and their dispersion) come from the real open
data file `caf-iris-2018.csv` (CAF/Insee, IRIS level); `iris_shapes` recomputes
them and a test checks that the constants below still agree with the file.
Magnitudes come from DOMAIN.md (section 5) and public Cnaf orders of magnitude.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Share:
    """A national share of allocataires and its dispersion (coefficient of variation)."""

    mean: float
    cv: float


#: Shares of foyers allocataires, from caf-iris-2018.csv (pairwise non-blank IRIS,
#: weighted by allocataires; cv across IRIS with at least 200 allocataires).
IRIS_SHARES = {
    "PERCOU": Share(2.289, 0.203),  # persons covered per foyer
    "AI": Share(0.486, 0.334),  # isolé
    "AM": Share(0.161, 0.333),  # monoparent
    "ACSSENF": Share(0.054, 0.377),  # couple sans enfant
    "ACAVENF": Share(0.303, 0.423),  # couple avec enfants
    "ENF_2": Share(0.148, 0.368),
    "ENF_3_5": Share(0.145, 0.38),
    "ENF_6_10": Share(0.248, 0.389),
    "ENF_11_14": Share(0.187, 0.398),
    "ENF_15_17": Share(0.125, 0.388),
    "ENF_18_24": Share(0.082, 0.409),
    "AAL": Share(0.592, 0.312),
    "AAAH": Share(0.088, 0.478),
    "APPA": Share(0.235, 0.269),
    "ARSAS": Share(0.155, 0.527),
}

#: Allocataires per inhabitant: Bouches-du-Rhône 378,450 / 1,835,407 (DOMAIN.md);
#: the IRIS file gives 0.20 (median commune) to 0.22 (weighted), cv 0.22.
ALLOC_PER_INHABITANT = Share(0.206, 0.22)

#: Small communes have fewer allocataires and fewer housing and minimum benefits
#: than the IRIS-covered towns the shares come from (factor applied below 2,000 inh.).
RURAL_THRESHOLD = 2_000
RURAL_FACTORS = {"ALLOC": 0.85, "AL": 0.65, "RSA": 0.55, "AAH": 0.9, "EAJE": 0.25, "ASSMAT": 1.4}

#: Children per family foyer within an age band (siblings in the same band).
SIBLINGS = {"0_2": 0.05, "3_5": 0.06, "6_10": 0.20, "11_14": 0.15, "15_17": 0.08, "18_24": 0.10}
IRIS_AGE_COLUMNS = {
    "0_2": "ENF_2",
    "3_5": "ENF_3_5",
    "6_10": "ENF_6_10",
    "11_14": "ENF_11_14",
    "15_17": "ENF_15_17",
    "18_24": "ENF_18_24",
}
SITFAM_COLUMNS = {
    "isole": "AI",
    "monoparent": "AM",
    "couple_sans_enfant": "ACSSENF",
    "couple_avec_enfants": "ACAVENF",
}

#: Agricultural regime (MSA) foyers added to Cnaf ones for cnaf+msa indicators.
MSA_SHARE = {"urban": 0.02, "rural": 0.08}

#: Mean amount per foyer (euros, 2019), its cv across foyers and a ceiling per foyer
#: (benefit scales cap what one foyer can receive). As the catalogue
#: defines them, AL, AAH, PPA, RSA and Paje amounts are the December monthly right
#: (about a twelfth of the annual 2,700, 11,000, 2,200, 6,500 and 3,000 euros);
#: CMG and indus are annual totals.
AMOUNTS = {
    "AL_MONTANT": (225.0, 0.5, 900.0),
    "AAH_MONTANT": (917.0, 0.25, 1_150.0),
    "PPA_MONTANT": (183.0, 0.6, 800.0),
    "RSA_MONTANT": (542.0, 0.5, 1_800.0),
    "PAJE_MONTANT": (250.0, 0.6, 1_300.0),
    "CMG_MONTANT": (5_000.0, 0.5, 12_000.0),
    "INDUS_MONTANT": (400.0, 1.5, 60_000.0),
}
INDUS_SHARE = 0.06  # foyers with an overpayment recovered during the year

#: Childcare supply, France: 319,000 places in collective and family care and
#: 473,601 children minded by an assistante maternelle (DOMAIN.md).
EAJE_PLACES_FRANCE = 319_000
EAJE_MEAN_PLACES = 30.0  # places per équipement (micro-crèches 10, large crèches 80)
EAJE_FAMILIAL_SHARE = 0.15  # crèches familiales among équipements
EAJE_ENROLLED_PER_PLACE = 1.6  # part-time care: more children than places
ASSMAT_CHILDREN_FRANCE = 473_601
ASSMAT_CHILDREN_PER_ASSMAT = 2.7
#: Rates per child under 3 (Cnaf + MSA) living in the commune, tuned so that France
#: in 2019 matches the figures above (checked by the calibration test).
ASSMAT_RATE = 0.077
EAJE_RATE = 0.0068
PAJE_TAKE_UP = {"0_2": 0.88, "3_5": 0.25}  # foyers with a child of that age receiving Paje
CMG_TAKE_UP = 0.9  # foyers of children minded by an assistante maternelle receiving CMG
ACTIVE_PARENTS = {"monoparent": 0.45, "couple_avec_enfants": 0.62}
MONOPARENT_UNDER3 = 0.15  # single parents among families with a child under 3
ASSMAT_PLACES = {1: 0.03, 2: 0.10, 3: 0.40, 4: 0.47}  # approved places per assistante maternelle
ASSMAT_AGE_SHARE = {"0_2": 0.7, "3_5": 0.3}
HORS_COMMUNE_SHARE = {"urban": 0.25, "rural": 0.6}

#: Year-on-year drift per indicator family (mild trends; 2020-2021 Covid bump for RSA).
TRENDS = {
    "ALLOC": (1.0, 1.005, 1.01, 1.012, 1.015, 1.02),
    "CHILDREN": (1.0, 0.985, 0.97, 0.955, 0.94, 0.92),  # falling births
    "AL": (1.0, 1.0, 0.95, 0.94, 0.94, 0.935),  # 2021 reform of housing benefits
    "RSA": (1.0, 1.08, 1.05, 0.99, 0.97, 0.96),
    "AAH": (1.0, 1.025, 1.05, 1.075, 1.10, 1.125),
    "PPA": (1.0, 1.03, 1.06, 1.09, 1.12, 1.15),
    "EAJE": (1.0, 1.015, 1.03, 1.045, 1.06, 1.075),
    "ASSMAT": (1.0, 0.97, 0.94, 0.91, 0.88, 0.85),
    "PRICES": (1.0, 1.01, 1.02, 1.06, 1.10, 1.12),  # revaluations of benefit amounts
}


def iris_shapes(path: Path) -> dict[str, Share]:
    """Recompute the allocataire shares and their dispersion from caf-iris-2018.csv."""
    frame = pd.read_csv(path, sep=";", dtype={"CODGEO": str, "DEPCOM": str})
    shapes = {}
    for column in IRIS_SHARES:
        both = frame[["A", column]].dropna()
        large = both[both["A"] >= 200]
        ratio = large[column] / large["A"]
        shapes[column] = Share(
            round(float(both[column].sum() / both["A"].sum()), 3),
            round(float(ratio.std() / ratio.mean()), 3),
        )
    return shapes
