"""Real taproot-era mainnet block 713126 (raw hex): exact script-type counts and its in-block taproot key-path
spends linked to their funding outputs."""

from __future__ import annotations

from collections import Counter

import pytest
from bitcoin.core import b2lx

from hotpursuit.chains.btc_block import DecodedBlock, decode_block, transaction_outputs

from ..conftest import SHARED_DATA

BLOCK_FILE = SHARED_DATA / "bitcoin-blocks-raw" / "0000000000000000000593310d3b0cdc082af49f38b8a1611239072aef8433a8.txt"


@pytest.fixture(scope="module")
def block() -> DecodedBlock:
    return decode_block(bytes.fromhex(BLOCK_FILE.read_text().strip()), where=str(BLOCK_FILE))


def test_block_713126_has_the_exact_script_type_counts(block: DecodedBlock) -> None:
    assert block.hash == "0000000000000000000593310d3b0cdc082af49f38b8a1611239072aef8433a8"
    assert len(block.transactions) == 2967
    types = Counter(o.script_type for i, (tx, txid) in enumerate(zip(block.transactions, block.txids, strict=True))
                    for o in transaction_outputs(tx, txid, 713126, i))
    assert types == {"p2wpkh": 3261, "p2sh": 4544, "p2pkh": 2019, "p2wsh": 343, "nulldata": 160, "p2tr": 24}


@pytest.mark.parametrize(("spend", "vin", "funding", "sats"), [
    ("a0689b273b082e0aa8e4249a69343afa41b66b87416e8ddaff4f0f56adf78ef4", 5,
     "9165b36be056bc8d4a486f6bc2bf0440e380d8143fa1bc1f3a94d166b48c7b22", 876924),
    ("a0689b273b082e0aa8e4249a69343afa41b66b87416e8ddaff4f0f56adf78ef4", 6,
     "910572d63ca5c1c49af091f260a8b9de2a58d3476dab853b963d768575b13231", 5323),
    ("4427be677c30a3c921e393af55ead1fa6c19bb181567eba026a324b9448e0e05", 22,
     "aa3bd21cf336bc950af8703310f2c38474669909f36f393c816241b8b637f61a", 100331),
])
def test_in_block_taproot_spends_link_to_their_funding_outputs(
    block: DecodedBlock, spend: str, vin: int, funding: str, sats: int
) -> None:
    index = {txid: i for i, txid in enumerate(block.txids)}
    assert index[funding] < index[spend]  # funded earlier in the same block
    funding_out = transaction_outputs(block.transactions[index[funding]], funding, 713126, index[funding])[0]
    assert (funding_out.script_type, funding_out.value) == ("p2tr", sats)
    assert funding_out.address is not None and funding_out.address.startswith("bc1p")
    tx_in = block.transactions[index[spend]].vin[vin]
    assert (b2lx(tx_in.prevout.hash), tx_in.prevout.n) == (funding, 0)
    witness = block.transactions[index[spend]].wit.vtxinwit[vin].scriptWitness.stack
    assert len(witness) == 1 and len(witness[0]) in (64, 65)  # a key-path spend: one Schnorr signature
