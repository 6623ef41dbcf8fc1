"""Per-supporter flood control: at most `limit` updates in `window` seconds.

Past the limit a supporter gets one polite notice, then silence until the
window has passed, so one person (or a script) cannot crowd out everyone
else's answers or push the bot into Telegram's rate limits. Kept in memory
only: nothing about it is stored. The chat edge applies it in
`bot.chat.flood.guard`. `unlimited` user ids are never limited: the console's
one user, who may pipe in a whole script at once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class FloodGate:
    limit: int = 20
    window: float = 10.0
    seen: dict[int, deque] = field(default_factory=dict)
    warned: dict[int, float] = field(default_factory=dict)
    calls: int = 0
    unlimited: set[int] = field(default_factory=set)
    PRUNE_EVERY = 10_000

    def allow(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(allowed, warn now): warn once per flood, on its first refused update."""
        if user_id in self.unlimited:
            return True, False
        self.calls += 1
        if self.calls % self.PRUNE_EVERY == 0:  # forget supporters who went quiet
            self.seen = {u: t for u, t in self.seen.items() if t and t[-1] > now - self.window}
            self.warned = {u: t for u, t in self.warned.items() if t > now - self.window}
        times = self.seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self.warned.pop(user_id, None)
            return True, False
        first = user_id not in self.warned
        self.warned[user_id] = now
        return False, first
