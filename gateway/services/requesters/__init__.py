"""Requesters: their register, API keys, territory within a Caf, history of their extracts."""
