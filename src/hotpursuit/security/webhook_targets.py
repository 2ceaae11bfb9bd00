"""Where a webhook may point: public addresses only, unless the server's operator allows a network (a
receiver on the operator's own LAN, or 127.0.0.1 in tests). Pure: the caller resolves the host."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from hotpursuit.errors import InvalidInput

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def webhook_host(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL; InvalidInput naming what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"url: {url!r} is not a URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"url: {url!r} is not an http(s) URL with a host")
    if parts.username or parts.password:
        raise InvalidInput("url: credentials in the URL are refused (the webhook is signed instead)")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def refused_address(addresses: Iterable[str], allowed: Iterable[Network]) -> str | None:
    """The first of a host's addresses a webhook may not reach (not global, and in no allowed network);
    None if it may reach all of them."""
    nets = list(allowed)
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if not ip.is_global and not any(ip in net for net in nets):
            return str(ip)
    return None


def parse_networks(texts: Iterable[str]) -> list[Network]:
    """CIDR networks (a bare address is a /32 or /128); InvalidInput naming a bad one."""
    out: list[Network] = []
    for text in texts:
        try:
            out.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError as exc:
            raise InvalidInput(f"--allow-webhook-network {text!r}: not a network ({exc})") from exc
    return out


def pinned_url(url: str, address: str) -> str:
    """`url` with its host replaced by the address it was checked to resolve to, so the connection goes
    where the check looked (no second lookup a rebinding DNS server could answer differently)."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
