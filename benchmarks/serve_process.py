"""`hotpursuit serve` as its own process for the HTTP benchmarks: started on a free port and waited for
until `key` gets an answer from /v1/ping (the screening index is loaded by then)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from hotpursuit.api.background import free_port


def start_serve(db: Path, key: str, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its base URL, once it answers (`extra`: more `serve` options)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "hotpursuit.cli", "serve", "--db", str(db), "--port",
                               str(port), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/v1/ping", headers={"X-API-Key": key}).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, url
