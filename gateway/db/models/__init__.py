"""Every ORM model, imported here so that alembic and `Base.metadata` see them all."""

from gateway.db.models.catalogue import BreakdownRecord, IndicatorRecord
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

__all__ = [
    "ApiKey",
    "BreakdownRecord",
    "Caf",
    "IdempotencyKey",
    "IndicatorRecord",
    "InvoiceCounter",
    "InvoiceRecord",
    "Order",
    "QuoteRecord",
    "Requester",
    "TariffScheduleVersion",
    "Territory",
    "TerritoryLink",
]
