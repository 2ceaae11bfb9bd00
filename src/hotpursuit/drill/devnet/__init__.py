"""Devnet: the local anvil node and the project's compiled contracts, for the drill, demo and tests.

May import ingest.rpc_client; nothing from the core.
"""
