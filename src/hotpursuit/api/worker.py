"""The server's one worker thread for long jobs (traces, clustering, index rebuilds): it runs them one
at a time on its own DuckDB cursor, so the event loop keeps answering screening requests meanwhile."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from hotpursuit.store.database import Store

T = TypeVar("T")


class Worker:
    """Runs `fn(store)` in the worker thread; awaiting the result never blocks the event loop."""

    def __init__(self, store: Store) -> None:
        self.store = store.cursor()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotpursuit-job")
        self._tasks: set[asyncio.Future[object]] = set()

    def run(self, fn: Callable[[Store], T]) -> asyncio.Future[T]:
        """Queue `fn`; it runs after the jobs queued before it."""
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn, self.store)
        self._tasks.add(future)  # type: ignore[arg-type]
        future.add_done_callback(self._tasks.discard)
        return future

    def close(self) -> None:
        """Let the running job finish, drop queued ones, release the cursor."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.store.close()
