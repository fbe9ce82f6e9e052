"""Every blueprint of the portal, registered in this order by `gateway.web.register`."""

from __future__ import annotations

from gateway.web.account.routes import blp as account
from gateway.web.admin.routes import blp as administration
from gateway.web.assets import blp as portail
from gateway.web.catalogue.routes import blp as catalogue
from gateway.web.demande.routes import blp as demande
from gateway.web.espace.routes import blp as espace
from gateway.web.home.routes import blp as home
from gateway.web.imaje.routes import blp as imaje
from gateway.web.socle.routes import blp as socle

WEB_BLUEPRINTS = (
    portail,
    home,
    catalogue,
    socle,
    account,
    demande,
    espace,
    imaje,
    administration,
)
