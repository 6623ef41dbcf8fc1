"""Failed token attempts per client, so the dashboard token cannot be guessed.

Without a limit a script could try a Bearer token some 1,700 times a second.
Each client (an IPv4 address, or an IPv6 /64, since one machine commonly
holds a whole /64) may fail `MAX_FAILURES` times within `WINDOW_SECONDS`;
after that every attempt it makes, right or wrong, is refused until its
oldest failure leaves the window. Refusing the right token too matters:
otherwise a refusal that only hits wrong guesses would still tell the
guesser when it found the token. A person who mistypes once or twice never
meets the limit.

Kept in memory: a restart forgets the counts, and at most `MAX_CLIENTS`
clients are tracked (the oldest are dropped first), so the table cannot grow
without bound however many addresses an attacker uses.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 10
WINDOW_SECONDS = 600.0
MAX_CLIENTS = 10_000
IPV6_PREFIX = 64


def client_key(address: str | None) -> str:
    """The unit throttled: the address itself, or its /64 for IPv6."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


class FailureThrottle:
    """Counts failed attempts per client over a sliding window."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int:
        """Whole seconds until `client` may try again; 0 when it may try now."""
        recent = self._recent(client)
        if len(recent) < self.max_failures:
            return 0
        return max(1, math.ceil(recent[0] + self.window - self.clock()))

    def failed(self, client: str) -> None:
        """Count one failed attempt by `client`."""
        if client not in self._failures and len(self._failures) >= self.max_clients:
            for known in list(self._failures):
                self._recent(known)
            while len(self._failures) >= self.max_clients:
                del self._failures[next(iter(self._failures))]
        self._failures.setdefault(client, deque()).append(self.clock())

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.get(client)
        if failures is None:
            return deque()
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[client]
        return failures
