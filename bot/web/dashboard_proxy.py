"""What the dashboard believes about a request that came through a reverse proxy.

Anyone can send `X-Forwarded-For` and `X-Forwarded-Proto`, so they are read
only when the connection comes from a configured trusted proxy
(DASHBOARD_TRUSTED_PROXY: addresses or networks). Otherwise the connection's
own address is the client, and only a TLS connection to this app counts as
HTTPS. The client address decides whose failed attempts are counted
(`bot.web.dashboard_throttle`); HTTPS decides whether the session cookie is
`Secure`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(values: Iterable[str | Network]) -> tuple[Network, ...]:
    """Addresses or networks (`127.0.0.1`, `172.16.0.0/12`); ValueError on anything else."""
    return tuple(value if isinstance(value, Network) else ipaddress.ip_network(value.strip(), strict=False)
                 for value in values)


class ProxyPolicy:
    """Which peers may tell us the client's address and scheme."""

    def __init__(self, trusted: Iterable[str | Network] = ()) -> None:
        self.trusted = networks(trusted)

    def is_trusted(self, address: str | None) -> bool:
        if not address or not self.trusted:
            return False
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        return any(parsed in network for network in self.trusted)

    def client_address(self, request: web.Request) -> str | None:
        """The first address, from the right of X-Forwarded-For, that is not a
        trusted proxy: each trusted hop vouches only for the one before it."""
        current = request.remote
        if not self.is_trusted(current):
            return current
        hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
                for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return current  # a hop we cannot read: stop at the last one we trust
            current = hop
            if not self.is_trusted(current):
                return current
        return current

    def is_https(self, request: web.Request) -> bool:
        if request.secure:
            return True
        if not self.is_trusted(request.remote):
            return False
        values = [v.strip().lower() for value in request.headers.getall("X-Forwarded-Proto", [])
                  for v in value.split(",")]
        return bool(values) and values[-1] == "https"
