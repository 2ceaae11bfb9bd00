"""How a label reached an address: the shortest chain of cluster links to a labelled member. Pure."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from hotpursuit.cluster.bitcoin_heuristics import Link


def inheritance_path(start: str, labelled: set[str], links: Iterable[Link], *, limit: int = 100_000) -> list[Link]:
    """The links from `start` to the nearest address in `labelled` (empty if `start` is labelled or
    none is reachable within `limit` visited addresses)."""
    if start in labelled:
        return []
    graph: dict[str, list[tuple[str, Link]]] = {}
    for x in links:
        graph.setdefault(x.a, []).append((x.b, x))
        graph.setdefault(x.b, []).append((x.a, x))
    came: dict[str, tuple[str, Link] | None] = {start: None}
    queue = deque([start])
    while queue and len(came) <= limit:
        node = queue.popleft()
        for nxt, link in graph.get(node, []):
            if nxt in came:
                continue
            came[nxt] = (node, link)
            if nxt in labelled:
                path = []
                cur = nxt
                while (step := came[cur]) is not None:
                    path.append(step[1])
                    cur = step[0]
                return path[::-1]
            queue.append(nxt)
    return []
