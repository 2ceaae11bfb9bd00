"""Security: API keys, TLP 2.0 visibility and the hash-chained audit log. Pure rules; the store keeps
the rows. May import nothing from ingest, api or jobs."""
