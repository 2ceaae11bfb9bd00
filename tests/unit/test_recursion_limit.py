"""hotpursuit puts back the recursion limit py_ecc raises on import (to 100,000), so a deeply nested JSON
reply, body or file raises RecursionError, which the readers turn into a message, instead of overflowing
the C stack and killing the process."""

from __future__ import annotations

import json
import subprocess
import sys


def test_everything_imported_a_deep_json_raises_instead_of_crashing() -> None:
    code = ("import json, sys\n"
            "import hotpursuit.api.app, hotpursuit.cli, hotpursuit.drill.cli, eth_account  # noqa\n"
            "try:\n    json.loads('[' * 200000 + ']' * 200000)\n"
            "except RecursionError:\n    print(sys.getrecursionlimit())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert int(done.stdout.strip()) <= 10_000
    assert json.loads("[[1]]") == [[1]]
