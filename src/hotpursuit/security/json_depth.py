"""How deep a JSON text nests, without parsing it. Pure.

Python's JSON parsers recurse once per level, and a library hotpursuit imports (py_ecc, through the
Ethereum signature code) raises the interpreter's recursion limit to 100,000 on import: a body of a few
hundred kilobytes of `[` then overflows the C stack and kills the process. So every JSON body and file
is measured first, and refused past `MAX_NESTING` levels. Strings are left out (a `[` inside one is no
level); the count of brackets is a bound of the depth, so a body with few of them is not scanned at all.
"""

from __future__ import annotations

import re

MAX_NESTING = 64  # the deepest legitimate input (a STIX bundle) nests under 10
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_nesting(body: bytes) -> int:
    """The deepest nesting of arrays and objects in `body` (0 for a scalar)."""
    if body.count(b"[") + body.count(b"{") <= MAX_NESTING:
        return body.count(b"[") + body.count(b"{")  # an upper bound, small enough: no scan
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub(b"", body)):
        depth += 1 if m.group() in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def too_deep(body: bytes) -> str | None:
    """The reason to refuse `body`, if it nests deeper than MAX_NESTING; None otherwise."""
    depth = json_nesting(body)
    return f"JSON nested {depth} levels deep; at most {MAX_NESTING}" if depth > MAX_NESTING else None
