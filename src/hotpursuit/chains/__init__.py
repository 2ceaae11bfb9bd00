"""Chains: address codecs and the domain records of each chain model. Pure: no I/O.

May import eth-utils / eth-abi; nothing from ingest, store or api.
"""
