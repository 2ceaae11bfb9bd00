"""hotpursuit: trace, interdict, screen and share stolen crypto across chains.

py_ecc (which eth-account imports) raises the interpreter's recursion limit to 100,000 when it is first
imported. With that limit a deeply nested JSON reply, body or file makes the recursive parsers overflow
the C stack and kill the process instead of raising RecursionError. hotpursuit uses none of py_ecc's
recursive arithmetic (signatures go through eth-keys), so it is imported here once, first, and the limit
put back.
"""

import sys as _sys

_LIMIT = _sys.getrecursionlimit()
import py_ecc  # noqa: E402, F401  (imported for its side effect, which is then undone)

_sys.setrecursionlimit(_LIMIT)

__version__ = "0.1.0"
