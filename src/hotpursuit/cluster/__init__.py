"""Clustering: union-find over integer address ids and the heuristics that produce its edges. Pure:
takes arrays and records, never opens a file or a socket. May import chains; nothing from ingest,
store or api.
"""
