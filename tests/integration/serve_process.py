"""`hotpursuit serve` as a separate process for the tests that kill it or race it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx


def start_serve(db: Path, port: int, key: str, *extra: str) -> subprocess.Popen[bytes]:
    """Start `hotpursuit serve` on 127.0.0.1:`port` and wait until `key` gets an answer from /v1/ping."""
    server = subprocess.Popen([sys.executable, "-m", "hotpursuit.cli", "serve", "--db", str(db), "--port", str(port),
                               *extra])
    for _ in range(300):
        assert server.poll() is None, "hotpursuit serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/ping", headers={"X-API-Key": key}).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.kill()
    raise AssertionError("hotpursuit serve did not come up")
