"""Tariff schedules, quotes, orders, invoices, revenue reports, idempotent acceptance."""
