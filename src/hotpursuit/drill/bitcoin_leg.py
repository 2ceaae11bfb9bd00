"""The drill's Bitcoin leg: the bridge pays out each `SWAP:BTC.BTC:<address>` deposit on Bitcoin.

Deterministic from the drill's seed and its bridge deposits. Transactions are real, signed segwit
transactions built with embit: the bridge vault is a taproot (P2TR, key path, BIP-341 Schnorr)
output; each payout spends it to the memo's P2WPKH address with an `OUT:<inbound tx hash>` OP_RETURN
and taproot change; a third of the thief's payouts then move on (signed P2WPKH spends, BIP-143) to
fresh taproot addresses. Blocks carry a BIP-34 height and meet the regtest proof-of-work target.

Amounts: the drill's fixed rate is 0.035 BTC per ETH, so a deposit of `w` wei is worth
`w * 3_500_000 // 10**18` satoshi (rounded down); the bridge keeps OUTBOUND_FEE of it and every
transaction pays MINER_FEE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bitcoin.core import CBlock, CBlockHeader, CTransaction, b2lx
from embit import ec
from embit.script import Script, Witness, p2tr, p2wpkh
from embit.transaction import SIGHASH, Transaction, TransactionInput, TransactionOutput
from eth_utils import keccak

from hotpursuit.chains.btc_address import parse_btc_address
from hotpursuit.chains.btc_script import op_return_script
from hotpursuit.errors import DrillError

SATS_PER_ETH = 3_500_000
OUTBOUND_FEE = 3_000
MINER_FEE = 1_000
REGTEST_BITS = 0x207FFFFF
PAYOUTS_PER_BLOCK = 4
BLOCK_SUBSIDY = 50 * 100_000_000


def sats_for_wei(wei: int) -> int:
    """The drill's ETH to BTC conversion, rounded down to whole satoshi."""
    return wei * SATS_PER_ETH // 10**18


def drill_btc_key(seed: int, role: str, i: int) -> ec.PrivateKey:
    """A deterministic secp256k1 key of the Bitcoin leg (keccak of seed, role and index)."""
    return ec.PrivateKey(keccak(text=f"hotpursuit-drill/{seed}/btc-{role}/{i}"))


def memo_address(seed: int, i: int) -> str:
    """The P2WPKH address the i-th bridge memo asks to be paid (the thief holds its key)."""
    return str(p2wpkh(drill_btc_key(seed, "memo", i).get_public_key()).address())


def onward_address(seed: int, i: int) -> str:
    """The taproot address the thief moves the i-th memo's payout on to (every third memo): a deposit
    address of the exchange the roster names for Bitcoin."""
    return str(p2tr(drill_btc_key(seed, "onward", i).get_public_key()).address())


ONWARD_EVERY = 3  # memos 0, 3, 6, ... move on


@dataclass(frozen=True)
class BtcPayout:
    """One bridge payout (and the thief's onward move of it, if any)."""

    inbound_tx: str
    memo: str
    address: str
    sats: int
    txid: str
    height: int
    onward_txid: str | None = None
    onward_address: str | None = None
    onward_sats: int | None = None


@dataclass
class BitcoinLeg:
    """The leg's blocks (height, serialised) and what they did."""

    blocks: list[tuple[int, bytes]] = field(default_factory=list)
    payouts: list[BtcPayout] = field(default_factory=list)
    vault_address: str = ""

    def truth(self) -> list[dict[str, Any]]:
        """The payouts as plain data for the ground truth."""
        return [{"inbound_tx": p.inbound_tx, "memo": p.memo, "address": p.address, "sats": str(p.sats),
                 "txid": p.txid, "height": p.height, "onward_txid": p.onward_txid,
                 "onward_address": p.onward_address,
                 "onward_sats": None if p.onward_sats is None else str(p.onward_sats)} for p in self.payouts]


@dataclass
class _Utxo:
    txid: bytes  # display order, as embit wants it
    vout: int
    value: int
    script: Script


def build_bitcoin_leg(seed: int, deposits: list[dict[str, Any]], start_time: int) -> BitcoinLeg:
    """Blocks paying every deposit (`tx_hash`, `btc_address`, `amount` wei, `memo`, `index`)."""
    vault_key = drill_btc_key(seed, "vault", 0)
    vault_script = p2tr(vault_key.get_public_key())
    miner_script = p2wpkh(drill_btc_key(seed, "miner", 0).get_public_key())
    leg = BitcoinLeg(vault_address=str(vault_script.address()))
    payouts = [(d, sats_for_wei(int(d["amount"])) - OUTBOUND_FEE) for d in deposits]
    for d, sats in payouts:
        if sats <= 0:
            raise DrillError(f"bridge deposit {d['tx_hash']} is too small to pay out")
        if d["btc_address"] != memo_address(seed, int(d["index"])):
            raise DrillError(f"memo address of {d['tx_hash']} is not the leg's key for memo {d['index']}")
    reserve = sum(s for _, s in payouts) + MINER_FEE * (len(payouts) + 1) + 100_000_000
    genesis_cb = _coinbase(0, [(BLOCK_SUBSIDY, miner_script), (reserve, vault_script)])
    vault = _Utxo(genesis_cb.txid(), 1, reserve, vault_script)
    chain: list[list[Transaction]] = [[genesis_cb]]
    pending_onward: list[tuple[int, _Utxo, int]] = []  # (payout index, utxo, memo index)
    done: list[BtcPayout] = []
    start = 0
    while start < len(payouts) or pending_onward:
        height = len(chain)
        txs: list[Transaction] = []
        for position, utxo, memo_index in pending_onward:  # last block's payouts move on
            key = drill_btc_key(seed, "memo", memo_index)
            onward_script = p2tr(drill_btc_key(seed, "onward", memo_index).get_public_key())
            tx = Transaction(vin=[TransactionInput(utxo.txid, utxo.vout)],
                             vout=[TransactionOutput(utxo.value - MINER_FEE, onward_script)])
            _sign_p2wpkh(tx, key, utxo)
            txs.append(tx)
            p = done[position]
            done[position] = BtcPayout(p.inbound_tx, p.memo, p.address, p.sats, p.txid, p.height,
                                       tx.txid().hex(), str(onward_script.address()), utxo.value - MINER_FEE)
        pending_onward = []
        for d, sats in payouts[start:start + PAYOUTS_PER_BLOCK]:  # empty in the last block
            pay_script = Script(bytes.fromhex(_script_hex(d["btc_address"])))
            change = vault.value - sats - MINER_FEE
            tx = Transaction(vin=[TransactionInput(vault.txid, vault.vout)], vout=[
                TransactionOutput(sats, pay_script),
                TransactionOutput(0, Script(op_return_script(f"OUT:{d['tx_hash'][2:].upper()}".encode()))),
                TransactionOutput(change, vault_script)])
            _sign_p2tr(tx, vault_key, vault)
            txs.append(tx)
            vault = _Utxo(tx.txid(), 2, change, vault_script)
            done.append(BtcPayout(d["tx_hash"], d["memo"], d["btc_address"], sats, tx.txid().hex(), height))
            if int(d["index"]) % ONWARD_EVERY == 0:
                pending_onward.append((len(done) - 1, _Utxo(tx.txid(), 0, sats, pay_script), int(d["index"])))
        start += PAYOUTS_PER_BLOCK
        fees = MINER_FEE * len(txs)
        chain.append([_coinbase(height, [(BLOCK_SUBSIDY + fees, miner_script)]), *txs])
    prev = "00" * 32
    for height, txs in enumerate(chain):
        raw = _mine(prev, txs, start_time + 600 * height)
        leg.blocks.append((height, raw))
        prev = b2lx(CBlock.deserialize(raw).GetHash())
    leg.payouts = done
    return leg


def _script_hex(address: str) -> str:
    return parse_btc_address(address).script.hex()


def _coinbase(height: int, outputs: list[tuple[int, Script]]) -> Transaction:
    push = height.to_bytes(max(1, (height.bit_length() + 8) // 8), "little")
    script_sig = Script(bytes([len(push)]) + push + b"\x0fhotpursuit-leg")
    vin = [TransactionInput(b"\x00" * 32, 0xFFFFFFFF, script_sig=script_sig)]
    return Transaction(version=1, vin=vin, vout=[TransactionOutput(v, s) for v, s in outputs])


def _sign_p2tr(tx: Transaction, key: ec.PrivateKey, spent: _Utxo) -> None:
    digest = tx.sighash_taproot(0, script_pubkeys=[spent.script], values=[spent.value], sighash=SIGHASH.DEFAULT)
    tx.vin[0].witness = Witness([key.taproot_tweak(b"").schnorr_sign(digest).serialize()])


def _sign_p2wpkh(tx: Transaction, key: ec.PrivateKey, spent: _Utxo) -> None:
    pub = key.get_public_key()
    script_code = Script(b"\x76\xa9\x14" + spent.script.data[2:22] + b"\x88\xac")
    digest = tx.sighash_segwit(0, script_code, spent.value, sighash=SIGHASH.ALL)
    tx.vin[0].witness = Witness([key.sign(digest).serialize() + bytes([SIGHASH.ALL]), pub.sec()])


def fork_from(blocks: list[tuple[int, bytes]], height: int, seconds_later: int = 1) -> list[tuple[int, bytes]]:
    """The same chain re-mined from `height` with later timestamps: other hashes, same transactions."""
    out = list(blocks[:height])
    prev = b2lx(CBlock.deserialize(out[-1][1]).GetHash()) if out else "00" * 32
    for h, raw in blocks[height:]:
        block = CBlock.deserialize(raw)
        mined = _mine_vtx(prev, list(block.vtx), int(block.nTime) + seconds_later)
        out.append((h, mined))
        prev = b2lx(CBlock.deserialize(mined).GetHash())
    return out


def _mine(prev_hash: str, txs: list[Transaction], timestamp: int) -> bytes:
    """A block over `txs` whose hash meets the regtest target (a few tries on average)."""
    return _mine_vtx(prev_hash, [CTransaction.deserialize(tx.serialize()) for tx in txs], timestamp)


def _mine_vtx(prev_hash: str, vtx: list[CTransaction], timestamp: int) -> bytes:
    block = CBlock(nVersion=0x20000000, hashPrevBlock=bytes.fromhex(prev_hash)[::-1], nTime=timestamp,
                   nBits=REGTEST_BITS, nNonce=0, vtx=vtx)
    merkle = block.calc_merkle_root()
    target = (REGTEST_BITS & 0xFFFFFF) << (8 * ((REGTEST_BITS >> 24) - 3))
    for nonce in range(1_000_000):
        header = CBlockHeader(nVersion=0x20000000, hashPrevBlock=block.hashPrevBlock, hashMerkleRoot=merkle,
                              nTime=timestamp, nBits=REGTEST_BITS, nNonce=nonce)
        if int.from_bytes(header.GetHash(), "little") <= target:
            mined = CBlock(nVersion=0x20000000, hashPrevBlock=block.hashPrevBlock, hashMerkleRoot=merkle,
                           nTime=timestamp, nBits=REGTEST_BITS, nNonce=nonce, vtx=vtx)
            raw: bytes = mined.serialize()
            return raw
    raise DrillError("no nonce met the regtest target")  # pragma: no cover - odds are 2^-1000000
