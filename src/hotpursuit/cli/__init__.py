"""The `hotpursuit` command line: one module per noun group (`ingest`, `imports`, `store`, `labels`,
`address`, `cluster`, `incident`, `trace`, `org`, `key`, `serve`, `audit`), each only parsing options,
building a job and running it (ethereum-etl's cli/ is the model), all registered in `commands`. Shared option
types, the consoles and the user-error wrapper (one line, exit 1; usage errors exit 2) are in `options`.
The exercise kit's commands come from the `hotpursuit.cli` entry point group, so the product never
imports the kit (an architecture test pins it). `app` and `main` are loaded on first use, so a plugin can
import `options` without building the app it is being added to."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("hotpursuit.cli.commands"), name)
    raise AttributeError(f"module 'hotpursuit.cli' has no attribute {name!r}")
