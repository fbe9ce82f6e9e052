"""Deliveries: a protected extract rendered in every output format, with its note explicative.

Public API: ``Delivery``, ``DeliveryHeader``, ``DeliveredCell`` (model: a cell carries the
engine's ``Status`` and ``Reason``; the model maps them to public symbols), ``build_note``
(note explicative), ``FORMATS`` (format name -> renderer with ``media_type``, ``extension``,
``render(delivery) -> bytes``), ``json_document`` (the JSON file as data, for the screens),
``render(delivery, format_name)`` and ``filename``.
"""

from gateway.delivery.cells import (
    NOT_APPLICABLE,
    SYMBOL_MEANINGS,
    SYMBOLS,
    TOTAL,
    DeliveredCell,
    DeliveryError,
    delivered_category,
)
from gateway.delivery.formats import FORMATS, Renderer, filename, json_document, render
from gateway.delivery.model import Delivery, DeliveryHeader
from gateway.delivery.note import SYNTHETIC_BANNER, Note, Section, build_note

__all__ = [
    "FORMATS",
    "NOT_APPLICABLE",
    "SYMBOLS",
    "SYMBOL_MEANINGS",
    "SYNTHETIC_BANNER",
    "TOTAL",
    "DeliveredCell",
    "Delivery",
    "DeliveryError",
    "DeliveryHeader",
    "Note",
    "Renderer",
    "Section",
    "build_note",
    "delivered_category",
    "filename",
    "json_document",
    "render",
]
