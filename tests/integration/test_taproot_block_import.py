"""Importing the real taproot-era block 713126 alone: its older prevouts are not in the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotpursuit.errors import IngestError
from hotpursuit.ingest.bitcoin_blocks_job import import_bitcoin_blocks
from hotpursuit.store import Store

from ..conftest import SHARED_DATA

BLOCK_FILE = SHARED_DATA / "bitcoin-blocks-raw" / "0000000000000000000593310d3b0cdc082af49f38b8a1611239072aef8433a8.txt"


def test_a_lone_block_whose_older_prevouts_are_missing_is_refused_naming_the_outpoint(tmp_path: Path) -> None:
    """The data holds block 713126 alone: 5,267 of its inputs spend older blocks' outputs, so the import
    (which values every input before writing) refuses it with the first missing outpoint, storing nothing."""
    with Store.open(tmp_path / "store.duckdb") as store:
        with pytest.raises(IngestError, match=r"block 713126 .*spends d475fb03e6a43a0748ea9cdf7c47f72c3c21c26"
                                              r"9560476ea140a0cfab5c7e409:0, which is not in the store"):
            import_bitcoin_blocks(store, [BLOCK_FILE])
        assert store.execute("SELECT count(*) FROM utxo_outputs").fetchone() == (0,)
