"""Victims' complaints about scams: what a victim says they paid, to whom, where they were told to, and
who they are (personal data, TLP:RED by default); and how a pile of them becomes one case."""
