"""GET /: what the gateway offers, to whom, and where to start."""

from __future__ import annotations

from flask import Blueprint, render_template

from gateway.services.catalogue import views as catalogue
from gateway.state import request_session
from policies.domain import Tier

blp = Blueprint("accueil", __name__)


@blp.get("/")
def home() -> str:
    """Show the home page, with the catalogue's size as the catalogue service reads it."""
    current = catalogue.catalogue_in_force(request_session())
    return render_template(
        "home/index.html",
        indicator_count=len(current),
        socle_count=len(current.filter(tier=Tier.SOCLE_COMMUN)),
    )
