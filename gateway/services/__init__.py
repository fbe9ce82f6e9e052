"""Application services: what the HTTP views and the CLI call; they own the database work."""
