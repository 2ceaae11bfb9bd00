"""What the Spark benchmarks share: fast synthetic strings (hashes, addresses) from integer ids, peak
memory per process, and running a contender in a fresh interpreter so its peak RSS is its own."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def mix(x: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of x (uint64 arithmetic wraps): distinct ids give distinct, random-looking words."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64((0x9E3779B97F4A7C15 * (salt + 1)) % (1 << 64))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))  # type: ignore[no-any-return]


def strings(chars: np.ndarray) -> pa.Array:
    """An Arrow string array from an (n, width) uint8 matrix of ASCII characters."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))


def hex_text(ids: np.ndarray, salt: int, digits: int, prefix: bytes = b"") -> pa.Array:
    """`prefix` and `digits` hex characters derived from each id (tx hashes, script hex, EVM addresses)."""
    ids = np.asarray(ids, dtype=np.int64)
    words = np.stack([mix(ids, salt * 8 + w) for w in range((digits + 15) // 16)], axis=1)
    raw = words.astype(">u8").view(np.uint8).reshape(ids.size, -1)
    start = len(prefix)
    chars = np.empty((ids.size, start + raw.shape[1] * 2), dtype=np.uint8)
    if prefix:
        chars[:, :start] = np.frombuffer(prefix, dtype=np.uint8)
    chars[:, start::2], chars[:, start + 1::2] = HEX[raw >> 4], HEX[raw & 15]
    return strings(chars[:, :start + digits])


def dir_bytes(path: Path) -> int:
    """Bytes of the files under `path` now."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # a shuffle file deleted while walking
                total += os.path.getsize(os.path.join(root, name))
    return total


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak resident set (VmHWM: per address space, so a spawned child does not inherit its
    parent's peak as getrusage's ru_maxrss does across fork and exec)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def count(text: str) -> int:
    """10M, 500k, 1G or a plain number."""
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale)


def _child(run: Callable[..., dict[str, Any]], args: tuple[Any, ...], out: mp.Queue) -> None:  # type: ignore[type-arg]
    try:
        out.put(run(*args))
    except BaseException as exc:  # reported by the parent, which goes on
        out.put({"error": f"{type(exc).__name__}: {exc}"[:400]})


def in_child(run: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`run(*args)` in a fresh interpreter (nothing of the parent's counts in its RSS); its result, or
    {"error": ...} when it failed."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(run, args, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def start_spark(folder: Path, driver_memory: str) -> tuple[Any, Path, float, int]:
    """A local[2] session with its scratch space in a fresh `folder/spark-local`: (session, that folder,
    seconds to start, the JVM's pid for its peak RSS)."""
    import shutil
    import time

    from hotpursuit.scale.session import spark_session

    local = folder / "spark-local"
    shutil.rmtree(local, ignore_errors=True)
    local.mkdir()
    t0 = time.perf_counter()
    spark = spark_session("local[2]", {"spark.local.dir": str(local), "spark.driver.memory": driver_memory})
    started = time.perf_counter() - t0
    return spark, local, started, int(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid())
