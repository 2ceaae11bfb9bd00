"""The heist drill: drives a devnet through a Bybit-shaped laundering run and writes ground truth.

May import devnet and ingest.rpc_client; never the trace engine (its ground truth is independent).
"""
