"""Sharing with partners: STIX 2.1 objects, TAXII 2.1 collections, MISP feeds, and what is pulled back."""
