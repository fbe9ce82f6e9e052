"""Zones differing from a known territory by a few inhabitants: refused whatever the values."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from gateway.db.models import AuditEntry, ConventionRecord, Extract, Requester
from gateway.pipeline.differencing import (
    MARGIN,
    RELEASED,
    RULE,
    SAME_TABLE,
    Known,
    refusal,
    request_refusal,
)
from gateway.pipeline.request import TOTAL_KEY, TerritoryCell
from gateway.services.audit import queries as audit_log
from gateway.services.conventions.queries import audiences
from gateway.services.ledger import queries as ledger
from gateway.services.ledger.queries import released_sets as released
from policies.domain import GeoLevel
from policies.geography import Geography
from tests.support.state import get_database, pipeline

# --- the rule, on values -------------------------------------------------------------------

POPULATION = {"a": 5000, "b": 4000, "s": 300, "t": 400, "u": 800}
MINIMUM = 1000


def _known(*communes: str, name: str = "« T » (commune t)") -> Known:
    return Known(name, RELEASED, frozenset(communes))


def _decide(zone: set[str], other: set[str]) -> Any:
    subject = Known("« Z » (zone n° 1)", SAME_TABLE, frozenset(zone))
    return refusal([subject], [_known(*other)], POPULATION.__getitem__, MINIMUM)


@pytest.mark.parametrize(
    ("zone", "other", "refused"),
    [
        ({"a", "b", "s"}, {"a", "b"}, True),  # nested: the zone is the other plus one commune
        ({"a", "b"}, {"a", "b", "s"}, True),  # nested the other way
        ({"a", "b", "s"}, {"a", "b", "t"}, True),  # not nested: 300 + 400 inhabitants differ
        ({"a", "b"}, {"a", "b"}, False),  # the same communes: nothing to subtract
        ({"a", "s"}, {"a"}, True),
        ({"a", "b", "s"}, {"a"}, False),  # 4,300 inhabitants differ
        ({"a", "s", "u"}, {"a"}, False),  # two small communes, 1,100 inhabitants together
        ({"a", "s"}, {"b", "s"}, False),  # overlapping, but two large communes differ
    ],
)
def test_the_rule_reads_communes_and_populations(
    zone: set[str], other: set[str], refused: bool
) -> None:
    assert (_decide(zone, other) is not None) is refused


def test_the_refusal_names_the_zone_the_territory_and_the_remedy() -> None:
    found = _decide({"a", "b", "s"}, {"a", "b"})
    assert found.code == "refus_secret_statistique" and found.http_status == 422
    (reason,) = found.reasons
    assert reason["regle"] == RULE
    assert "« Z » (zone n° 1)" in found.detail and "« T » (commune t)" in found.detail
    assert "déjà diffusé" in found.detail and "(s)" in found.detail
    assert reason["solution"] == (
        "utiliser exactement « T » (commune t), ou une zone qui diffère de « T » (commune t) "
        "d'au moins 1000 habitants"
    )


def _cell(level: GeoLevel, code: str, communes: set[str], requested: bool = True) -> TerritoryCell:
    return TerritoryCell(level, code, code.upper(), frozenset(communes), requested)


class _Geography:
    """The part of the geography the rule reads: commune populations."""

    def exists(self, level: GeoLevel, code: str) -> bool:
        return level is GeoLevel.COMMUNE and code in POPULATION

    def population(self, level: GeoLevel, code: str) -> int:
        return POPULATION[code]


def _request(*territories: TerritoryCell) -> Any:
    caller = SimpleNamespace(requester_id=None)  # the public: no zone names, no ledger rows
    return SimpleNamespace(territories=territories, caller=caller, audiences=(None,))


@pytest.mark.parametrize(
    ("territories", "source"),
    [
        # A zone and, in the same table, the communes it adds to another requested territory.
        ((_cell(GeoLevel.ZONE, "1", {"a", "s"}), _cell(GeoLevel.COMMUNE, "a", {"a"})), SAME_TABLE),
        # Two zones of the same request differing by one small commune.
        (
            (_cell(GeoLevel.ZONE, "1", {"a", "b"}), _cell(GeoLevel.ZONE, "2", {"a", "b", "t"})),
            SAME_TABLE,
        ),
        # A zone against the total of the request: the total is a margin of the same table.
        (
            (
                _cell(GeoLevel.ZONE, "1", {"a", "b"}),
                _cell(GeoLevel.COMMUNE, "s", {"s"}),
                _cell(GeoLevel.ZONE, TOTAL_KEY, {"a", "b", "s"}, requested=False),
            ),
            MARGIN,
        ),
        # The total is no custom zone: communes and their total are the engine's business.
        (
            (
                _cell(GeoLevel.COMMUNE, "a", {"a"}),
                _cell(GeoLevel.COMMUNE, "s", {"s"}),
                _cell(GeoLevel.ZONE, TOTAL_KEY, {"a", "s"}, requested=False),
            ),
            "allowed",
        ),
        # A zone and its own large communes.
        ((_cell(GeoLevel.ZONE, "1", {"a", "b"}), _cell(GeoLevel.COMMUNE, "a", {"a"})), "allowed"),
    ],
)
def test_the_territories_of_the_same_request(
    sqlite_app: Flask, territories: tuple[TerritoryCell, ...], source: Any
) -> None:
    with sqlite_app.app_context(), get_database().sessions() as session:
        found = request_refusal(session, _request(*territories), _Geography(), MINIMUM)
    if source == "allowed":
        assert found is None
        return
    assert found is not None and found.reasons[0]["regle"] == RULE
    assert source.origin in found.detail


# --- what the requester knows: its audiences' releases ---------------------------------------


def _release(session: Any, audience: int | None, communes: set[str], extract: str) -> None:
    session.add(Extract(id=extract, fingerprint="-", request={}, status="livre"))
    session.flush()
    row = ("ENF_MOINS_3", 2024, "Total", frozenset(communes), False, None)
    ledger.record(session, extract_id=extract, audience=audience, cells=[row])


def _requester(session: Any, kind: str) -> int:
    return int(session.scalar(select(Requester.id).where(Requester.type == kind)))


def test_only_the_audiences_releases_count(
    sqlite_app: Flask, keys: dict[str, dict[str, str]]
) -> None:
    with sqlite_app.app_context(), get_database().transaction() as session:
        me, partner = _requester(session, "service_etat"), _requester(session, "epci")
        stranger = _requester(session, "commune")
        _release(session, me, {"48001", "48002"}, "mine")
        _release(session, None, {"48003"}, "public")
        _release(session, partner, {"48004", "48005"}, "partner")
        _release(session, stranger, {"48006"}, "stranger")
        _release(session, me, {"13005"}, "far")
        session.execute(
            update(ConventionRecord)
            .where(ConventionRecord.requester_id == partner)
            .values(rediffusion_to=[str(me)])
        )
    with sqlite_app.app_context(), get_database().sessions() as session:
        known_to = audiences(session, me)
        assert known_to == (me, None, partner)
        everything = released(session, known_to, None)
        near = released(session, known_to, frozenset({"48002", "48003", "48005", "48006"}))
    mine, public, partners = (
        frozenset({"48001", "48002"}),
        frozenset({"48003"}),
        frozenset({"48004", "48005"}),
    )
    assert {mine, public, partners, frozenset({"13005"})} <= set(everything)
    assert {mine, public, partners} <= set(near)  # the socle commun's départements too
    assert frozenset({"48006"}) not in set(everything)  # the stranger's release is not known
    assert all(s & {"48002", "48003", "48005", "48006"} for s in near)


# --- journeys through the API, with the test store -----------------------------------------

COEUR_DE_LOZERE = "244800405"  # CC Cœur de Lozère: Mende and six communes, 15,780 inhabitants
PRIMARY = "48002"  # Albaret-Sainte-Marie, 559 inhabitants: its ENF_MOINS_3 2024 cell is secret
PUBLISHED = "48070"  # Grandrieu, 736 inhabitants: its ENF_MOINS_3 2024 cell is published
SMALL = (PRIMARY, PUBLISHED)  # 1,295 inhabitants together: two zones differing by both are fine


def _extract(
    territories: dict[str, Any] | None = None, zones: tuple[int, ...] = ()
) -> dict[str, Any]:
    body: dict[str, Any] = {"indicators": ["ENF_MOINS_3"], "periods": [2024], "use": "usage_final"}
    if territories:
        body["territories"] = territories
    if zones:
        body["zones"] = list(zones)
    return body


def _epci(geography: Geography) -> list[str]:
    return list(geography.communes_of(GeoLevel.EPCI, COEUR_DE_LOZERE))


def _geography(app: Flask) -> Geography:
    with app.app_context():
        return pipeline(app).geography


def _zone(client: FlaskClient, headers: dict[str, str], name: str, communes: list[str]) -> Any:
    return client.post("/api/v1/zones", json={"name": name, "communes": communes}, headers=headers)


def _anonymous(document: dict[str, Any], zone: Any, commune: str) -> str:
    """The refusal without its request id, zone name, zone number and commune code."""
    kept = {k: v for k, v in document.items() if k != "request_id"}
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False)
    for name, placeholder in ((zone["name"], "NOM"), (f"n° {zone['id']}", "n° N"), (commune, "C")):
        text = text.replace(name, placeholder)
    return text


def test_a_zone_a_small_commune_away_from_a_published_zone_is_refused_at_creation(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers, geography = keys["service_etat"], _geography(sqlite_client.application)
    zone = _zone(sqlite_client, headers, "Cœur de Lozère", _epci(geography)).json
    published = sqlite_client.post(
        "/api/v1/extracts", json=_extract(zones=(zone["id"],)), headers=headers
    )
    assert published.status_code == 200, published.get_data(as_text=True)[:300]
    documents = []
    for commune in SMALL:
        name = f"Cœur de Lozère et {commune}"
        refused = _zone(sqlite_client, headers, name, [*_epci(geography), commune])
        assert refused.status_code == 422
        assert refused.json["reasons"][0]["regle"] == RULE
        assert "« Cœur de Lozère »" in refused.json["detail"]
        documents.append(_anonymous(refused.json, {"name": name, "id": "-"}, commune))
    assert documents[0] == documents[1]


def test_a_zone_a_small_commune_away_from_a_territory_published_later_is_refused(
    sqlite_app: Flask, keys: dict[str, dict[str, str]]
) -> None:
    client, headers, geography = (
        sqlite_app.test_client(),
        keys["service_etat"],
        _geography(sqlite_app),
    )
    zones = {c: _zone(client, headers, f"Zone {c}", [*_epci(geography), c]).json for c in SMALL}
    assert all("id" in z for z in zones.values()), zones  # created before the EPCI was released
    epci = _extract({"level": "epci", "codes": [COEUR_DE_LOZERE]})
    assert client.post("/api/v1/extracts", json=epci, headers=headers).status_code == 200
    documents = []
    for commune, zone in zones.items():
        refused = client.post(
            "/api/v1/extracts", json=_extract(zones=(zone["id"],)), headers=headers
        )
        assert refused.status_code == 422, refused.get_data(as_text=True)[:300]
        (reason,) = refused.json["reasons"]
        assert reason["regle"] == RULE and "utiliser exactement" in reason["solution"]
        assert f"(EPCI {COEUR_DE_LOZERE}), déjà diffusé" in refused.json["detail"]
        documents.append(_anonymous(refused.json, zone, commune))
    assert documents[0] == documents[1]  # whether the commune added is secret or not
    with sqlite_app.app_context(), get_database().sessions() as session:
        logged = select(AuditEntry.rules).where(AuditEntry.decision == audit_log.REFUSED)
        assert [RULE] in list(session.scalars(logged))
    # The premise: one commune added is secret, the other is not.
    communes = client.post(
        "/api/v1/extracts",
        json=_extract({"level": "commune", "codes": list(SMALL)}),
        headers=headers,
    ).json["cellules"]
    statuses = {c["code_territoire"]: c["statut"] for c in communes}
    assert statuses[PRIMARY] != "" and statuses[PUBLISHED] == ""


def test_a_zone_and_the_territory_it_nearly_is_in_one_request(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers, geography = keys["service_etat"], _geography(sqlite_client.application)
    zone = _zone(sqlite_client, headers, "Cœur et Grandrieu", [*_epci(geography), PUBLISHED]).json
    body = _extract({"level": "epci", "codes": [COEUR_DE_LOZERE]}, zones=(zone["id"],))
    refused = sqlite_client.post("/api/v1/extracts", json=body, headers=headers)
    assert refused.status_code == 422 and refused.json["reasons"][0]["regle"] == RULE
    assert SAME_TABLE.origin in refused.json["detail"]


def test_a_zone_close_to_another_zone_of_its_requester_is_refused_at_creation(
    sqlite_client: FlaskClient, keys: dict[str, dict[str, str]]
) -> None:
    headers, geography = keys["service_etat"], _geography(sqlite_client.application)
    first = _zone(sqlite_client, headers, "Cœur et Albaret", [*_epci(geography), PRIMARY])
    assert first.status_code == 201
    same = _zone(sqlite_client, headers, "Le même Cœur", [*_epci(geography), PRIMARY])
    assert same.status_code == 201  # the same communes: nothing to subtract
    close = _zone(sqlite_client, headers, "Cœur seul", _epci(geography))
    assert close.status_code == 422
    assert "« Cœur et Albaret »" in close.json["detail"]
    larger = _zone(sqlite_client, headers, "Cœur et deux", [*_epci(geography), *SMALL])
    assert larger.status_code == 422  # 736 inhabitants more than the first zone
    other = _zone(sqlite_client, headers, "Cœur et Grandrieu", [*_epci(geography), PUBLISHED])
    assert other.status_code == 201  # 1,295 inhabitants differ from the first zone
