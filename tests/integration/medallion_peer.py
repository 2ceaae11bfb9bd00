"""A real TAXII 2.1 partner for the tests: medallion 3.0 (OASIS's reference server) with its memory
backend, on 127.0.0.1 on a free port, one API root `hp` with the collections asked for."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

USER, PASSWORD = "partner", "Password0"


@dataclass
class MedallionPeer:
    """A running medallion: its base URL, API root URL and process."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def api_root(self) -> str:
        return f"{self.base}/hp/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_medallion(folder: Path, collections: Sequence[tuple[str, str]]) -> MedallionPeer:
    """Start medallion with (id, title) collections, readable and writable by USER; wait until it answers
    (401 without credentials)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = {"/discovery": {"title": "medallion", "default": f"{base}/hp/", "api_roots": [f"{base}/hp/"]},
            "hp": {"information": {"title": "hp", "versions": ["application/taxii+json;version=2.1"],
                                   "max_content_length": 100 * 1024 * 1024},
                   "status": [],
                   "collections": [{"id": cid, "title": title, "can_read": True, "can_write": True,
                                    "media_types": ["application/stix+json;version=2.1"], "objects": [],
                                    "manifest": []} for cid, title in collections]}}
    (folder / "data.json").write_text(json.dumps(data))
    # medallion 3.0 needs `module` (its sample config leaves it out)
    config = {"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                          "filename": str(folder / "data.json")},
              "users": {USER: PASSWORD}, "taxii": {"max_page_size": 100}}
    (folder / "config.json").write_text(json.dumps(config))
    log = folder / "medallion.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "medallion"), "--host", "127.0.0.1",
                                    "--port", str(port), str(folder / "config.json")],
                                   stdout=subprocess.DEVNULL, stderr=out)
    peer = MedallionPeer(base, process, log)
    for _ in range(200):
        if process.poll() is not None:
            raise AssertionError(f"medallion exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/taxii2/", timeout=0.5).status_code in (401, 406):
                return peer
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    peer.stop()
    raise AssertionError("medallion did not come up")
