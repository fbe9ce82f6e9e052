"""The request builder and the extracts it asks, for signed-in people (`/demande`)."""
