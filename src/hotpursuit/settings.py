"""Settings shared by the CLI and the server: where the store lives and where the tools are."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "HOTPURSUIT_DB"
DEFAULT_DB = "hotpursuit.duckdb"


def default_db_path() -> Path:
    """The DuckDB file: `$HOTPURSUIT_DB`, else `./hotpursuit.duckdb`."""
    return Path(os.environ.get(DB_ENV, DEFAULT_DB))


def project_root() -> Path:
    """The checkout this package runs from (src layout: two levels above the package)."""
    return Path(__file__).resolve().parents[2]
