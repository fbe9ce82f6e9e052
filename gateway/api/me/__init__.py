"""A requester's own view: /api/v1/me (account, keys, conventions and quota use)."""
