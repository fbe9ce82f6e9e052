"""Deliveries: a protected extract rendered in every output format, with its note explicative.

Public API: ``Delivery``, ``DeliveredCell``, ``DeliveredStatus`` (model), ``build_note``
(note explicative), ``FORMATS`` (format name -> renderer with ``media_type``, ``extension``,
``render(delivery) -> bytes``), ``render(delivery, format_name)`` and ``filename``.
"""

from gateway.delivery.formats import FORMATS, Renderer, filename, render
from gateway.delivery.model import (
    NOT_APPLICABLE,
    SYMBOL_MEANINGS,
    SYMBOLS,
    TOTAL,
    DeliveredCell,
    DeliveredStatus,
    Delivery,
    DeliveryError,
)
from gateway.delivery.note import SYNTHETIC_BANNER, Note, Section, build_note

__all__ = [
    "FORMATS",
    "NOT_APPLICABLE",
    "SYMBOLS",
    "SYMBOL_MEANINGS",
    "SYNTHETIC_BANNER",
    "TOTAL",
    "DeliveredCell",
    "DeliveredStatus",
    "Delivery",
    "DeliveryError",
    "Note",
    "Renderer",
    "Section",
    "build_note",
    "filename",
    "render",
]
