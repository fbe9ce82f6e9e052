"""The audit log (a hash chain of every decision and delivery) and the administrators' changes."""
