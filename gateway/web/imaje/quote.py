"""A priced screen: the quote to accept, in "Mon espace" when the portal has it, else here.

Accepting calls the API's own service (`quotes.accept_quote`, as `POST /quotes/{id}/accept`);
the accepted quote's order then covers the same screen, asked again with the same body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, flash, request, url_for
from werkzeug.routing import BuildError

from gateway.pipeline.payment import QuoteToAccept
from gateway.services.pricing import quotes
from gateway.state import app_state, request_session
from gateway.web.account.current import SignedInPerson, current_person, safe_next
from gateway.web.account.forms import person_gate, see_other_path
from policies.access import Action
from tariffs.money import format_number


@dataclass(frozen=True)
class QuoteOffer:
    """A quote as the screen shows it: number, total, validity, lines; where to accept it."""

    id: int
    total: str
    valid_until: str
    lines: tuple[dict[str, Any], ...]  # the quote's lines then adjustments, then its VAT
    net: str
    espace_url: str | None  # "Mon espace"'s page of the quote, when the portal has one
    back: str  # the screen's form, filled as sent (to come back once accepted)


def quote_offer(error: QuoteToAccept, person: SignedInPerson, back: str) -> QuoteOffer:
    """Describe the quote a priced screen got, with its lines as the quote states them."""
    offered = error.extra["devis"]
    record = quotes.owned_quote(request_session(), int(offered["id"]), person.profile)
    document = record.document or {}
    vat = (document["tva"],) if document.get("tva") else ()
    lines = tuple(
        {**line, "montant": euros(line.get("montant", "0"))}
        for line in (*document.get("lignes", ()), *document.get("ajustements", ()), *vat)
    )
    return QuoteOffer(
        id=record.id,
        total=euros(offered["total"]),
        valid_until=record.valid_until.strftime("%d/%m/%Y"),
        lines=lines,
        net=euros(document.get("net_ht", offered["total"])),
        espace_url=_url_if_any("espace.quote", quote_id=record.id),
        back=back,
    )


def euros(amount: object) -> str:
    return f"{format_number(Decimal(str(amount)), 2)} €"


def _url_if_any(endpoint: str, **values: Any) -> str | None:
    """Return the address of another area's page, None when the portal has no such page."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@person_gate(Action.QUOTE_ACCEPT)
def quote_accept(quote_id: int) -> Response:
    """Accept a screen's quote (as `POST /api/v1/quotes/{id}/accept`); back to the screen."""
    person = current_person()
    assert person is not None  # the gate signed them in
    back = safe_next(request.form.get("retour")) or url_for("ecrans_imaje.index")
    with app_state().database.transaction() as session:
        order, _created = quotes.accept_quote(
            session, quote_id=quote_id, requester=person.profile, today=date.today()
        )
        number = order.id
    flash(
        f"Devis n° {quote_id} accepté (commande n° {number}) : affichez l’écran, la commande "
        "couvre exactement cette demande.",
        "succes",
    )
    return see_other_path(back)
