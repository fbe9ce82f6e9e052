"""Administration API under /api/v1/admin: requesters, keys, conventions, policy, audit log."""
