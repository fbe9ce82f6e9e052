"""/api/v1/abonnements: recurring deliveries of an extract request."""
