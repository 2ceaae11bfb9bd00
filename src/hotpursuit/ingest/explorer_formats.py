"""Recognising explorer export shapes from a CSV header or a JSON reply's rows (Etherscan family).

Shapes (the names the import report uses):
  * ``etherscan-web-normal``    web "Download CSV" of normal transactions
  * ``etherscan-web-internal``  web CSV of internal transactions (every data row has a trailing empty field)
  * ``etherscan-web-erc20``     web CSV of ERC-20 token transfers
  * ``etherscan-api-txlist`` / ``etherscan-api-txlistinternal`` / ``etherscan-api-tokentx``: the JSON
    replies of module=account (``{"status", "message", "result": [...]}``, or the bare result list)
  * ``etherscan-api-txlistinternal-by-tx``: ``txlistinternal`` asked for one transaction (``txhash=``): its
    rows carry no ``hash``, so the import is told which transaction it is (``--tx``)
  * ``investigation-outflows``  the hop-1 investigation CSV (``hash,timestamp_utc,to,amount,asset,...``)
The price-bearing column name of the web exports (``CurrentValue @ $2264.03996675132/Eth``) is matched
by its prefix. A shape is recognised by the columns it must have; extra columns are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable

WEB_NORMAL = "etherscan-web-normal"
WEB_INTERNAL = "etherscan-web-internal"
WEB_ERC20 = "etherscan-web-erc20"
API_TXLIST = "etherscan-api-txlist"
API_INTERNAL = "etherscan-api-txlistinternal"
API_TOKENTX = "etherscan-api-tokentx"
API_INTERNAL_BY_TX = "etherscan-api-txlistinternal-by-tx"
INVESTIGATION = "investigation-outflows"

# the columns each CSV shape must have (the real headers hold these and more)
CSV_SHAPES: dict[str, frozenset[str]] = {
    WEB_INTERNAL: frozenset({"Txhash", "Blockno", "ParentTxFrom", "ParentTxTo", "ParentTxETH_Value", "From",
                             "TxTo", "ContractAddress", "Value_IN(ETH)", "Value_OUT(ETH)", "Status", "Type"}),
    WEB_ERC20: frozenset({"Txhash", "Blockno", "From", "To", "TokenValue", "ContractAddress", "TokenName",
                          "TokenSymbol"}),
    WEB_NORMAL: frozenset({"Txhash", "Blockno", "From", "To", "ContractAddress", "Value_IN(ETH)",
                           "Value_OUT(ETH)", "TxnFee(ETH)", "Status"}),
    INVESTIGATION: frozenset({"hash", "to", "amount", "asset", "kind", "contract", "block", "is_error",
                              "chain_id"}),
}
# keys that tell the API replies apart (all three carry blockNumber, hash, from, to, value)
API_SHAPES: dict[str, frozenset[str]] = {
    API_TOKENTX: frozenset({"blockNumber", "hash", "from", "to", "value", "contractAddress", "tokenDecimal"}),
    API_INTERNAL: frozenset({"blockNumber", "hash", "from", "to", "value", "type", "isError"}),
    API_TXLIST: frozenset({"blockNumber", "hash", "from", "to", "value", "nonce", "blockHash",
                           "transactionIndex", "isError"}),
}

EXPECTED = ("an Etherscan web CSV (normal, internal or ERC-20 transactions: a header starting "
            '"Txhash","Blockno",...), an Etherscan API reply of txlist, txlistinternal or tokentx '
            '({"status", "message", "result": [...]}), or an investigation CSV with columns '
            "hash,timestamp_utc,to,amount,asset,symbol_non_ascii,kind,contract,block,is_error,chain_id,...")


def normalise_header(names: Iterable[str]) -> list[str]:
    """Header names stripped, BOM removed, the price-bearing CurrentValue column given a fixed name."""
    out = []
    for raw in names:
        name = raw.strip().lstrip("\ufeff")
        out.append("CurrentValue" if name.startswith("CurrentValue") else name)
    return out


def csv_shape(header: list[str]) -> str | None:
    """The shape a CSV header belongs to, or None."""
    present = set(header)
    for shape, required in CSV_SHAPES.items():
        if required <= present:
            return shape
    return None


def api_shape(keys: Iterable[str]) -> str | None:
    """The API reply a result row's keys belong to, or None."""
    present = set(keys)
    if "tokenDecimal" in present or "tokenSymbol" in present:
        return API_TOKENTX if API_SHAPES[API_TOKENTX] <= present else None
    if "traceId" in present or ("type" in present and "nonce" not in present):
        if "hash" not in present and API_SHAPES[API_INTERNAL] - {"hash"} <= present:
            return API_INTERNAL_BY_TX
        return API_INTERNAL if API_SHAPES[API_INTERNAL] <= present else None
    return API_TXLIST if API_SHAPES[API_TXLIST] <= present else None


def missing_for_closest(header: list[str]) -> str:
    """Which columns the nearest CSV shape lacks, for the refusal message."""
    present = set(header)
    shape, required = min(CSV_SHAPES.items(), key=lambda kv: len(kv[1] - present))
    return f"closest is {shape}, which also needs {', '.join(sorted(required - present))}"
