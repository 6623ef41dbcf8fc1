"""What the action log stores and the interface every backend implements.

The bot, the CLI and the dashboard only talk to `Store`; the SQLite backend
(`bot.store.sqlite`, the default) and the PostgreSQL one (`bot.store.postgres`)
implement it, so everything here is plain data: frozen dataclasses with `str`,
`int`, `date` and `datetime` fields, nothing tied to a driver.

Privacy: a supporter is only ever the keyed hash from `bot.core.identity`
(64 hex characters), never a Telegram user id. Each record keeps the least
that the Urgent Action network needs (what was done, to whom, how many
times, when, and an optional recognised country), and `forget` turns a
supporter's records into anonymous ones and erases what they typed.

A chat id is kept only where a message must be sent later (subscriptions,
reminders, a broadcast's pending recipients), never beside the supporter key:
those rows are found by chat id, and a delivery that has happened keeps only
a `recipient` key so that a chat is not sent the same update twice. Daily
limits are counted under a third keyed hash (`Limits.limiter`) that survives
/forget for the day, so deleting one's data does not reset them.

Erasure (docs/privacy-erasure.md): what a supporter types is sealed under a
key of their own (`keyring`, a separate file) that `forget` destroys, and
`forget` gives the person's rows new random idempotency and delivery keys,
so nothing left, in the tables or in an older copy of them, can be linked
back to them, even by someone holding the deployment's secret.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol, Self, runtime_checkable

from bot.store.keyring import Keyring

CHANNELS: tuple[str, ...] = ("letter", "email", "call", "tweet", "fax", "other")
STATUSES: tuple[str, ...] = ("done", "attempted")
LANGUAGES: tuple[str, ...] = ("en", "es")  # the interface languages
# An appeal language as the database checks it (ISO 639-1); which ones are
# accepted is the running content's (`AppealLanguages`).
APPEAL_LANGUAGE_SHAPE = re.compile(r"[a-z]{2}")
PROBLEM_KINDS: tuple[str, ...] = ("bounced", "disconnected", "wrong", "other")
MAX_COUNT = 500
ERASED_TEXT = "[erased by the supporter]"  # what /forget leaves of a reply they typed
BY_DAY_WINDOW = 90  # days shown by `CampaignStats.by_day`
ALL_CAMPAIGNS = "*"  # reserved campaign id under which all-campaign totals are kept


@dataclass(frozen=True)
class ActionReport:
    """A supporter's report: "I sent `count` letters/emails/... to this official".

    `status="attempted"` is a call that got voicemail or no answer: the network
    counts those apart from calls that went through. `idempotency_key` is
    unique per report (e.g. the Telegram update id) so a retried update is
    counted once. `at` defaults to now (UTC); a naive datetime is taken as UTC.
    """

    campaign_id: str
    official_id: str
    channel: str
    count: int
    status: str
    language: str
    country: str | None
    supporter: str | None
    idempotency_key: str
    at: datetime | None = None


@dataclass(frozen=True)
class Limits:
    """A person's daily caps, counted under `limiter`: a keyed hash of their
    Telegram id in its own domain (`bot.core.identity`), so it cannot be joined with
    their actions and survives /forget. Days are UTC days."""

    limiter: str
    reports: int = 50  # action reports a day
    actions: int = 1000  # letters, emails, calls and tweets a day, the counts summed
    replies: int = 10  # official replies reported a day
    problems: int = 10  # contact problems reported a day


@dataclass(frozen=True)
class RecordResult:
    """Whether the report was new, and the campaign's totals right after it.

    `capped` is True when a daily limit refused it: nothing was recorded
    except the refused attempt itself (counted for the organizers' /stats).
    `new_supporter` is True when this was the supporter's first report on the
    campaign.
    """

    created: bool
    campaign_supporters: int
    campaign_actions: int
    capped: bool = False
    new_supporter: bool = False


@dataclass(frozen=True)
class ReplyReport:
    """A supporter tells us an official answered (a short summary, no attachments)."""

    campaign_id: str
    official_id: str
    summary: str
    supporter: str | None
    idempotency_key: str
    at: datetime | None = None


@dataclass(frozen=True)
class ProblemReport:
    """A contact detail did not work: an email bounced, a number is disconnected..."""

    campaign_id: str
    official_id: str
    channel: str
    kind: str
    note: str | None
    supporter: str | None
    idempotency_key: str
    at: datetime | None = None


@dataclass(frozen=True)
class Recorded:
    """Outcome of `record_reply` / `record_contact_problem`: the row id, and
    whether this call created it (False when the idempotency key was seen, or
    when a daily limit refused it: then `capped` and no id)."""

    created: bool
    id: int | None
    capped: bool = False


@dataclass(frozen=True)
class ReviewItem:
    """One line of the organizers' review list: an official's reply or a contact problem.

    `kind` says which table `id` belongs to; `closed_at` is when it was
    reviewed (reply) or resolved (problem). No supporter key: reviewers do not
    need to know who reported it.
    """

    kind: Literal["reply", "problem"]
    id: int
    campaign_id: str
    official_id: str
    channel: str | None
    problem: str | None  # bounced/disconnected/wrong/other, None for replies
    text: str | None  # reply summary or problem note
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class ActionRow:
    """One stored action, as exported (CSV) and shown by /mydata."""

    id: int
    created_at: datetime
    campaign_id: str
    official_id: str
    channel: str
    count: int
    status: str
    language: str
    country: str | None
    supporter: str | None

    FIELDS = (
        "id",
        "created_at",
        "campaign_id",
        "official_id",
        "channel",
        "count",
        "status",
        "language",
        "country",
        "supporter",
    )


@dataclass(frozen=True)
class Subscription:
    """Where to send one case's updates: the chat, its delivery key
    (`recipient`), the language to send in, and whether the follower reported
    an action on the case (for the `acted` audience). No supporter key."""

    chat_id: int
    campaign_id: str
    recipient: str
    language: str
    acted: bool = False


# Sign-ups for new cases: a chat's choices are "all", or any of "topic:<id>"
# and "region:<id>" (Amnesty's five regions); a case reaches the chat when
# one of its choices is among the case's (`bot.broadcasts.announcement`).
SIGNUP_ALL = "all"
# An announcement is the broadcast of update number 0 of a case to this audience.
ANNOUNCEMENT_AUDIENCE = "signups"
ANNOUNCEMENT_NUMBER = 0


@dataclass(frozen=True)
class SignupCounts:
    """How many chats are signed up (`people`), and how many chose each
    choice ("all", "topic:<id>", "region:<id>"): one person may count under
    several topics and regions."""

    people: int
    by_choice: dict[str, int]


@dataclass(frozen=True)
class PendingReminder:
    """A "Not yet" reminder still to be sent, as /mydata lists it."""

    campaign_id: str
    official_id: str
    channel: str
    due_at: datetime


@dataclass(frozen=True)
class SupporterData:
    """Everything stored under one supporter key or for their chat (for
    /mydata); texts they typed are opened with their key."""

    supporter: str
    language: str | None
    subscriptions: list[str]
    actions: list[ActionRow]
    replies: list[ReviewItem]
    problems: list[ReviewItem]
    reminders: list[PendingReminder] = field(default_factory=list)
    signups: list[str] = field(default_factory=list)  # this chat's sign-up choices


@dataclass(frozen=True)
class CampaignStats:
    """The figures the network asks for, for one campaign or all (`campaign_id=None`).

    `actions` and every split count done actions (the sum of `count`);
    `attempted` (unanswered calls) is kept apart. `supporters` counts distinct
    supporter keys ever seen, including supporters who later used /forget
    (their actions stay in the counts, anonymously; one who deletes their
    data and acts again the same day is not counted again, but from the next
    day they are a new person: unlinkability wins, and every place that shows
    the figure says so, see docs/privacy-erasure.md). `by_day` has one entry per
    day, oldest first, from `since` (`advocacy-bot stats --json` passes the case's
    issue date), else for the `BY_DAY_WINDOW` days, to `today` (UTC), zeros included.
    """

    campaign_id: str | None
    today: date
    actions: int
    attempted: int
    supporters: int
    capped: int  # attempts refused by a daily limit (reports, replies, problems)
    by_channel: dict[str, int]
    by_official: dict[str, int]
    by_day: list[tuple[date, int]]
    last_7_days: int
    open_problems: int
    open_replies: int
    db_bytes: int
    campaigns: list[str] = field(default_factory=list)


AUDIENCES: tuple[str, ...] = ("acted", "followers")
DELIVERY_STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed", "blocked", "unknown")


@dataclass(frozen=True)
class Broadcast:
    """One case update sent to one audience of a campaign's followers.

    `update_number` counts the campaign's `updates` from 1. `owner` and
    `lease_until` say which process is sending it (see `bot.broadcasts.engine`).
    """

    id: int
    campaign_id: str
    update_number: int
    audience: str
    status: Literal["sending", "done"]
    owner: str | None
    lease_until: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """One recipient of a broadcast still to be sent: its key, where, in which language."""

    broadcast_id: int
    recipient: str
    chat_id: int
    language: str
    attempts: int


@dataclass(frozen=True)
class DeliveryCounts:
    """How many recipients of a broadcast are in each delivery status."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.failed + self.blocked + self.unknown

    @property
    def remaining(self) -> int:
        return self.pending + self.sending


@dataclass(frozen=True)
class ReminderRequest:
    """ "Not yet, remind me later": remind this chat once, at `due_at`, about
    the appeal it prepared (`appeal_language` is the appeal's, `language` the
    supporter's own)."""

    chat_id: int
    campaign_id: str
    official_id: str
    channel: str
    appeal_language: str
    language: str
    due_at: datetime


@dataclass(frozen=True)
class DueReminder:
    """A reminder claimed for sending by `claim_due_reminders`."""

    id: int
    chat_id: int
    campaign_id: str
    official_id: str
    channel: str
    appeal_language: str
    language: str
    attempts: int


@dataclass(frozen=True)
class AuditEntry:
    """One organizer command: who (Telegram id of a listed organizer, or 0 for
    the web dashboard, whose `detail` then starts with "dashboard:"), what, when."""

    organizer_id: int
    command: str
    detail: str | None
    created_at: datetime


class AppealLanguages:
    """The appeal languages a store accepts (`actions.language`,
    `reminders.appeal_language`): those the running content has layouts for,
    given at start (`Services.ensure_store`); the interface languages until
    then. The database checks only their shape: the list is content's."""

    appeal_languages: tuple[str, ...] = LANGUAGES

    def accept_appeal_languages(self, languages: Iterable[str]) -> None:
        chosen = tuple(languages)
        for lang in chosen:
            if not isinstance(lang, str) or not APPEAL_LANGUAGE_SHAPE.fullmatch(lang):
                raise ValueError(f"an appeal language is two lowercase letters; got {lang!r}")
        self.appeal_languages = chosen


@runtime_checkable
class Store(Protocol):
    """The action log. Every method is one transaction; all are safe to call
    concurrently from many tasks and from several processes on the same
    database."""

    appeal_languages: tuple[str, ...]

    def accept_appeal_languages(self, languages: Iterable[str]) -> None:
        """Accept appeals in these languages from now on (the content's)."""
        ...

    def use_secret(self, secret: bytes) -> None:
        """The deployment's secret (`Services.secret`): PostgreSQL finds a
        chat's sealed rows with it (`chat_seal`); SQLite needs none."""
        ...

    async def record_action(self, report: ActionReport, limits: Limits | None = None,
                            follower_chat: int | None = None) -> RecordResult:
        """Record a report, idempotent on its key, within `limits` (checked and
        counted in the same transaction as the insert, so several processes
        cannot pass them). `follower_chat` marks that chat's subscription to
        the case as having acted (for the `acted` audience)."""
        ...

    async def record_reply(self, report: ReplyReport, limits: Limits | None = None) -> Recorded: ...

    async def record_contact_problem(self, report: ProblemReport,
                                     limits: Limits | None = None) -> Recorded: ...

    async def list_problems(
        self, open_only: bool = True, limit: int = 50, campaign_id: str | None = None
    ) -> list[ReviewItem]: ...

    async def resolve_problem(self, item_id: int, kind: Literal["problem", "reply"] = "problem") -> bool: ...

    async def campaign_stats(
        self, campaign_id: str | None = None, today: date | None = None, since: date | None = None
    ) -> CampaignStats: ...

    def export_actions(
        self, campaign_id: str | None = None, since: date | None = None
    ) -> AsyncIterator[ActionRow]: ...

    # Subscriptions are found by chat id; `supporter` is only used, never
    # stored, to tell whether the follower already acted on the case.
    async def subscribe(self, chat_id: int, campaign_id: str, recipient: str, language: str,
                        supporter: str | None = None) -> None: ...

    async def unsubscribe(self, chat_id: int, campaign_id: str) -> bool: ...

    async def subscriptions_of(self, chat_id: int) -> list[str]: ...

    async def subscribers_of(self, campaign_id: str) -> list[Subscription]: ...

    async def unsubscribe_chat(self, chat_id: int) -> int:
        """Everything that would message this chat unprompted (subscriptions,
        its sign-up, pending reminders, its pending broadcast deliveries) is deleted: /stop,
        or the chat blocked the bot. How many subscriptions there were."""
        ...

    # Sign-ups for new cases (found by chat id, no supporter key, like subscriptions).
    async def set_signup(self, chat_id: int, recipient: str, language: str, choices: list[str]) -> None:
        """This chat's choices from now on (replacing any); none ends the sign-up."""
        ...

    async def signup_of(self, chat_id: int) -> list[str]:
        """This chat's choices, sorted; empty when not signed up."""
        ...

    async def signup_counts(self) -> SignupCounts: ...

    async def announcement_size(self, campaign_id: str, choices: list[str]) -> int:
        """How many chats an announcement of this case would reach now: signed
        up for one of `choices` (the case's), not following the case, not yet
        sent its announcement (those still pending in a paused one count)."""
        ...

    async def open_announcement(self, campaign_id: str, choices: list[str], now: datetime) -> Broadcast:
        """The case's announcement (a broadcast, update number 0, audience
        'signups'), created if new; either way chats signed up since are added
        as pending recipients, as `open_broadcast` does for an update."""
        ...

    # Case-update broadcasts (bot.broadcasts.engine). `now` is always the caller's
    # clock, so tests and the engine's own timing agree.
    async def audience_size(self, campaign_id: str, update_number: int, audience: str) -> int:
        """How many chats a new broadcast of this update to `audience` would
        reach: followers (who acted, for 'acted') not already sent this update."""
        ...

    async def open_broadcast(
        self, campaign_id: str, update_number: int, audience: str, now: datetime
    ) -> Broadcast:
        """The broadcast of this update to `audience`, created if new; either way
        followers who joined since are added as pending recipients, except chats
        any broadcast of the same update already has."""
        ...

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None: ...

    async def unfinished_broadcasts(self) -> list[Broadcast]: ...

    async def acquire_broadcast(
        self, broadcast_id: int, owner: str, now: datetime, lease_until: datetime,
        takeover_from: str | None = None,
    ) -> bool:
        """Become the broadcast's sender if nobody holds an unexpired lease (or the
        holder is `takeover_from`, known dead). Rows the previous sender left in
        'sending' become 'unknown' in the same transaction."""
        ...

    async def renew_broadcast(self, broadcast_id: int, owner: str, lease_until: datetime) -> bool: ...

    async def release_broadcast(self, broadcast_id: int, owner: str, finished_at: datetime | None) -> None:
        """Give up the lease; with `finished_at`, also mark the broadcast done."""
        ...

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None: ...

    async def pending_deliveries(self, broadcast_id: int, now: datetime, limit: int) -> list[Delivery]:
        """Pending recipients due by `now`, by chat id."""
        ...

    async def next_retry_at(self, broadcast_id: int) -> datetime | None:
        """When the earliest pending recipient waiting for a retry is due."""
        ...

    async def claim_delivery(self, broadcast_id: int, recipient: str, owner: str, now: datetime) -> bool:
        """pending -> sending, only while `owner` holds the broadcast."""
        ...

    async def finish_delivery(
        self, broadcast_id: int, recipient: str, status: str, now: datetime, error: str | None = None,
        retry_at: datetime | None = None, failed_attempt: bool = False,
    ) -> None:
        """sending -> sent/failed/blocked/unknown (the chat id is then dropped:
        only the recipient key stays), or back to pending until `retry_at`."""
        ...

    async def delivery_counts(self, broadcast_id: int) -> DeliveryCounts: ...

    # Reminders ("Not yet"), kept in the store so a restart does not lose them.
    async def schedule_reminder(self, reminder: ReminderRequest) -> bool:
        """False if this supporter already has a reminder pending for the campaign."""
        ...

    async def cancel_reminders(self, chat_id: int, campaign_id: str | None = None) -> int: ...

    async def claim_due_reminders(self, now: datetime, limit: int) -> list[DueReminder]:
        """Due reminders, marked as being sent; rows a dead process left being
        sent for over an hour are dropped (never sent twice)."""
        ...

    async def finish_reminder(self, reminder_id: int, retry_at: datetime | None = None) -> None:
        """Sent (or given up): delete it; with `retry_at`, try again then."""
        ...

    async def set_language(self, supporter: str, lang: str, chat_id: int | None = None) -> None:
        """The supporter's language; with `chat_id`, also that of its subscriptions."""
        ...

    async def get_language(self, supporter: str) -> str | None: ...

    async def action_recorded(self, idempotency_key: str) -> bool:
        """Whether an action was recorded under this key (a report prompt already answered)."""
        ...

    async def sent_at(self, supporter: str, campaign_id: str, official_id: str,
                      channel: str) -> list[datetime]:
        """When this supporter reported this appeal (case, official, channel)
        as sent (status "done"): one query, where the report prompt's "sent it
        again today?" check once read all of `supporter_data` (seven)."""
        ...

    async def supporter_data(self, supporter: str, chat_id: int) -> SupporterData: ...

    async def forget(self, supporter: str, chat_id: int, limiter: str | None = None,
                     today: date | None = None, recipient: str | None = None) -> None:
        """Unlink a person from everything, in one transaction: their actions
        stay in the counts with no key and a new random idempotency key; the
        reply and problem texts they typed are erased and their key destroyed;
        their language, flow, subscriptions, reminders and pending deliveries go,
        and deliveries that happened to `recipient` get a random key. Today's
        limits (under `limiter`) are kept and marked until the day ends, so
        deleting one's data neither resets them nor counts one as new again
        that day."""
        ...

    async def finish_erasure(self) -> bool:
        """Retry what `forget` could not finish at once (SQLite: a checkpoint a
        reader blocked); True when nothing is owed. The sweep calls it."""
        ...

    async def prune_limits(self, before: date) -> int:
        """Delete daily limits of days before `before`; how many rows."""
        ...

    async def rekey_legacy_rows(self, recipient_of: Callable[[int], str]) -> int:
        """Rows an older schema keyed by chat id alone get their recipient key
        (computed by the caller, who has the secret); how many."""
        ...

    async def rebuild_rollups(self) -> None: ...

    # Conversation persistence (bot.chat.persistence): a flow's state while it
    # runs, one sealed row per supporter key (`flow_rows`).
    keyring: Keyring

    async def load_flows(self) -> list[tuple[str, str]]:
        """Every flow row: (supporter key, sealed state)."""
        ...

    async def save_flows(self, rows: dict[str, str | None], at: datetime | None = None) -> None:
        """All of one update's persistence changes in one write (None deletes)."""
        ...

    async def prune_flows(self, before: datetime) -> int:
        """Delete flows last written before `before` (nobody came back); how many."""
        ...

    async def count_flows(self) -> int: ...

    # Long polling (bot.chat.polling): the highest update id handled with every
    # lower one handled too, kept so a restart polls from the next one.
    async def handled_update(self) -> tuple[int, datetime] | None:
        """(update id, when it was saved), or None before the first."""
        ...

    async def save_handled_update(self, update_id: int, at: datetime | None = None) -> None:
        """Replace the kept update id (lower too: Telegram may restart its count)."""
        ...

    async def audit(self, organizer_id: int, command: str, detail: str | None,
                    at: datetime | None = None) -> None:
        """Record an organizer command in the audit log."""
        ...

    async def audit_log(self, limit: int = 100) -> list[AuditEntry]: ...

    async def ping(self) -> bool:
        """True when the database answers (for /healthz)."""
        ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...
