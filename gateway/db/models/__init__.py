"""Every ORM model, imported here so that alembic and `Base.metadata` see them all."""

from gateway.db.models.access import (
    AdminChange,
    ConventionDocument,
    ConventionRecord,
    MandatoryClauseRecord,
    PolicyMatrixVersion,
)
from gateway.db.models.accounts import AccessRequestRecord, AccountToken, Person
from gateway.db.models.audit import AuditEntry, AuditHead
from gateway.db.models.catalogue import BreakdownRecord, IndicatorRecord
from gateway.db.models.extracts import (
    DefinitionMember,
    Extract,
    ReleasedCell,
    TerritoryDefinition,
    Zone,
)
from gateway.db.models.pricing import (
    IdempotencyKey,
    InvoiceCounter,
    InvoiceRecord,
    Order,
    QuoteRecord,
    TariffScheduleVersion,
)
from gateway.db.models.reference import Caf, Territory, TerritoryLink
from gateway.db.models.requesters import ApiKey, Requester
from gateway.db.models.subscriptions import Subscription, SubscriptionDelivery

__all__ = [
    "AccessRequestRecord",
    "AccountToken",
    "AdminChange",
    "ApiKey",
    "AuditEntry",
    "AuditHead",
    "BreakdownRecord",
    "Caf",
    "ConventionDocument",
    "ConventionRecord",
    "DefinitionMember",
    "Extract",
    "IdempotencyKey",
    "IndicatorRecord",
    "InvoiceCounter",
    "InvoiceRecord",
    "MandatoryClauseRecord",
    "Order",
    "Person",
    "PolicyMatrixVersion",
    "QuoteRecord",
    "ReleasedCell",
    "Requester",
    "Subscription",
    "SubscriptionDelivery",
    "TariffScheduleVersion",
    "Territory",
    "TerritoryDefinition",
    "TerritoryLink",
    "Zone",
]
