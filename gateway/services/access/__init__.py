"""Access rules as data: the policy matrix (versions kept) and the seeds of the access rules."""
