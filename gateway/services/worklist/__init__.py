"""What waits for a Caf's administrators: access requests, drafts, quotes, failed extracts."""
