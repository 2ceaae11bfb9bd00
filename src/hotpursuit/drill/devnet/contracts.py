"""The project's compiled contracts: loading artifacts and ABI-encoding calls with eth-abi."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak


@dataclass(frozen=True)
class ContractArtifact:
    """ABI and creation bytecode of one contract, as scripts/build_contracts.mjs wrote it."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str

    def _entry(self, kind: str, name: str) -> dict[str, Any]:
        for entry in self.abi:
            if entry.get("type") == kind and entry.get("name", "") == name:
                return entry
        raise KeyError(f"{self.name} has no {kind} {name!r}")

    @staticmethod
    def _types(entry: dict[str, Any], key: str = "inputs") -> list[str]:
        return [_abi_type(i) for i in entry.get(key, [])]

    def deploy_data(self, *args: Any) -> str:
        """Creation bytecode followed by the ABI-encoded constructor arguments."""
        ctor: dict[str, Any] = next((e for e in self.abi if e.get("type") == "constructor"), {"inputs": []})
        return self.bytecode + encode(self._types(ctor), list(args)).hex()

    def call_data(self, function: str, *args: Any) -> str:
        """Calldata for `function(args)`."""
        entry = self._entry("function", function)
        types = self._types(entry)
        selector = function_signature_to_4byte_selector(f"{function}({','.join(types)})")
        return "0x" + selector.hex() + encode(types, list(args)).hex()

    def decode_output(self, function: str, data: str) -> tuple[Any, ...]:
        """Decode an `eth_call` result of `function`."""
        entry = self._entry("function", function)
        return tuple(decode(self._types(entry, "outputs"), bytes.fromhex(data[2:])))

    def event_topic(self, event: str) -> str:
        """topic0 of `event`."""
        entry = self._entry("event", event)
        return "0x" + keccak(text=f"{event}({','.join(self._types(entry))})").hex()

    def decode_event_data(self, event: str, data: str) -> tuple[Any, ...]:
        """The non-indexed fields of `event` from a log's data."""
        entry = self._entry("event", event)
        types = [_abi_type(i) for i in entry["inputs"] if not i.get("indexed")]
        return tuple(decode(types, bytes.fromhex(data[2:])))


def _abi_type(param: dict[str, Any]) -> str:
    """The canonical ABI type of a parameter; structs (`tuple`, `tuple[]`) spelled out as `(t1,t2)`."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def create2_address(deployer: str, salt: bytes, init_code: bytes) -> str:
    """The address CREATE2 gives: keccak(0xff ++ deployer ++ salt ++ keccak(init_code))[12:]."""
    return "0x" + keccak(b"\xff" + bytes.fromhex(deployer[2:]) + salt + keccak(init_code))[12:].hex()


@cache
def load_artifact(name: str) -> ContractArtifact:
    """The checked-in artifact `src/hotpursuit/drill/devnet/artifacts/<name>.json`."""
    text = (resources.files("hotpursuit.drill.devnet") / "artifacts" / f"{name}.json").read_text("utf-8")
    data = json.loads(text)
    return ContractArtifact(name=data["contractName"], abi=data["abi"], bytecode=data["bytecode"])
