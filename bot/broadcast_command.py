"""`advocacy-bot broadcast` and `advocacy-bot announce`: send a case update
to its followers, or a new case's announcement to those signed up for it,
from the command line.

Runs the same `Broadcaster` as the bot's /broadcast, against the same
database, so either can resume what the other started, and the lease in the
store keeps them from sending one broadcast at the same time. Progress goes
to standard error as a bar (one line at a time when it is not a terminal).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, date, datetime
from typing import TextIO

from telegram import Bot

from bot.broadcasts import announcement
from bot.broadcasts.case_update import update_messages
from bot.broadcasts.engine import (
    BroadcastBusy,
    Broadcaster,
    DeliveryPolicy,
    LostLease,
    Progress,
    bot_sender,
    new_owner,
)
from bot.broadcasts.rate_limit import RateLimiter
from bot.catalog import Catalog, format_date
from bot.catalog.cases import published, update_by_number
from bot.catalog.i18n import Texts
from bot.cli_output import AUDIENCE_NOUNS, counted
from bot.console import plain
from bot.store import Broadcast, Store

BAR_WIDTH = 30


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else (
        f"{seconds // 60}:{seconds % 60:02d}")


class ProgressBar:
    """Sent / failed / remaining, rate and time left, redrawn in place on a terminal."""

    def __init__(self, out: TextIO):
        self.out = out
        self.tty = out.isatty()

    def line(self, progress: Progress) -> str:
        counts = progress.counts
        done = counts.total - counts.remaining
        filled = BAR_WIDTH * done // counts.total if counts.total else BAR_WIDTH
        return (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{counts.total}"
                f"  sent {counts.sent}  failed {counts.failed}  blocked {counts.blocked}"
                f"  uncertain {counts.unknown}  remaining {counts.remaining}"
                f"  {progress.rate:.1f}/s  left {_duration(progress.seconds_left)}")

    async def __call__(self, progress: Progress) -> None:
        if self.tty:
            self.out.write("\r" + self.line(progress) + ("\n" if progress.finished else ""))
        else:
            self.out.write(self.line(progress) + "\n")
        self.out.flush()


def refusal(catalog: Catalog, campaign_id: str, number: int, today: date) -> str | None:
    """Why this update cannot be sent today, in one line, or None."""
    campaign = catalog.campaigns.get(campaign_id)
    if campaign is None:
        return f"unknown campaign {campaign_id!r} (known: {', '.join(catalog.campaigns)})"
    item = update_by_number(campaign, number)
    if item is None:
        return f"{campaign_id} has no update {number} (it has {len(campaign.updates)})"
    if not published(item, today):
        when = format_date(item.date.first_day(), "en")
        return (f"update {number} of {campaign.reference} is dated {item.date.display('en')}: it can be "
                f"sent from {when} on, not on {format_date(today, 'en')} (nothing sent)")
    return None


def _summary(sent: tuple, what: str, out: TextIO) -> int:
    """The last line of a finished or paused send (exit status 0 either way)."""
    counts, paused = sent
    if paused:
        out.write(f"Paused with {counts.remaining} still to send; run the same command to resume.\n")
    else:
        out.write(f"{what}: {counts.sent} sent, {counts.failed} failed, {counts.blocked} blocked "
                  f"(unsubscribed), {counts.unknown} uncertain (in flight during a crash; not sent again).\n")
    return 0


async def run_broadcast_command(catalog: Catalog, store: Store, bot: Bot | None, campaign_id: str,
                                number: int, audience: str = "followers", *, dry_run: bool = False,
                                rate: float | None = 25.0, policy: DeliveryPolicy | None = None,
                                out: TextIO = sys.stdout, err: TextIO = sys.stderr,
                                today: date | None = None) -> int:
    """Exit status: 0 sent (or nothing left to send), 1 busy elsewhere, 2 bad arguments
    (an unknown case or update, or an update dated after `today`, the bot's day)."""
    if (problem := refusal(catalog, campaign_id, number, today or date.today())) is not None:
        err.write(f"error: {problem}\n")
        return 2
    campaign = catalog.campaigns[campaign_id]
    texts = Texts(catalog.strings)
    messages = update_messages(catalog, texts, campaign, number)
    if dry_run:
        count = await store.audience_size(campaign_id, number, audience)
        for lang, (text, _) in messages.items():
            out.write(f"--- {lang} ---\n{plain(text)}\n\n")
        out.write(f"Would send update {number} of {campaign.reference} to "
                  f"{counted(count, *AUDIENCE_NOUNS[audience])} (nothing sent: --dry-run).\n")
        return 0
    broadcast = await store.open_broadcast(campaign_id, number, audience, datetime.now(UTC))
    sent = await _send(store, bot, broadcast, messages, rate, policy, err)
    if isinstance(sent, int):
        return sent
    return _summary(sent, f"Update {number} of {campaign.reference} to the {AUDIENCE_NOUNS[audience][1]}",
                    out)


async def _send(store: Store, bot: Bot | None, broadcast: Broadcast, messages: dict, rate: float | None,
                policy: DeliveryPolicy | None, err: TextIO):
    """Run the broadcast here until done or paused (SIGTERM, Ctrl-C): (counts,
    paused), or an exit status when another process is sending it. One sent
    to everyone already is not sent again: its counts are the answer."""
    if broadcast.status == "done":
        return await store.delivery_counts(broadcast.id), False
    limiter = RateLimiter(rate)
    stopping = asyncio.Event()  # SIGTERM or Ctrl-C: pause at a resumable point
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stopping.set)
    broadcaster = Broadcaster(store, broadcast, bot_sender(bot, messages), limiter, owner=new_owner("cli"),
                              policy=policy or DeliveryPolicy(progress_every=1.0),
                              on_progress=ProgressBar(err), stopping=stopping)
    try:
        progress = await broadcaster.run()
    except BroadcastBusy as busy:
        err.write(f"error: broadcast {broadcast.id} is being sent by {busy.holder}; not starting\n")
        return 1
    except LostLease as lost:
        err.write(f"error: {lost}\n")
        return 1
    return progress.counts, stopping.is_set()


async def run_announce_command(catalog: Catalog, store: Store, bot: Bot | None, campaign_id: str, *,
                               today: date, dry_run: bool = False, rate: float | None = 25.0,
                               policy: DeliveryPolicy | None = None, out: TextIO = sys.stdout,
                               err: TextIO = sys.stderr) -> int:
    """A new case to those signed up for its topics or region (or all cases).
    Exit status: 0 sent (or nothing left to send), 1 busy elsewhere, 2 bad
    arguments or a case that cannot be announced on `today` (not issued yet,
    a draft, not open): said in one line."""
    campaign = catalog.campaigns.get(campaign_id)
    if campaign is None:
        err.write(f"error: unknown campaign {campaign_id!r} (known: {', '.join(catalog.campaigns)})\n")
        return 2
    texts = Texts(catalog.strings)
    if (reason := announcement.refusal(catalog, campaign, today)) is not None:
        err.write(f"error: {plain(announcement.refusal_text(texts, 'en', reason))}\n")
        return 2
    messages = announcement.announcement_messages(catalog, texts, campaign, today)
    choices = announcement.case_choices(campaign)
    if dry_run:
        count = await store.announcement_size(campaign_id, choices)
        for lang, (text, _) in messages.items():
            out.write(f"--- {lang} ---\n{plain(text)}\n\n")
        out.write(f"Would announce {campaign.reference} to {count} signed up for it "
                  "(nothing sent: --dry-run).\n")
        return 0
    opened = await store.open_announcement(campaign_id, choices, datetime.now(UTC))
    sent = await _send(store, bot, opened, messages, rate, policy, err)
    if isinstance(sent, int):
        return sent
    return _summary(sent, f"Announced {campaign.reference}", out)
