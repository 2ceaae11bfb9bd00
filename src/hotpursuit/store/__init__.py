"""The store: one DuckDB file holding every table, its migrations, and Parquet export/import.

May import duckdb and pyarrow; no other package's SQL lives outside this package.
"""

from hotpursuit.store.database import Store

__all__ = ["Store"]
