"""Ingest: fetching chain data from nodes and files and mapping it to store records.

Jobs fetch (RPC adapters, file readers), mappers turn replies into `chains` records, and the store
writes them. May import chains and store; never api or the core.
"""
