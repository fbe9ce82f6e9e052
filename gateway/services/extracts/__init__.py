"""Extracts once asked (status, files), requesters' custom zones, and their records."""
