"""How long the next message to one chat must wait: a small budget per chat.

Telegram's limit for one private chat is about one message a second on
average, and it allows short bursts over it ("we may allow short bursts
that go over this limit, but eventually you'll begin receiving 429 errors",
core.telegram.org/bots/faq). A fixed one-second pause before every paced
message kept an appeal (two messages) in hand for over a second, and in
polling mode an update is confirmed only once its messages are sent
(bot/chat/polling.py): with hundreds of people at once, more than
getUpdates' 100 newer updates piled up behind each appeal, and taps waited
2.4 s at p99 (issue 29).

So each chat has a token bucket: `BURST` messages at once, one more every
`SAME_CHAT_INTERVAL` seconds. A message waits only when the chat's budget is
spent. Over any stretch a chat gets at most BURST + t / SAME_CHAT_INTERVAL
messages in t seconds: the one-a-second average, with the short burst
Telegram tolerates. A 429 all the same is waited out below, in the request
layer (bot/bot_api/retrying_request.py), as for every send.

Kept as the moment each chat's budget is full again (the "theoretical
arrival time" of the generic cell rate algorithm) and the moment of its last
message, so a chat costs two floats, and a chat whose budget is full again
is forgotten (swept at most every BURST * SAME_CHAT_INTERVAL seconds):
memory is bounded by the chats sent to in the last few seconds, not by
everyone ever served.

What it counts: the messages the outbox sends, and the first piece of a
long text a handler sends itself (`Outbox.spent`, from delivery.send_long).
A handler's one reply to a tap is not counted: it is answered at once, as
before, and a supporter's taps are limited apart (20 in 10 seconds, the
flood gate). Nor does a 429 empty the budget: the request layer sees it,
waits, and sends again; a later message that meets another 429 waits
again, and nothing is lost.

Time is the services' clock, read once per message: after a wait, the
message counts as sent when the wait ends (the clock may be a test's
frozen one, or have been read before the sleep).
"""

from __future__ import annotations

from collections.abc import Callable

BURST = 3  # messages one chat may get at once
SAME_CHAT_INTERVAL = 1.0  # seconds: one more message per chat each


class SendBudget:
    """Per chat, when its budget is full again and when its last message went."""

    def __init__(self, clock: Callable[[], float], burst: int = BURST,
                 interval: float = SAME_CHAT_INTERVAL) -> None:
        self._clock = clock
        self.burst = burst
        self.interval = interval
        self._chats: dict[int, tuple[float, float]] = {}  # chat: (full again at, last message at)
        self._swept = clock()

    def take(self, chat_id: int) -> float:
        """Take one message from the chat's budget: the seconds to wait before sending it
        (0 while the budget lasts)."""
        return self._charge(chat_id, waits=True)

    def spend(self, chat_id: int) -> None:
        """A message already sent to the chat (a handler's own reply): counted, never waited for.
        Past the budget it is owed: the chat's next paced message waits longer."""
        self._charge(chat_id, waits=False)

    def __len__(self) -> int:
        """Chats remembered (those whose budget may not be full)."""
        return len(self._chats)

    def _charge(self, chat_id: int, waits: bool) -> float:
        clock = self._clock()
        kept = self._chats.get(chat_id)
        now = clock if kept is None else max(clock, kept[1])  # not before its last message
        full_at = now if kept is None else max(kept[0], now)
        wait = max(0.0, full_at - now - (self.burst - 1) * self.interval) if waits else 0.0
        self._chats[chat_id] = (full_at + self.interval, now + wait)
        self._sweep(clock)
        return wait

    def _sweep(self, now: float) -> None:
        """Forget the chats whose budget is full again, at most once per refill of a whole budget."""
        if now - self._swept < self.burst * self.interval:
            return
        self._swept = now
        for chat_id in [c for c, (full_at, last) in self._chats.items() if full_at <= now and last <= now]:
            del self._chats[chat_id]
