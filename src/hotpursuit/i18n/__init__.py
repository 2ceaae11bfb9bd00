"""Translations: Korean and English message catalogues (Babel `.po` files) for the web UI and the case reports."""
