"""The synthetic model of one département: every stored indicator for its communes x periods.

Each function returns cells as (value, freq, top1, top2) arrays shaped
(periods, communes, categories). Counts are Poisson/binomial draws, so small
communes get the small cells (0, 1, 2, 3...) on which secrecy rules bite; amounts
and multi-child foyers get consistent top contributions (see demo_draws).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gateway.store import demo_calibration as cal
from gateway.store.demo_catalogue import STORED
from gateway.store.demo_draws import (
    discrete_cells,
    lognormal_cells,
    poisson_siblings,
    union_cells,
    unit_cells,
)
from gateway.store.kernels import grouped_sum, grouped_top2

Cells = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # value, freq, top1, top2
PERSONS = {1: 0.45, 2: 0.17, 3: 0.15, 4: 0.13, 5: 0.06, 6: 0.025, 7: 0.01, 8: 0.005}
TWINS = {1: 0.95, 2: 0.05}
N_PERIODS = 6


@dataclass(frozen=True)
class Territory:
    """The latent, period-independent traits of a département's communes."""

    population: np.ndarray
    rural: np.ndarray  # below the rural threshold
    alloc_rate: np.ndarray  # allocataires per inhabitant
    factors: dict[str, np.ndarray]  # per-commune multiplier of each IRIS share


def trend(name: str) -> np.ndarray:
    """Return a trend as a (periods, 1) column to broadcast over communes."""
    return np.asarray(cal.TRENDS[name])[:, None]


def _lognormal_factor(rng: np.random.Generator, cv: float, size: int) -> np.ndarray:
    """Draw mean-one multipliers with this coefficient of variation."""
    sigma = np.sqrt(np.log1p(cv**2))
    return rng.lognormal(-(sigma**2) / 2, sigma, size)


def territory(rng: np.random.Generator, population: np.ndarray) -> Territory:
    """Draw the communes' latent traits (they persist across periods)."""
    n = len(population)
    rural = population < cal.RURAL_THRESHOLD
    rate = cal.ALLOC_PER_INHABITANT.mean * _lognormal_factor(rng, cal.ALLOC_PER_INHABITANT.cv, n)
    rate = np.where(rural, rate * cal.RURAL_FACTORS["ALLOC"], rate)
    # Commune dispersion is about half the IRIS one: communes average several IRIS.
    factors = {k: _lognormal_factor(rng, s.cv / 2, n) for k, s in cal.IRIS_SHARES.items()}
    return Territory(population.astype(np.float64), rural, rate, factors)


def _p(t: Territory, share: str, extra: np.ndarray | float = 1.0) -> np.ndarray:
    """Return a per-commune probability from an IRIS share, capped below one."""
    return np.clip(cal.IRIS_SHARES[share].mean * t.factors[share] * extra, 0.0, 0.95)


def _stack(*cells: Cells) -> Cells:
    """Stack category cells (periods, communes) along a last category axis."""
    return tuple(np.stack([c[i] for c in cells], axis=-1) for i in range(4))  # type: ignore[return-value]


def _with_freq(freq: np.ndarray, summary: tuple[np.ndarray, ...]) -> Cells:
    """Return (value, freq, top1, top2) from a (value, top1, top2) summary."""
    return summary[0], freq, summary[1], summary[2]


def foyers(rng: np.random.Generator, t: Territory) -> dict[str, np.ndarray]:
    """Draw allocataires and their family situations per period x commune."""
    alloc = rng.poisson(t.population * t.alloc_rate * trend("ALLOC"))
    shares = np.stack([cal.IRIS_SHARES[c].mean * t.factors[c] for c in cal.SITFAM_COLUMNS.values()])
    pvals = np.broadcast_to((shares / shares.sum(axis=0)).T, (*alloc.shape, shares.shape[0]))
    sitfam = rng.multinomial(alloc, pvals)
    drawn = {"ALLOC": alloc, "families": sitfam[..., 1] + sitfam[..., 3]}
    drawn |= {code: sitfam[..., i] for i, code in enumerate(cal.SITFAM_COLUMNS)}
    return drawn


def children(rng: np.random.Generator, t: Territory, f: dict[str, np.ndarray]) -> dict[str, Cells]:
    """Draw children by age band (foyers are the contributors) and the MSA complement."""
    family_share = cal.IRIS_SHARES["AM"].mean + cal.IRIS_SHARES["ACAVENF"].mean
    out: dict[str, Cells] = {}
    for band, column in cal.IRIS_AGE_COLUMNS.items():
        lam = cal.SIBLINGS[band]
        births = trend("CHILDREN") if band in ("0_2", "3_5") else 1.0
        q = _p(t, column, births / ((1 + lam) * family_share))
        n = rng.binomial(f["families"], q)
        out[band] = _with_freq(n, discrete_cells(rng, n, poisson_siblings(lam)))
    for band in ("0_2", "3_5"):
        msa_rate = np.where(t.rural, cal.MSA_SHARE["rural"], cal.MSA_SHARE["urban"])
        n = rng.poisson(out[band][1] * msa_rate)
        msa = discrete_cells(rng, n, poisson_siblings(cal.SIBLINGS[band]))
        merged = union_cells((out[band][0], out[band][2], out[band][3]), msa)
        out[f"msa+{band}"] = _with_freq(out[band][1] + n, merged)
    return out


def benefits(rng: np.random.Generator, t: Territory, f: dict[str, np.ndarray]) -> dict[str, Cells]:
    """Draw the legal benefits (counts, then consistent monthly or annual amounts)."""
    rural = {k: np.where(t.rural, cal.RURAL_FACTORS[k], 1.0) for k in ("AL", "RSA", "AAH")}
    counts = {
        "AL": rng.binomial(f["ALLOC"], _p(t, "AAL", rural["AL"] * trend("AL"))),
        "AAH": rng.binomial(f["ALLOC"], _p(t, "AAAH", rural["AAH"] * trend("AAH"))),
        "PPA": rng.binomial(f["ALLOC"], _p(t, "APPA", trend("PPA"))),
        "RSA": rng.binomial(f["ALLOC"], _p(t, "ARSAS", rural["RSA"] * trend("RSA"))),
        "PAJE": f["PAJE"],
        "CMG": f["CMG"],
        "INDUS": rng.binomial(f["ALLOC"], cal.INDUS_SHARE),
    }
    out = {code: _with_freq(n, unit_cells(n)) for code, n in counts.items()}
    for code, n in counts.items():
        mean, cv, cap = cal.AMOUNTS[f"{code}_MONTANT"]
        prices = trend("PRICES")
        drawn = lognormal_cells(rng, n, mean * prices, cv, cap * prices)
        out[f"{code}_MONTANT"] = _with_freq(n, drawn)
    return out


def assmat(rng: np.random.Generator, t: Territory, under3: np.ndarray) -> dict[str, Cells]:
    """Draw assistantes maternelles, their places and the children they mind."""
    rural = np.where(t.rural, cal.RURAL_FACTORS["ASSMAT"], 1.0)
    n = rng.poisson(under3 * cal.ASSMAT_RATE * rural * trend("ASSMAT"))
    out = {"ASSMAT_ACTIVES": _with_freq(n, unit_cells(n))}
    out["PLACES_ASSMAT"] = _with_freq(n, discrete_cells(rng, n, cal.ASSMAT_PLACES))
    per_foyer = sum(k * p for k, p in TWINS.items())
    minded = []
    for band, share in cal.ASSMAT_AGE_SHARE.items():
        lam = n * cal.ASSMAT_CHILDREN_PER_ASSMAT * share / per_foyer
        k = rng.poisson(lam)
        minded.append(_with_freq(k, discrete_cells(rng, k, TWINS)))
        out[f"gardes+{band}"] = minded[-1]
    away = np.where(t.rural, cal.HORS_COMMUNE_SHARE["rural"], cal.HORS_COMMUNE_SHARE["urban"])
    k = rng.binomial(minded[0][1] + minded[1][1], away)
    out["ENF_GARDES_HORS_COMMUNE"] = _with_freq(k, discrete_cells(rng, k, TWINS))
    return out


def eaje(rng: np.random.Generator, t: Territory, under3: np.ndarray) -> dict[str, Cells]:
    """Draw crèches (one contributor each), their places and enrolled children per mode."""
    rural = np.where(t.rural, cal.RURAL_FACTORS["EAJE"], 1.0)
    count = rng.poisson(under3[-1] * cal.EAJE_RATE * rural)
    commune = np.repeat(np.arange(len(count)), count)
    # Most équipements existed in 2019; the others open over the period (supply grows).
    opened = np.where(rng.random(len(commune)) < 0.93, 0, rng.integers(1, N_PERIODS, len(commune)))
    size = _lognormal_factor(rng, 0.6, len(commune))
    places = np.maximum(8.0, np.rint(cal.EAJE_MEAN_PLACES * size))
    familial = (rng.random(len(commune)) < cal.EAJE_FAMILIAL_SHARE).astype(np.int64)
    covid = np.array([1.0, 0.9, 1.0, 1.0, 1.0, 1.0])[:, None]
    enrolled = np.rint(places * cal.EAJE_ENROLLED_PER_PLACE * covid)
    enrolled *= _lognormal_factor(rng, 0.1, enrolled.size).reshape(enrolled.shape)
    enrolled = np.maximum(1.0, np.rint(enrolled))
    n_c = len(count)
    periods = np.arange(N_PERIODS)[:, None]
    open_now = opened[None, :] <= periods
    p_idx = np.broadcast_to(periods, open_now.shape)[open_now]
    unit = np.nonzero(open_now)[1]
    places_cells = _equipment_cells(p_idx * n_c + commune[unit], places[unit], N_PERIODS * n_c)
    keys = (p_idx * n_c + commune[unit]) * 2 + familial[unit]
    enrolled_cells = _equipment_cells(keys, enrolled[open_now], N_PERIODS * n_c * 2)
    return {
        "PLACES_EAJE": tuple(a.reshape(N_PERIODS, n_c) for a in places_cells),  # type: ignore[dict-item]
        "ENF_INSCRITS_EAJE": tuple(a.reshape(N_PERIODS, n_c, 2) for a in enrolled_cells),  # type: ignore[dict-item]
    }


def _equipment_cells(keys: np.ndarray, values: np.ndarray, size: int) -> Cells:
    """Sum équipements per cell; each équipement is one contributor."""
    value = grouped_sum(keys, values, size)
    freq = np.bincount(keys, minlength=size)
    top1, top2 = grouped_top2(keys, values, np.zeros(len(values)), size)
    return value, freq, top1, top2


def _units(n: np.ndarray) -> Cells:
    """Return cells where each unit counts for one."""
    return _with_freq(n, unit_cells(n))


def _zeros(shape: tuple[int, ...]) -> Cells:
    """Return structurally empty cells."""
    zero = np.zeros(shape)
    return zero, zero.astype(np.int64), zero, zero


def draw_departement(rng: np.random.Generator, population: np.ndarray) -> dict[str, Cells]:
    """Draw every stored indicator for a département's communes (periods x communes x cats)."""
    t = territory(rng, population)
    f = foyers(rng, t)
    kids = children(rng, t, f)
    f["PAJE"] = np.sum([rng.binomial(kids[b][1], p) for b, p in cal.PAJE_TAKE_UP.items()], axis=0)
    under3 = kids["msa+0_2"][0]
    care = assmat(rng, t, under3)
    f["CMG"] = rng.binomial(care["gardes+0_2"][1] + care["gardes+3_5"][1], cal.CMG_TAKE_UP)
    out = benefits(rng, t, f) | eaje(rng, t, under3)
    mono = rng.binomial(kids["0_2"][1], cal.MONOPARENT_UNDER3)
    active = {
        k: rng.binomial(n, cal.ACTIVE_PARENTS[k])
        for k, n in (("monoparent", mono), ("couple_avec_enfants", kids["0_2"][1] - mono))
    }
    empty = _zeros(mono.shape)
    out |= {
        "ALLOC": _units(f["ALLOC"]),
        "PERCOU": _with_freq(f["ALLOC"], discrete_cells(rng, f["ALLOC"], PERSONS)),
        "ALLOC_SITFAM": _stack(*(_units(f[k]) for k in cal.SITFAM_COLUMNS)),
        "ENF_COUVERTS": _stack(*(kids[b] for b in cal.IRIS_AGE_COLUMNS)),
        "ENF_MOINS_6": _stack(kids["msa+0_2"], kids["msa+3_5"]),
        "ENF_MOINS_3": kids["msa+0_2"],
        "FAM_ACTIVES_MOINS_3": _stack(
            empty, _units(active["monoparent"]), empty, _units(active["couple_avec_enfants"])
        ),
        "ASSMAT_ACTIVES": care["ASSMAT_ACTIVES"],
        "PLACES_ASSMAT": care["PLACES_ASSMAT"],
        "ENF_GARDES_ASSMAT": _stack(care["gardes+0_2"], care["gardes+3_5"]),
        "ENF_GARDES_HORS_COMMUNE": care["ENF_GARDES_HORS_COMMUNE"],
    }
    return {code: _with_category_axis(cells) for code, cells in out.items() if code in STORED}


def _with_category_axis(cells: Cells) -> Cells:
    """Give cells without a breakdown a single-category last axis."""
    if cells[0].ndim == 3:
        return cells
    return tuple(a[..., None] for a in cells)  # type: ignore[return-value]
