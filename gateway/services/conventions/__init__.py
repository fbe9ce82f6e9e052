"""Conventions: drafts, signed documents, lifecycle, renewal, and how they are shown."""
