"""`scale trace` gives the embedded `trace`'s report byte for byte: on the heist drill (swaps, bridge to
Bitcoin, poisoning, fake tokens) under every model and with a hop limit, and on generated graphs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hotpursuit.jobs.trace_job import run_trace
from hotpursuit.scale.trace_job import run_scale_trace
from hotpursuit.store import Store
from hotpursuit.trace.report_render import render_json


@pytest.mark.parametrize(("model", "hops"), [("haircut", None), ("fifo", None), ("poison", None), ("haircut", 3)])
def test_the_drill_traced_on_spark_is_byte_identical(spark: Any, drill_case: dict[str, Any], drill_copy: Path,
                                                     model: str, hops: int | None) -> None:
    with Store.open(drill_copy) as store:
        embedded = render_json(run_trace(store, "drill-heist", model=model, max_hops=hops))
        scaled, stats = run_scale_trace(spark, str(Path(drill_case["parquet"])), store, "drill-heist", model=model,
                                        max_hops=hops)
    assert render_json(scaled) == embedded
    assert stats.hops >= 2
    assert scaled.endpoints and scaled.flows  # the drill's loot reaches exchanges: not a vacuous equality
