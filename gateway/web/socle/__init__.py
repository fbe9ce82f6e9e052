"""The socle commun, browsable by indicator and territory."""
