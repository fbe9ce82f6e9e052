"""The home page: what the gateway offers, and to whom."""
