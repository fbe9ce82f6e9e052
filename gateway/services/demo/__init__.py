"""The demonstration requesters and conventions of a development instance (never production)."""
