"""Shared fixtures: the real data folder, fresh stores, and real anvil nodes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hotpursuit.drill.devnet.anvil import AnvilNode
from hotpursuit.ingest.rpc_client import JsonRpcClient
from hotpursuit.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ETL_EXPORT = SHARED_DATA / "ethereum-etl-mainnet" / "export_17173049_17173050"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store in a real DuckDB file."""
    with Store.open(tmp_path / "store.duckdb") as s:
        yield s


@pytest.fixture
def anvil() -> Iterator[AnvilNode]:
    """A fresh anvil node on 127.0.0.1 for one test."""
    with AnvilNode() as node:
        yield node


@pytest.fixture
def rpc(anvil: AnvilNode) -> Iterator[JsonRpcClient]:
    """A JSON-RPC client to the fresh node."""
    client = JsonRpcClient(anvil.url)
    yield client
    client.close()


@pytest.fixture
def shared_fbi_list() -> list[str]:
    """The FBI PSA250226 Bybit addresses (real, EIP-55 checksummed)."""
    text = (SHARED_DATA / "lazarus" / "fbi_psa250226_bybit_addresses.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip().startswith("0x")]
