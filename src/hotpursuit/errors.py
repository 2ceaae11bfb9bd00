"""The one exception hierarchy: every error names the thing, the place and the reason."""

from __future__ import annotations


class HotpursuitError(Exception):
    """Base of every error hotpursuit raises on purpose."""


class InvalidInput(HotpursuitError):
    """A value given by the user (an option, a field, a path parameter) that is not what it must be."""


class InvalidAddress(InvalidInput):
    """An address that is malformed or fails its checksum."""


class UnknownChain(InvalidInput):
    """A chain name that no codec and no stored data knows (a misspelling such as 'eth' or 'Ethereum')."""


class RpcError(HotpursuitError):
    """A node's JSON-RPC reply was an error, malformed, or the node was unreachable."""


class IngestError(HotpursuitError):
    """Data from a node or file could not be ingested (inconsistent, incomplete or malformed)."""


class ImportFileError(IngestError):
    """A malformed import file; the message names file, line and column."""

    def __init__(self, path: str, line: int, column: str, reason: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{path}:{line}: column {column!r}: {reason}")


class NotFound(HotpursuitError):
    """An incident, key, organisation or other record named by the user does not exist."""


class Conflict(HotpursuitError):
    """A change that contradicts what is stored (an incident of that id exists already, ...)."""


class Forbidden(HotpursuitError):
    """The caller is known but may not do this (the incident is another organisation's, a scope is missing)."""


class RateLimited(HotpursuitError):
    """The caller has too much under way already (queued jobs); try again when some finish."""


class StoreError(HotpursuitError):
    """The store is missing, locked, or newer than this version of hotpursuit."""


class NodeError(HotpursuitError):
    """The local anvil node could not be installed, started or reached."""


class DrillError(HotpursuitError):
    """The heist drill could not run or its on-chain result disagrees with its own ledger."""
