"""The IMAJE screens: a five-year history, and a study zone against a reference zone."""
