"""Finding, starting and stopping the project-local anvil node (npm `@foundry-rs/anvil`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

from hotpursuit.api.background import free_port
from hotpursuit.errors import NodeError
from hotpursuit.settings import project_root

ANVIL_ENV = "HOTPURSUIT_ANVIL"
# High enough that drill blocks stay under half full, so a zero base fee stays zero (EIP-1559).
DEVNET_GAS_LIMIT = 1_000_000_000


def find_anvil() -> Path:
    """The anvil binary: `$HOTPURSUIT_ANVIL`, else the one `make` installed under tools/node."""
    override = os.environ.get(ANVIL_ENV)
    if override:
        return Path(override)
    modules = project_root() / "tools" / "node" / "node_modules" / "@foundry-rs"
    for candidate in sorted(modules.glob("anvil-*/bin/anvil")):
        if os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise NodeError(
        f"anvil not found under {modules}; run `make tools` (npm ci in tools/node) or set {ANVIL_ENV}"
    )


class AnvilNode:
    """An anvil process on 127.0.0.1 with zero gas prices (so drill amounts are exact) and
    auto-impersonation (so the drill can send from any address without signing)."""

    def __init__(self, *, port: int | None = None, block_time: float | None = None,
                 chain_id: int = 31337, extra_args: list[str] | None = None) -> None:
        self.port = port or free_port()
        self.block_time = block_time
        self.chain_id = chain_id
        self.extra_args = extra_args or []
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The node's JSON-RPC URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> AnvilNode:
        """Start anvil and wait until it answers `eth_chainId`."""
        args = [str(find_anvil()), "--host", "127.0.0.1", "--port", str(self.port),
                "--chain-id", str(self.chain_id), "--gas-price", "0",
                "--block-base-fee-per-gas", "0", "--gas-limit", str(DEVNET_GAS_LIMIT),
                "--auto-impersonate", "--silent", "--accounts", "2"]
        if self.block_time is not None:
            args += ["--block-time", str(self.block_time)]
        args += self.extra_args
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise NodeError(f"anvil exited with code {self.process.returncode}: {err.strip()}")
            try:
                reply = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId",
                                                   "params": []}, timeout=1.0)
                if reply.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise NodeError(f"anvil did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        """Stop anvil (SIGTERM, then SIGKILL after 5 s)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def __enter__(self) -> AnvilNode:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
