"""The adversary: sequences of requests through the public API, bounded by linear programs."""
