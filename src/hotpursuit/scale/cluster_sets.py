"""The clustering evidence derived in Spark (DataFrame API only): Bitcoin multi-input sets with the
project's CoinJoin rules, one-time-change links, GraphSense's trivial-address reduction, and the EVM
deposit-address facts. Each rule is the one of `cluster/bitcoin_heuristics.py` and `cluster/evm_deposit.py`
written over whole tables; the union-find and the float share of the deposit rule stay on the driver.

Amounts are decimal text (Parquet export); the deposit rule sums them exactly (`exact_sums`), recombined
on the driver.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from hotpursuit.cluster.bitcoin_heuristics import CHANGE_CONFIDENCE, MULTI_INPUT_CONFIDENCE, WHIRLPOOL_POOLS
from hotpursuit.scale.exact_sums import limb_sums

LINK_COLUMNS = ("a", "b", "reason", "confidence", "tx_hash", "block_number")


def script_kind(address: Column) -> Column:
    """The script type an address pays, from its form (as `bitcoin_heuristics.script_kind`)."""
    taproot = address.startswith("bc1p") | address.startswith("tb1p") | address.startswith("bcrt1p")
    segwit = address.startswith("bc1q") | address.startswith("tb1q") | address.startswith("bcrt1q")
    return (F.when(taproot, "p2tr")
            .when(segwit, F.when(F.length(address).isin(42, 43, 44), "p2wpkh").otherwise("p2wsh"))
            .when(address.startswith("3") | address.startswith("2"), "p2sh")
            .otherwise("p2pkh"))


def bitcoin_tx_facts(inputs: DataFrame, outputs: DataFrame) -> DataFrame:
    """One row per transaction that has inputs with an address (coinbase excluded) and outputs:
    tx_hash, block_number, first_input, n_inputs, distinct_inputs, input_kind (the inputs' one script
    type, or NULL when mixed), payments, equal_outputs, coinjoin."""
    signed = inputs.where(F.col("address").isNotNull())
    ins = signed.groupBy("tx_hash").agg(
        F.min("block_number").alias("block_number"),
        F.min_by("address", "input_index").alias("first_input"),
        F.count(F.lit(1)).alias("n_inputs"),
        F.countDistinct("address").alias("distinct_inputs"),
        F.collect_set(script_kind(F.col("address"))).alias("kinds"))
    payments = outputs.where(F.col("address").isNotNull())
    equal = (payments.groupBy("tx_hash", "value").agg(F.count(F.lit(1)).alias("n"))
             .groupBy("tx_hash").agg(F.max("n").alias("equal_outputs"), F.min("value").alias("equal_value")))
    outs = outputs.groupBy("tx_hash").agg(F.count("address").alias("payments"))
    facts = ins.join(outs, "tx_hash").join(equal, "tx_hash", "left")
    equal_n, distinct, pay = F.coalesce(F.col("equal_outputs"), F.lit(0)), F.col("distinct_inputs"), F.col("payments")
    whirlpool = ((F.col("n_inputs") == 5) & (pay == 5) & (equal_n == 5)
                 & F.col("equal_value").isin(*[str(v) for v in sorted(WHIRLPOOL_POOLS)]))
    wasabi = (equal_n >= 10) & (distinct >= 5)
    equal_output = (equal_n >= 3) & (distinct >= equal_n) & (equal_n * 3 >= pay)
    coinjoin = (distinct >= 2) & (pay >= 1) & (whirlpool | wasabi | equal_output)
    return facts.select(
        "tx_hash", "block_number", "first_input", "n_inputs", "distinct_inputs",
        F.when(F.size("kinds") == 1, F.element_at("kinds", 1)).alias("input_kind"),
        "payments", equal_n.alias("equal_outputs"), coinjoin.alias("coinjoin"))


def multi_input_members(inputs: DataFrame, facts: DataFrame) -> DataFrame:
    """(tx_hash, block_number, first_input, address): the input addresses of each transaction whose
    inputs share an owner (two or more addresses, not a CoinJoin)."""
    multi = facts.where(~F.col("coinjoin") & (F.col("distinct_inputs") >= 2)).select(
        "tx_hash", "block_number", "first_input")
    return (inputs.where(F.col("address").isNotNull()).select("tx_hash", "address").distinct()
            .join(multi, "tx_hash"))


def multi_input_links(members: DataFrame) -> DataFrame:
    """The links `multi_input_links` makes: the first input address to every other one."""
    return members.where(F.col("address") != F.col("first_input")).select(
        F.col("first_input").alias("a"), F.col("address").alias("b"), F.lit("multi-input").alias("reason"),
        F.lit(MULTI_INPUT_CONFIDENCE).alias("confidence"), "tx_hash", "block_number")


def fresh_outputs(outputs: DataFrame, all_outputs: DataFrame) -> DataFrame:
    """(tx_hash, output_index) of the outputs in `outputs` that pay their address for the first time
    in chain order (block, tx index, output index) over `all_outputs`, the whole history."""
    position = F.struct("block_number", "tx_index", "output_index")
    paid = outputs.where(F.col("address").isNotNull())
    first = (all_outputs.where(F.col("address").isNotNull())
             .join(paid.select("address").distinct(), "address", "left_semi")
             .groupBy("address").agg(F.min(position).alias("first")))
    return (paid.withColumn("position", position).join(first, "address")
            .where(F.col("position") == F.col("first")).select("tx_hash", "output_index"))


def change_links(inputs: DataFrame, outputs: DataFrame, facts: DataFrame, fresh: DataFrame) -> DataFrame:
    """The one-time-change links (`change_link`): of exactly two payments, the only fresh one, of the
    inputs' single script type and not an input address, is the spender's change."""
    candidates = facts.where(~F.col("coinjoin") & (F.col("payments") == 2)).select(
        "tx_hash", "block_number", "first_input", "input_kind")
    fresh_pay = (outputs.where(F.col("address").isNotNull()).join(fresh, ["tx_hash", "output_index"])
                 .groupBy("tx_hash").agg(F.count(F.lit(1)).alias("n_fresh"), F.min("address").alias("change")))
    found = (candidates.join(fresh_pay, "tx_hash").where(F.col("n_fresh") == 1)
             .where(F.col("input_kind") == script_kind(F.col("change"))))
    spent_by = inputs.where(F.col("address").isNotNull()).select("tx_hash", F.col("address").alias("change"))
    return found.join(spent_by, ["tx_hash", "change"], "left_anti").select(
        F.col("first_input").alias("a"), F.col("change").alias("b"), F.lit("one-time change").alias("reason"),
        F.lit(CHANGE_CONFIDENCE).alias("confidence"), "tx_hash", "block_number")


def address_tx_counts(members: DataFrame) -> DataFrame:
    """(address, txc): in how many multi-input transactions each address signs."""
    return members.groupBy("address").agg(F.count(F.lit(1)).alias("txc"))


def reduced_graph(members_ids: DataFrame) -> tuple[DataFrame, DataFrame]:
    """GraphSense's trivial-address reduction over (tx_hash, address_id, trivial) rows: the edges
    (u, v) chaining each transaction's non-trivial ids in id order, and (address_id, rep) pairs giving
    each trivial address its transaction's representative (smallest non-trivial id, else smallest id).
    The partition is the one all multi-input sets give; the graph is far smaller."""
    graph = members_ids.where(~F.col("trivial"))
    chain = Window.partitionBy("tx_hash").orderBy("address_id")
    edges = (graph.withColumn("v", F.lead("address_id").over(chain)).where(F.col("v").isNotNull())
             .select(F.col("address_id").alias("u"), "v"))
    rep = members_ids.groupBy("tx_hash").agg(F.coalesce(
        F.min(F.when(~F.col("trivial"), F.col("address_id"))), F.min("address_id")).alias("rep"))
    trivial = (members_ids.where(F.col("trivial")).join(rep, "tx_hash")
               .where(F.col("address_id") != F.col("rep")).select("address_id", "rep"))
    return edges, trivial


def exchange_hot_wallets(labels: DataFrame) -> DataFrame:
    """(address, exchange): addresses labelled `exchange`, named by the best claim's actor or label
    (highest confidence; among equals the greatest name, so the answer is stable)."""
    best = F.max(F.struct(F.col("confidence"), F.coalesce(F.col("actor"), F.col("label")).alias("name")))
    return (labels.where(F.col("category") == "exchange").groupBy("address").agg(best.alias("best"))
            .select("address", F.col("best.name").alias("exchange")))


def deposit_facts(transfers: DataFrame, hot: DataFrame, window: int) -> DataFrame:
    """Per candidate deposit address and asset, for candidates whose forwarded inflows reach exactly one
    exchange: address, asset, first (position of its first inflow of the asset), total_0..2 and
    forwarded_0..2 (limb sums of the inflows, and of those forwarded to a hot wallet within `window`
    blocks: the first forward of the asset at or after the inflow's block, in chain order), exchange,
    hot_wallet and example_tx (the last forwarded inflow's forward)."""
    moves = transfers.select("block_number", "tx_index", "seq", "from_address", "to_address", "asset", "amount",
                             "tx_hash")
    hot_to = hot.select(F.col("address").alias("to_address"), "exchange")
    hot_from = hot.select(F.col("address").alias("from_address"))
    forwards = (moves.join(F.broadcast(hot_to), "to_address").join(F.broadcast(hot_from), "from_address", "left_anti")
                .select(F.col("from_address").alias("candidate"), "asset", "block_number", "tx_index", "seq",
                        F.lit(1).alias("kind"), F.lit(None).cast("string").alias("amount"),
                        F.struct(F.col("block_number").alias("block"), F.col("to_address").alias("hot"),
                                 "exchange", "tx_hash").alias("forward")))
    senders = forwards.select("candidate").distinct()
    inflows = (moves.join(F.broadcast(hot_to), "to_address", "left_anti")
               .select(F.col("to_address").alias("candidate"), "asset", "block_number", "tx_index", "seq",
                       F.lit(0).alias("kind"), "amount", F.lit(None).cast(forwards.schema["forward"].dataType)
                       .alias("forward"))
               .join(senders, "candidate", "left_semi"))
    # walking each (candidate, asset) backwards in chain order, the last forward seen is the first one
    # at or after the current inflow (forwards of the inflow's own block count, as in the embedded rule)
    backwards = (Window.partitionBy("candidate", "asset")
                 .orderBy(F.desc("block_number"), F.desc("kind"), F.desc("tx_index"), F.desc("seq"))
                 .rowsBetween(Window.unboundedPreceding, Window.currentRow))
    events = inflows.unionByName(forwards).withColumn("next", F.last("forward", ignorenulls=True).over(backwards))
    matched_now = F.col("next").isNotNull() & (F.col("next.block") <= F.col("block_number") + window)
    received = events.where(F.col("kind") == 0).withColumn("matched", matched_now)
    per_asset = received.groupBy("candidate", "asset").agg(
        F.min(F.struct("block_number", "tx_index", "seq")).alias("first"),
        *limb_sums(F.col("amount"), "total_"),
        *limb_sums(F.when(F.col("matched"), F.col("amount")).otherwise(F.lit("0")), "forwarded_"))
    last_forward = F.max(F.when(F.col("matched"), F.struct("block_number", "tx_index", "seq", "next.hot",
                                                           "next.tx_hash")))
    per_candidate = (received.groupBy("candidate").agg(
        F.collect_set(F.when(F.col("matched"), F.col("next.exchange"))).alias("exchanges"),
        last_forward.alias("example"))
        .where(F.size("exchanges") == 1)
        .select("candidate", F.element_at("exchanges", 1).alias("exchange"),
                F.col("example.hot").alias("hot_wallet"), F.col("example.tx_hash").alias("example_tx")))
    return per_asset.join(per_candidate, "candidate").withColumnRenamed("candidate", "address")
