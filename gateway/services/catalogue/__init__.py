"""The indicator catalogue: stored from its file, read through the app's cache, shown."""
