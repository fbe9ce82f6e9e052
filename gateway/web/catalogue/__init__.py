"""The catalogue of indicators and each indicator's fiche."""
