"""Every blueprint of the API, registered in this order by `init_api`."""

from __future__ import annotations

from gateway.api.admin.access_requests import blp as admin_access_requests
from gateway.api.admin.audit import blp as admin_audit
from gateway.api.admin.catalogue import blp as admin_catalogue
from gateway.api.admin.conventions import blp as admin_conventions
from gateway.api.admin.people import blp as admin_people
from gateway.api.admin.requesters import blp as admin_requesters
from gateway.api.admin_tariffs.routes import blp as admin_tariffs
from gateway.api.dcat.routes import blp as open_data_catalogue
from gateway.api.extracts.imaje import blp as imaje
from gateway.api.extracts.public import blp as socle
from gateway.api.extracts.routes import blp as extracts
from gateway.api.extracts.zones import blp as zones
from gateway.api.health.routes import blp as health
from gateway.api.indicators.routes import blp as indicators
from gateway.api.listings import mine as my_listings
from gateway.api.listings import theirs as admin_listings
from gateway.api.me.routes import blp as me
from gateway.api.quotes.routes import blp as quotes
from gateway.api.subscriptions.routes import blp as subscriptions
from gateway.api.subscriptions.routes import theirs as admin_subscriptions
from gateway.api.tariffs.routes import blp as tariffs
from gateway.api.territories.routes import blp as territories

BLUEPRINTS = (
    health,
    territories,
    indicators,
    open_data_catalogue,
    tariffs,
    socle,
    zones,
    extracts,
    imaje,
    quotes,
    subscriptions,
    admin_requesters,
    admin_conventions,
    admin_audit,
    admin_listings,
    admin_subscriptions,
    admin_people,
    admin_access_requests,
    me,
    my_listings,
    admin_tariffs,
    admin_catalogue,
)
