"""The release ledger: what was released to whom, read by every protection."""
