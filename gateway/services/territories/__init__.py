"""The reference geography in the database: seeded, listed, each territory's detail."""
