"""The adversary's side of the API: play requests as one requester, remember every cell seen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from gateway.delivery import TOTAL as DELIVERY_TOTAL
from gateway.pipeline.request import TOTAL_KEY
from policies.domain import GeoLevel
from policies.geography import Geography
from policies.secrecy import TOTAL

Communes = frozenset[str]
SECRECY_REFUSALS = frozenset({"secret.coherence", "secret.differenciation", "secret.trop_fin"})
# The public may not read an indicator outside the socle commun: a refusal, not a failure.
PUBLIC_REFUSALS = frozenset({"matrice.type_tier", "source.restriction"})


class Client(Protocol):
    """What the player posts through: Flask's test client, or HTTP to a served instance."""

    def post(self, url: str, *, json: Any, headers: Mapping[str, str]) -> Any: ...

    def get(self, url: str) -> Any: ...


@dataclass(frozen=True)
class Observation:
    """One delivered cell as the attacker reads it: what it covers, and its value if shown."""

    indicator: str
    period: int
    category: str  # a category code, or TOTAL
    communes: Communes
    value: float | None  # None: secret
    motif: str = ""  # the public reason ("NEANT": a ratio whose denominator is 0)

    @property
    def published(self) -> bool:
        return self.value is not None


@dataclass
class Outcome:
    """What one request gave: its HTTP status, the refusal rules, the cells read."""

    label: str
    status: int
    rules: tuple[str, ...] = ()
    cells: int = 0
    remedies: tuple[str, ...] = ()  # what each refusal reason asks instead ("solution")


@dataclass
class Player:
    """Plays requests through the public API as one requester and keeps all it received."""

    client: Client
    geography: Geography
    headers: Mapping[str, str]
    requester_id: int | None = None  # whose ledger rows the judge reads (None: public only)
    observations: set[Observation] = field(default_factory=set)
    requested: set[Communes] = field(default_factory=set)
    received: set[Communes] = field(default_factory=set)  # sets of its own deliveries' cells
    zones: dict[int, Communes] = field(default_factory=dict)
    log: list[Outcome] = field(default_factory=list)

    # --- the requests -----------------------------------------------------------------------

    def extract(self, body: Mapping[str, Any], label: str = "extrait") -> Outcome:
        """POST /api/v1/extracts (JSON) and read every cell of the delivery."""
        response = self.client.post("/api/v1/extracts", json=dict(body), headers=self.headers)
        return self.read_extract(label, response.status_code, response.get_json(), body)

    def read_extract(
        self, label: str, status: int, document: Any, body: Mapping[str, Any]
    ) -> Outcome:
        """Read the answer to an extract request posted elsewhere (a burst of requests)."""
        return self._read(label, status, document, [body])

    def socle(self, indicator: str, label: str = "socle", **query: Any) -> Outcome:
        """GET /api/v1/socle/{indicator} anonymously: what anyone may read."""
        args = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in query.items()}
        response = self.client.get(f"/api/v1/socle/{indicator}?{urlencode(args)}")
        body = {"territories": {"level": query.get("level", "departement"), **query}}
        return self._read(label, response.status_code, response.get_json(), [body], public=True)

    def history(self, body: Mapping[str, Any], label: str = "historique") -> Outcome:
        """POST /api/v1/imaje/history: six years of one territory."""
        response = self.client.post("/api/v1/imaje/history", json=dict(body), headers=self.headers)
        document = response.get_json()
        table = document.get("tableau") if response.status_code == 200 else document
        request: dict[str, Any] = {"zones": [body["zone"]]} if "zone" in body else {}
        if "level" in body:
            request["territories"] = {"level": body["level"], "codes": [body["code"]]}
        return self._read(label, response.status_code, table, [request])

    def comparison(self, body: Mapping[str, Any], label: str = "comparaison") -> Outcome:
        """POST /api/v1/imaje/comparison: a study zone against a reference zone."""
        response = self.client.post(
            "/api/v1/imaje/comparison", json=dict(body), headers=self.headers
        )
        document = response.get_json()
        if response.status_code != 200:
            return self._read(label, response.status_code, document, [])
        outcome = Outcome(label, 200)
        for side in ("etude", "reference"):
            spec = {"territories": body["study" if side == "etude" else "reference"]}
            outcome.cells += self._cells(document["tableau"][side]["cellules"], [spec])
        self.log.append(outcome)
        return outcome

    def zone(self, name: str, communes: Iterable[str]) -> int | None:
        """POST /api/v1/zones; return the zone id (None when the gateway refuses it)."""
        members = sorted(set(communes))
        response = self.client.post(
            "/api/v1/zones", json={"name": name, "communes": members}, headers=self.headers
        )
        self.log.append(Outcome(f"zone {name}", response.status_code))
        if response.status_code != 201:
            return None
        zone_id = int(response.get_json()["id"])
        self.zones[zone_id] = frozenset(members)
        return zone_id

    # --- reading deliveries -------------------------------------------------------------------

    def _read(
        self,
        label: str,
        status: int,
        document: Any,
        requests: list[Mapping[str, Any]],
        *,
        public: bool = False,
    ) -> Outcome:
        if status != 200:
            reasons = [r for r in (document or {}).get("reasons") or () if isinstance(r, dict)]
            rules = tuple(r.get("regle", "") for r in reasons)
            outcome = Outcome(
                label, status, rules, remedies=tuple(r.get("solution", "") for r in reasons)
            )
        else:
            cells = self._cells(document["cellules"], requests, public=public)
            outcome = Outcome(label, status, cells=cells)
        self.log.append(outcome)
        return outcome

    def _cells(
        self,
        cells: list[dict[str, Any]],
        requests: list[Mapping[str, Any]],
        *,
        public: bool = False,
    ) -> int:
        requested_levels = {
            (r.get("territories") or {}).get("level") or "commune" for r in requests
        } | {GeoLevel.ZONE.value}
        union = frozenset().union(
            *(
                self.communes_of(c["niveau"], c["code_territoire"])
                for c in cells
                if c["niveau"] in requested_levels and c["code_territoire"] != TOTAL_KEY
            )
        )
        for cell in cells:
            code = cell["code_territoire"]
            communes = union if code == TOTAL_KEY else self.communes_of(cell["niveau"], code)
            if cell["niveau"] in requested_levels and code != TOTAL_KEY:
                self.requested.add(communes)
            if not public:
                self.received.add(communes)
            categories = list(cell["categories"].values())
            category = TOTAL if not categories or categories[0] == DELIVERY_TOTAL else categories[0]
            value = cell["valeur"]
            self.observations.add(
                Observation(
                    cell["indicateur"],
                    int(cell["periode"]),
                    category,
                    communes,
                    None if value is None else float(value),
                    cell.get("motif") or "",
                )
            )
        return len(cells)

    def communes_of(self, level: str, code: str) -> Communes:
        """Return a delivered territory's communes: the geography's, or the zone's definition."""
        if level == GeoLevel.ZONE.value:
            return self.zones[int(code)]
        return frozenset(self.geography.communes_of(GeoLevel(level), code))

    # --- what happened ----------------------------------------------------------------------

    @property
    def focus(self) -> Communes | None:
        """Return the communes of its own deliveries and zones (None: it read the socle only).

        The public tables beyond them are the publication's, judged by their own test.
        """
        own = self.received | set(self.zones.values())
        return frozenset().union(*own) if own else None

    @property
    def requests(self) -> int:
        return sum(1 for o in self.log if not o.label.startswith("zone "))

    @property
    def refusals(self) -> list[Outcome]:
        return [o for o in self.log if o.status != 200 and not o.label.startswith("zone ")]

    def unexpected(self) -> list[Outcome]:
        """Return the requests that failed for another reason than a secrecy refusal."""
        return [
            o
            for o in self.refusals
            if not set(o.rules) & SECRECY_REFUSALS
            and not (o.label.startswith("socle") and set(o.rules) <= PUBLIC_REFUSALS)
        ]
