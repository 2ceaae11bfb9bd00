"""Scale-out: the same jobs on Apache Spark over the Parquet export (`store export-parquet`).

Spark does the scans, joins, shuffles and frontier extraction; the exact, order-dependent algorithms
(union-find, haircut, FIFO) run on the driver over the much smaller extract, streamed to it as Arrow,
with the same engines the embedded path uses (`cluster/`, `trace/`). May import the pure core, `jobs`
(to reuse the embedded job's report building) and `store` (for the small metadata an investigation owns:
incidents, labels, asset trust); the chain tables themselves are read from Parquet only.
"""
