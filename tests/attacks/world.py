"""The attacked gateway: an app on SQLite with the test store, and conventioned requesters."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from gateway.db.models import ReleasedCell, TerritoryDefinition
from gateway.services.conventions.clauses import mandatory_clauses
from gateway.services.demo.conventions import activated_convention
from gateway.services.requesters import registry as requesters
from gateway.services.requesters.api_keys import issue_key
from gateway.store import CellStore
from policies.catalogue import Catalogue
from policies.secrecy import TOTAL
from tests.attacks.families import families
from tests.attacks.oracle import attack
from tests.attacks.player import SECRECY_REFUSALS, Observation, Player
from tests.attacks.verdict import Verdict, describe
from tests.support.state import get_database

PERIODS = list(range(2019, 2025))
BREAKDOWNS = ("age_enfant", "age_jeune_enfant", "situation_familiale", "mode_accueil")
_PDF = b"%PDF-1.4\n% convention de test (attaque)\n%%EOF\n"


@dataclass(frozen=True)
class Requester:
    """A requester the adversary plays: its id and its API key."""

    id: int
    key: str
    departement: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def conventioned_departement(app: Flask, departement: str) -> Requester:
    """Create a conseil départemental with an active free convention on its département."""
    return _conventioned(app, departement, national=False)


def conventioned_national(app: Flask, caf: str = "13") -> Requester:
    """Create a State service with an active free national convention (every territory)."""
    return _conventioned(app, caf, national=True)


def _conventioned(app: Flask, departement: str, *, national: bool) -> Requester:
    kind = "service_etat" if national else "conseil_departemental"
    with app.app_context(), get_database().transaction() as session:
        requester = requesters.create_requester(
            session,
            None,
            {
                "name": f"{kind} {departement} (adversaire {uuid.uuid4().hex[:8]})",
                "type": kind,
                "caf_code": departement,
                "territory_level": "departement",
                "territory_code": departement,
            },
        )
        clauses = [c.code for c in mandatory_clauses(session)]
        terms = _convention(requester.id, departement, clauses, national)
        activated_convention(session, terms, document=_PDF, filename="convention.pdf")
        key = issue_key(session, requester.id).plaintext
        return Requester(requester.id, key, departement)


def _convention(
    requester_id: int, departement: str, clauses: list[str], national: bool
) -> dict[str, Any]:
    start = date(2024, 1, 1)
    france = {"territories": [{"level": "france", "code": "FR"}]}
    where: dict[str, Any] = france if national else {"own_territory": True}
    return {
        "caf_code": departement,
        "requester_id": requester_id,
        "finalite": "Pilotage du RSA et schéma départemental des services aux familles",
        "uses": ["usage_final", "usage_strictement_interne"],
        "scope": {
            "tiers": ["socle_commun", "convention", "restreint"],
            **where,
            "finest_level": "commune",
            "periods": PERIODS,
            "breakdowns": list(BREAKDOWNS),
        },
        "pricing": "gratuit_exoneration",
        "start": start,
        "end": date(2099, 12, 31),
        "clauses": clauses,
        "signatories": [
            {
                "name": "Directeur de la Caf",
                "role": "directeur",
                "party": "caf",
                "signed_on": start,
            },
            {"name": "Président", "role": "président", "party": "demandeur", "signed_on": start},
        ],
    }


def ledger_observations(
    app: Flask,
    audiences: tuple[int | None, ...] = (None,),
    tables: Collection[tuple[str, int]] | None = None,
) -> set[Observation]:
    """Return the cells of the ledger released to these audiences (None: the public).

    With `tables`, only those (indicator, period): the public ledger holds the whole socle.
    Withheld cells come too (value None): the requester was told they exist.
    """
    known = [a for a in audiences if a is not None]
    audience = ReleasedCell.audience.in_(known)
    if None in audiences:
        audience = audience | ReleasedCell.audience.is_(None)
    query = (
        select(
            ReleasedCell.indicator,
            ReleasedCell.period,
            ReleasedCell.category,
            TerritoryDefinition.communes,
            ReleasedCell.value,
            ReleasedCell.published,
        )
        .join(TerritoryDefinition, TerritoryDefinition.id == ReleasedCell.definition_id)
        .where(audience)
    )
    if tables is not None:
        query = query.where(
            ReleasedCell.indicator.in_({i for i, _ in tables}),
            ReleasedCell.period.in_({p for _, p in tables}),
        )
    with app.app_context(), get_database().sessions() as session:
        rows = session.execute(query).all()
    sets: dict[str, frozenset[str]] = {}  # one object per set: hashed once, compared by identity
    return {
        Observation(
            indicator,
            period,
            category,
            sets.get(communes) or sets.setdefault(communes, frozenset(communes.split(","))),
            value if published else None,
        )
        for indicator, period, category, communes, value, published in rows
        if tables is None or (indicator, period) in tables
    }


def related_tables(
    catalogue: Catalogue, observations: Iterable[Observation]
) -> set[tuple[str, int]]:
    """Return every (stored indicator, period) an attacker's observations tie into its system.

    Its families' members (ENF_MOINS_3 and ENF_MOINS_6 are one table), and a ratio's terms.
    """
    by_member = families(catalogue)
    ratios = {r.code: (r.numerator, r.denominator) for r in catalogue.ratios()}
    tables = set()
    for cell in observations:
        for code in ratios.get(cell.indicator) or (cell.indicator,):
            assert code is not None
            family = by_member[code]
            tables |= {(member, cell.period) for member, _ in family.placement}
    return tables


def judge(app: Flask, player: Player, store: CellStore, catalogue: Catalogue) -> Verdict:
    """Attack with all the player received, its ledger, the public ledger and the catalogue.

    Only the targets sharing a commune with the player's own deliveries are judged (all
    when it read the socle only): the rest of the public tables has its own test.
    """
    tables = related_tables(catalogue, player.observations)
    audiences = (None,) if player.requester_id is None else (None, player.requester_id)
    seen = player.observations | ledger_observations(app, audiences, tables)
    targets = player.requested | set(player.zones.values())
    return attack(seen, store, catalogue, targets, player.focus)


def ratio_leaks(app: Flask, player: Player, catalogue: Catalogue) -> list[str]:
    """Return every published ratio one of whose terms the requester's ledger does not hold
    as published: the protection then never counted the term as known."""
    audiences = (None,) if player.requester_id is None else (None, player.requester_id)
    ratios = {r.code: (r.numerator, r.denominator) for r in catalogue.ratios()}
    shown = [o for o in player.observations if o.indicator in ratios and o.published]
    tables = {(t, o.period) for o in shown for t in ratios[o.indicator] if t}
    known = {
        (o.indicator, o.period, o.communes)
        for o in ledger_observations(app, audiences, tables)
        if o.published and o.category == TOTAL
    }
    return [
        f"{o.indicator} {o.period} ({len(o.communes)} communes) = {o.value} sans {term} publié"
        for o in shown
        for term in ratios[o.indicator]
        if (term, o.period, o.communes) not in known
    ]


def assert_nothing_disclosed(
    app: Flask, player: Player, store: CellStore, catalogue: Catalogue
) -> Verdict:
    """Judge the player; every unsafe cell bounded outside its protection, every refusal
    a secrecy refusal that says what to ask instead, at least one unsafe cell tried."""
    print([(o.label, o.status, o.rules) for o in player.log])
    assert not player.unexpected(), player.unexpected()
    secrecy = [o for o in player.refusals if set(o.rules) & SECRECY_REFUSALS]
    assert all(o.remedies and all(o.remedies) for o in secrecy), secrecy
    verdict = judge(app, player, store, catalogue)
    print(describe(verdict))
    assert verdict.unsafe > 0, "the attack bounded no unsafe cell: nothing was tested"
    assert not verdict.disclosures, describe(verdict)
    return verdict
