"""Cursor pagination for the API's lists: the answer's `next` is an opaque cursor naming the last item
returned, and `?cursor=` continues after it, so pages stay right while items are added before them
(offsets shift). `offset` still works for a first look."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from hotpursuit.errors import HotpursuitError

T = TypeVar("T")


class BadCursor(HotpursuitError):
    """A cursor this API did not give, or whose item is gone."""


def encode_cursor(key: str) -> str:
    """The opaque cursor of an item's key."""
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The key a cursor names; BadCursor if it is not one."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(f"cursor: {cursor[:40]!r} is not a cursor this API gave") from None


def page(items: Sequence[T], key: Callable[[T], str], *, limit: int, offset: int = 0,
         cursor: str | None = None) -> tuple[list[T], str | None]:
    """(the page, the cursor of the next page or None): after the item `cursor` names, else from `offset`."""
    start = offset
    if cursor:
        wanted = decode_cursor(cursor)
        keys = [key(i) for i in items]
        if wanted not in keys:
            raise BadCursor(f"cursor: the item it names ({wanted[:40]!r}) is not in this list any more")
        start = keys.index(wanted) + 1
    chosen = list(items[start:start + limit])
    more = start + limit < len(items)
    return chosen, encode_cursor(key(chosen[-1])) if more and chosen else None
