"""Tracing: taint models over the account and UTXO models. Pure: takes records, never does I/O.
May import chains and cluster; nothing from ingest, store or api."""
