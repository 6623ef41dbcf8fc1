"""Per-supporter flood control: at most `limit` updates in `window` seconds.

Past the limit a supporter gets one polite notice, then silence until the
window has passed, so one person (or a script) cannot crowd out everyone
else's answers or push the bot into Telegram's rate limits. Kept in memory
only: nothing about it is stored.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import ApplicationHandlerStop

if TYPE_CHECKING:  # context.py imports FloodGate from here
    from .context import BotContext


@dataclass
class FloodGate:
    limit: int = 20
    window: float = 10.0
    seen: dict[int, deque] = field(default_factory=dict)
    warned: dict[int, float] = field(default_factory=dict)
    calls: int = 0
    PRUNE_EVERY = 10_000

    def allow(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(allowed, warn now): warn once per flood, on its first refused update."""
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


async def guard(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or context.services.is_organizer(user.id):
        return
    allowed, warn = context.services.flood.allow(user.id, context.services.clock())
    if allowed:
        return
    context.services.metrics.flood_limited.inc()
    if warn and update.effective_chat is not None:
        await update.effective_chat.send_message(context.t(update, "flood.slow_down"))
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop
