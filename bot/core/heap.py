"""The bot's long-lived heap, kept out of Python's garbage collector's scans.

Why: CPython's cyclic collector scans every tracked object of the oldest
generation in a full ("gen 2") collection, on the event loop, holding the GIL.
Once the catalog, the matchers' indexes, python-telegram-bot's application
and the semantic tier are loaded, that is a few hundred thousand objects
that live as long as the process, and a full collection over them took
35-90 ms on the 2-core benchmark machine: every update in flight waited for
it (with 300 people asking at once, the slowest questions of the lexical
tier alone were the ones a full collection fell on; docs/ask-evaluation.md,
"Speed and memory").

And young collections made rarer: Python collects its youngest generation
every 700 allocations net, ~75 times in the benchmark's 300-person run
(30-45 ms in all, single pauses up to 9 ms when one reached the middle
generation); with ``YOUNG`` = 10,000 it collects 4-5 times (10-13 ms in all,
2.5-3 ms each). The garbage a cycle leaves waits a little longer; 10,000
young objects are a few MB at most.

``freeze`` collects once (everything, what an earlier freeze kept included),
then moves every object alive into the permanent generation (``gc.freeze``),
which no collection looks at again: later collections scan only what the bot
made since. Objects frozen are still freed by reference counting when
nothing points to them; only a *cycle* made entirely of frozen objects stays
until the next ``freeze`` or ``thaw``. The bot freezes once it is initialised
(``BotApplication.initialize``) and again when the semantic tier has been
built in the background (``Services.start_semantic_tier``, also after a
/reload: the old content's cycles go then), each a single pause of one full
collection, and thaws on shutdown, so that a process running many bots one
after another (the tests) gives their memory back.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze", "frozen", "thaw"]

YOUNG = 10_000  # allocations net between young collections once frozen (Python's default: 700)

_lock = threading.Lock()
_threshold: list[tuple[int, ...]] = []  # the thresholds before the first freeze


def freeze() -> int:
    """Collect, then freeze everything alive, and collect the young rarer;
    how many objects are frozen now."""
    with _lock:  # the build thread and the event loop may both ask
        gc.unfreeze()  # what an earlier freeze kept and is garbage now (content before a /reload) goes too
        gc.collect()
        gc.freeze()
        if not _threshold:
            _threshold.append(gc.get_threshold())
            gc.set_threshold(YOUNG)  # the older generations' thresholds stay as they are
        return gc.get_freeze_count()


def thaw() -> None:
    """Give the frozen objects back to the collector (the oldest generation),
    and its thresholds back as they were."""
    with _lock:
        gc.unfreeze()
        if _threshold:
            gc.set_threshold(*_threshold.pop())


def frozen() -> int:
    """How many objects the collector no longer scans."""
    return gc.get_freeze_count()
