"""Conventions: the terms of a data-sharing agreement and their lifecycle (pure values)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from policies.domain import GeoLevel, PricingMode, Tier, Use
from policies.errors import Conflict, InvalidInput

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ConventionStatus(StrEnum):
    BROUILLON = "brouillon"
    ACTIVE = "active"
    SUSPENDUE = "suspendue"
    EXPIREE = "expiree"
    RESILIEE = "resiliee"


class Party(StrEnum):
    CAF = "caf"
    DEMANDEUR = "demandeur"


PARTY_LABELS: Mapping[Party, str] = {Party.CAF: "Caf", Party.DEMANDEUR: "demandeur"}

#: Allowed status changes; renewal is not a transition but a new version (see `renew`).
TRANSITIONS: Mapping[ConventionStatus, frozenset[ConventionStatus]] = {
    ConventionStatus.BROUILLON: frozenset({ConventionStatus.ACTIVE, ConventionStatus.RESILIEE}),
    ConventionStatus.ACTIVE: frozenset(
        {ConventionStatus.SUSPENDUE, ConventionStatus.EXPIREE, ConventionStatus.RESILIEE}
    ),
    ConventionStatus.SUSPENDUE: frozenset(
        {ConventionStatus.ACTIVE, ConventionStatus.EXPIREE, ConventionStatus.RESILIEE}
    ),
    ConventionStatus.EXPIREE: frozenset(),
    ConventionStatus.RESILIEE: frozenset(),
}
RENEWABLE = frozenset(
    {ConventionStatus.ACTIVE, ConventionStatus.SUSPENDUE, ConventionStatus.EXPIREE}
)


@dataclass(frozen=True)
class MandatoryClause:
    code: str
    label_fr: str
    description_fr: str


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str  # qualité: directeur de la Caf, maire, président...
    party: Party
    signed_on: date | None = None


@dataclass(frozen=True)
class Quotas:
    extracts_per_month: int | None = None  # None: unlimited
    cells_per_month: int | None = None


@dataclass(frozen=True)
class ConventionScope:
    """What the convention covers; a request must fit entirely inside it."""

    indicators: frozenset[str] = frozenset()  # explicit indicator codes ...
    tiers: frozenset[Tier] = frozenset()  # ... and/or whole tiers
    territories: frozenset[tuple[GeoLevel, str]] = frozenset()
    own_territory: bool = False  # the requester's own territory and its sub-territories
    # A conseil départemental's own territory also covers the EPCI its département belongs
    # to when they straddle other départements; False: only the EPCI wholly inside it.
    epci_a_cheval: bool = True
    finest_level: GeoLevel = GeoLevel.DEPARTEMENT
    periods: frozenset[int] = frozenset()
    breakdowns: frozenset[str] = frozenset()  # empty: totals only
    derogation_niveau: bool = False  # explicitly allows finer than the type's matrix level


@dataclass(frozen=True)
class StatusChange:
    on: date
    from_status: ConventionStatus
    to_status: ConventionStatus
    reason_fr: str = ""


@dataclass(frozen=True)
class Convention:
    """The terms of one version of a convention between a Caf and a requester."""

    id: str
    reference: str  # e.g. CONV-13-2026-004, shared by every version
    caf_code: str
    requester_id: str
    finalite: str
    uses: frozenset[Use]
    scope: ConventionScope
    start: date | None = None
    end: date | None = None
    version: int = 1
    status: ConventionStatus = ConventionStatus.BROUILLON
    quotas: Quotas = Quotas()
    pricing: PricingMode = PricingMode.PER_EXTRACT
    clauses: frozenset[str] = frozenset()  # codes of the mandatory clauses checked
    signatories: tuple[Signatory, ...] = ()
    document_sha256: str | None = None
    allows_rediffusion_to: frozenset[str] = frozenset()  # requester ids
    notes: str = ""
    previous_id: str | None = None  # the version this one renews
    history: tuple[StatusChange, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        return f"{self.reference} v{self.version}"


def effective_status(conv: Convention, today: date) -> ConventionStatus:
    """Return the status as of today: an active or suspended convention past its end expires."""
    live = conv.status in (ConventionStatus.ACTIVE, ConventionStatus.SUSPENDUE)
    if live and conv.end is not None and conv.end < today:
        return ConventionStatus.EXPIREE
    return conv.status


def in_force(conv: Convention, today: date) -> bool:
    """Return whether the convention serves requests today (active and within its dates)."""
    return (
        effective_status(conv, today) is ConventionStatus.ACTIVE
        and conv.start is not None
        and conv.end is not None
        and conv.start <= today <= conv.end
    )


def _move(conv: Convention, to: ConventionStatus, today: date, reason: str) -> Convention:
    if to not in TRANSITIONS[conv.status]:
        raise Conflict(
            f"convention {conv.label} : passage de « {conv.status} » à « {to} » impossible",
            [f"transitions possibles : {', '.join(sorted(TRANSITIONS[conv.status])) or 'aucune'}"],
        )
    change = StatusChange(today, conv.status, to, reason)
    return replace(conv, status=to, history=(*conv.history, change))


def missing_for_activation(
    conv: Convention, today: date, mandatory_clauses: Iterable[str | MandatoryClause]
) -> list[str]:
    """List, in French, every piece missing before the convention can be activated."""
    codes = [c.code if isinstance(c, MandatoryClause) else c for c in mandatory_clauses]
    missing = [f"clause obligatoire non cochée : {c}" for c in codes if c not in conv.clauses]
    parties = {s.party for s in conv.signatories if s.name.strip()}
    missing += [f"signataire manquant pour la partie « {p} »" for p in Party if p not in parties]
    missing += _missing_signatures(conv.signatories, today)
    if conv.start is None:
        missing.append("date de début manquante")
    if conv.end is None:
        missing.append("date de fin manquante")
    if conv.start and conv.end and conv.end < conv.start:
        missing.append("date de fin antérieure à la date de début")
    if conv.end and conv.end < today:
        missing.append(f"date de fin déjà passée ({conv.end.isoformat()})")
    if conv.document_sha256 is None or not _SHA256.match(conv.document_sha256):
        missing.append("document signé manquant (empreinte SHA-256)")
    if not conv.finalite.strip():
        missing.append("finalité manquante")
    if not conv.uses:
        missing.append("aucun usage autorisé")
    missing += _missing_scope(conv.scope)
    return missing


def _missing_signatures(signatories: Iterable[Signatory], today: date) -> list[str]:
    """Every signatory must have signed, and not in the future."""
    missing = []
    for s in signatories:
        who = f"« {s.name.strip() or '?'} » ({PARTY_LABELS[s.party]})"
        if s.signed_on is None:
            missing.append(f"date de signature manquante pour le signataire {who}")
        elif s.signed_on > today:
            missing.append(
                f"date de signature du signataire {who} dans le futur ({s.signed_on.isoformat()})"
            )
    return missing


def _missing_scope(scope: ConventionScope) -> list[str]:
    missing = []
    if not scope.indicators and not scope.tiers:
        missing.append("périmètre : aucun indicateur ni palier")
    if not scope.territories and not scope.own_territory:
        missing.append("périmètre : aucun territoire")
    if not scope.periods:
        missing.append("périmètre : aucune période")
    if Tier.INTERNE in scope.tiers:
        missing.append("périmètre : le palier interne ne peut pas être conventionné")
    return missing


def activate(
    conv: Convention, today: date, mandatory_clauses: Iterable[str | MandatoryClause]
) -> Convention:
    """Activate a draft, or refuse listing every missing clause, signatory, date or document."""
    if conv.status is not ConventionStatus.BROUILLON:
        return _move(conv, ConventionStatus.ACTIVE, today, "activation")
    missing = missing_for_activation(conv, today, mandatory_clauses)
    if missing:
        raise InvalidInput(
            f"La convention {conv.label} ne peut pas être activée : {' ; '.join(missing)}.",
            missing,
        )
    return _move(conv, ConventionStatus.ACTIVE, today, "activation")


def suspend(conv: Convention, today: date, reason_fr: str = "") -> Convention:
    """Suspend an active convention (no request is served while suspended)."""
    return _move(expire_if_due(conv, today), ConventionStatus.SUSPENDUE, today, reason_fr)


def resume(conv: Convention, today: date) -> Convention:
    """Resume a suspended convention, unless its end date has passed."""
    if conv.status is not ConventionStatus.SUSPENDUE:
        raise Conflict(f"convention {conv.label} : seule une convention suspendue reprend")
    return _move(expire_if_due(conv, today), ConventionStatus.ACTIVE, today, "reprise")


def terminate(conv: Convention, today: date, reason_fr: str = "") -> Convention:
    """Terminate (résilier) a convention for good."""
    return _move(conv, ConventionStatus.RESILIEE, today, reason_fr)


def expire_if_due(conv: Convention, today: date) -> Convention:
    """Record the expiry of a live convention past its end date; otherwise return it unchanged."""
    if effective_status(conv, today) is ConventionStatus.EXPIREE and conv.status in (
        ConventionStatus.ACTIVE,
        ConventionStatus.SUSPENDUE,
    ):
        return _move(conv, ConventionStatus.EXPIREE, today, "date de fin atteinte")
    return conv


def renew(conv: Convention, new_start: date, new_end: date, *, new_id: str) -> Convention:
    """Create the next version as a draft: same terms, to be signed and activated again."""
    if conv.status not in RENEWABLE:
        raise Conflict(
            f"convention {conv.label} : une convention « {conv.status} » ne se renouvelle pas"
        )
    if new_end < new_start:
        raise InvalidInput("renouvellement : date de fin antérieure à la date de début")
    return replace(
        conv,
        id=new_id,
        version=conv.version + 1,
        status=ConventionStatus.BROUILLON,
        start=new_start,
        end=new_end,
        clauses=frozenset(),  # to be checked again against the new signed document
        signatories=(),
        document_sha256=None,
        previous_id=conv.id,
        history=(),
    )


def mandatory_clauses_from_mapping(raw: Mapping[str, object]) -> tuple[MandatoryClause, ...]:
    """Build the mandatory clause list; errors name the faulty entry."""
    items = raw.get("clauses")
    if not isinstance(items, list) or not items:
        raise InvalidInput("clauses : liste non vide attendue")
    clauses = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or not all(
            isinstance(item.get(k), str) and item[k].strip() for k in ("code", "libelle")
        ):
            raise InvalidInput(f"clauses[{i}] : « code » et « libelle » obligatoires")
        clauses.append(MandatoryClause(item["code"], item["libelle"], item.get("description", "")))
    codes = [c.code for c in clauses]
    if len(set(codes)) != len(codes):
        raise InvalidInput("clauses : codes en double")
    return tuple(clauses)
