"""Case-update broadcasts and "Not yet" reminders on PostgreSQL (mixed into
`PostgresStore`); the SQLite store's methods of the same names say what each
does.

What differs from SQLite is concurrency. SQLite runs one writer at a time,
so "is this chat already in a broadcast of this update?" and "which
reminders are due?" are answered and acted on with nobody else writing. At
PostgreSQL's READ COMMITTED several processes really run at once, so:
- `open_broadcast` takes an advisory lock on (campaign, update): two
  processes opening the 'acted' and 'followers' broadcasts of one update at
  once cannot both add the same chat;
- `claim_delivery` share-locks the broadcast row while checking its owner,
  so a claim and a lease takeover take turns (the loser sees the new owner);
- `claim_due_reminders` claims with `FOR UPDATE SKIP LOCKED` and re-checks
  the status, so two processes never claim the same reminder.

And the chat ids: a subscription, a reminder and a pending delivery keep
theirs sealed under the person's key and are found by the person's alias
(`owner`), never by the id (`chat_seal`). Rows read for sending are opened
in one key-file query per batch; a final delivery keeps neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.store import validate
from bot.store.base import (
    AUDIENCES,
    DELIVERY_STATUSES,
    AppealLanguages,
    Broadcast,
    Delivery,
    DeliveryCounts,
    DueReminder,
    ReminderRequest,
)

BROADCAST_LOCK = 0xB0CA  # first key of the two-key advisory lock per (campaign, update)
STALE_REMINDER = timedelta(hours=1)

BROADCAST_COLUMNS = (
    "id, campaign_id, update_number, audience, status, owner, lease_until, progress_chat_id,"
    " progress_message_id, created_at, finished_at"
)
# $1 campaign, $2 audience, $3 update number (see sqlite.AUDIENCE_WHERE)
AUDIENCE_WHERE = """
WHERE s.campaign_id = $1
  AND ($2::text = 'followers' OR s.acted)
  AND NOT EXISTS (
        SELECT 1 FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
        WHERE d.recipient = s.recipient AND b.campaign_id = s.campaign_id AND b.update_number = $3::int)
"""
# ... and $4 broadcast id, $5 now
ADD_RECIPIENTS = f"""
INSERT INTO deliveries (broadcast_id, recipient, owner, chat, language, status, attempts, updated_at)
SELECT $4::bigint, s.recipient, s.owner, s.chat, s.language, 'pending', 0, $5::timestamptz
FROM subscriptions s
{AUDIENCE_WHERE}
ON CONFLICT (broadcast_id, recipient) DO NOTHING
"""
REMINDER_COLUMNS = (
    "id, owner, chat, campaign_id, official_id, channel, appeal_language, language, attempts"
)
FINAL = "('sent', 'failed', 'blocked', 'unknown')"  # a delivery that is over keeps no chat id


def instant(at: datetime) -> datetime:
    """An aware UTC datetime (naive ones are UTC), to the microsecond as in SQLite."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


def _broadcast(row: Sequence) -> Broadcast:
    return Broadcast(*row)


class PostgresBroadcasts(AppealLanguages):
    """Needs `_pool` and `_transaction` from `PostgresStore`."""

    async def unsubscribe_chat(self, chat_id: int) -> int:
        owner = self._owner(chat_id)
        async with self._transaction() as conn:
            status = await conn.execute("DELETE FROM subscriptions WHERE owner = $1", owner)
            await conn.execute("DELETE FROM signups WHERE owner = $1", owner)
            await conn.execute("DELETE FROM reminders WHERE owner = $1", owner)
            await conn.execute("DELETE FROM deliveries WHERE owner = $1 AND status = 'pending'", owner)
        return _count(status)

    # -- case-update broadcasts ------------------------------------------------

    async def audience_size(self, campaign_id: str, update_number: int, audience: str) -> int:
        validate.choice(audience, AUDIENCES, "audience")
        return await self._pool.fetchval(
            f"SELECT COUNT(*) FROM subscriptions s {AUDIENCE_WHERE}", campaign_id, audience, update_number
        )

    async def open_broadcast(
        self, campaign_id: str, update_number: int, audience: str, now: datetime
    ) -> Broadcast:
        validate.ident(campaign_id, "campaign_id")
        validate.choice(audience, AUDIENCES, "audience")
        if isinstance(update_number, bool) or not isinstance(update_number, int) or update_number < 1:
            raise ValueError("update_number must be a whole number from 1")
        now = instant(now)
        async with self._transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", BROADCAST_LOCK,
                               f"{campaign_id}\n{update_number}")
            await conn.execute(
                "INSERT INTO broadcasts (campaign_id, update_number, audience, status, created_at)"
                " VALUES ($1, $2, $3, 'sending', $4)"
                " ON CONFLICT (campaign_id, update_number, audience) DO NOTHING",
                campaign_id, update_number, audience, now,
            )
            row = await conn.fetchrow(
                f"SELECT {BROADCAST_COLUMNS} FROM broadcasts"
                " WHERE campaign_id = $1 AND update_number = $2 AND audience = $3",
                campaign_id, update_number, audience,
            )
            broadcast = _broadcast(row)
            added = _count(await conn.execute(ADD_RECIPIENTS, campaign_id, audience, update_number,
                                              broadcast.id, now))
            if added > 0 and broadcast.status == "done":  # newcomers since it finished
                row = await conn.fetchrow(
                    "UPDATE broadcasts SET status = 'sending', finished_at = NULL WHERE id = $1"
                    f" RETURNING {BROADCAST_COLUMNS}", broadcast.id)
                broadcast = _broadcast(row)
        return broadcast

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        row = await self._pool.fetchrow(f"SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE id = $1",
                                        broadcast_id)
        return _broadcast(row) if row else None

    async def unfinished_broadcasts(self) -> list[Broadcast]:
        rows = await self._pool.fetch(
            f"SELECT {BROADCAST_COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def acquire_broadcast(
        self, broadcast_id: int, owner: str, now: datetime, lease_until: datetime,
        takeover_from: str | None = None,
    ) -> bool:
        now = instant(now)
        async with self._transaction() as conn:
            status = await conn.execute(
                "UPDATE broadcasts SET owner = $1, lease_until = $2"
                " WHERE id = $3 AND status = 'sending' AND (owner IS NULL OR owner = $1"
                " OR lease_until < $4 OR owner = $5)",
                owner, instant(lease_until), broadcast_id, now, takeover_from,
            )
            if _count(status) != 1:
                return False
            await conn.execute(
                "UPDATE deliveries SET status = 'unknown', updated_at = $1, owner = NULL, chat = NULL,"
                " error = 'in flight when its sender stopped; not sent again'"
                " WHERE broadcast_id = $2 AND status = 'sending'",
                now, broadcast_id,
            )
            return True

    async def renew_broadcast(self, broadcast_id: int, owner: str, lease_until: datetime) -> bool:
        status = await self._pool.execute(
            "UPDATE broadcasts SET lease_until = $1 WHERE id = $2 AND owner = $3",
            instant(lease_until), broadcast_id, owner,
        )
        return _count(status) == 1

    async def release_broadcast(self, broadcast_id: int, owner: str, finished_at: datetime | None) -> None:
        if finished_at is None:
            await self._pool.execute(
                "UPDATE broadcasts SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2",
                broadcast_id, owner)
        else:
            await self._pool.execute(
                "UPDATE broadcasts SET owner = NULL, lease_until = NULL, status = 'done',"
                " finished_at = $1 WHERE id = $2 AND owner = $3",
                instant(finished_at), broadcast_id, owner)

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._pool.execute(
            "UPDATE broadcasts SET progress_chat_id = $1, progress_message_id = $2 WHERE id = $3",
            chat_id, message_id, broadcast_id)

    async def pending_deliveries(self, broadcast_id: int, now: datetime, limit: int) -> list[Delivery]:
        rows = await self._pool.fetch(
            "SELECT broadcast_id, recipient, owner, chat, language, attempts FROM deliveries"
            " WHERE broadcast_id = $1 AND status = 'pending'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= $2) ORDER BY recipient LIMIT $3",
            broadcast_id, instant(now), limit,
        )
        chats = self.chats.open_all((row[2], row[3]) for row in rows)  # one key-file query per batch
        unopened = [row[1] for chat, row in zip(chats, rows, strict=True) if chat is None]
        if unopened:  # no key: /forget deleted the row meanwhile, or this process has another key file
            await self._pool.execute(
                "UPDATE deliveries SET status = 'failed', error = 'its chat id cannot be opened (no key)',"
                " owner = NULL, chat = NULL, updated_at = $1"
                " WHERE broadcast_id = $2 AND recipient = ANY($3::text[]) AND status = 'pending'",
                instant(now), broadcast_id, unopened)
        return [Delivery(row[0], row[1], chat, *row[4:]) for chat, row in zip(chats, rows, strict=True)
                if chat is not None]

    async def next_retry_at(self, broadcast_id: int) -> datetime | None:
        return await self._pool.fetchval(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE broadcast_id = $1 AND status = 'pending'",
            broadcast_id)

    async def claim_delivery(self, broadcast_id: int, recipient: str, owner: str, now: datetime) -> bool:
        status = await self._pool.execute(
            "UPDATE deliveries SET status = 'sending', updated_at = $1"
            " WHERE broadcast_id = $2 AND recipient = $3 AND status = 'pending'"
            " AND EXISTS (SELECT 1 FROM broadcasts WHERE id = $2 AND owner = $4 FOR SHARE)",
            instant(now), broadcast_id, recipient, owner,
        )
        return _count(status) == 1

    async def finish_delivery(
        self, broadcast_id: int, recipient: str, status: str, now: datetime, error: str | None = None,
        retry_at: datetime | None = None, failed_attempt: bool = False,
    ) -> None:
        validate.choice(status, DELIVERY_STATUSES, "delivery status")
        # As in SQLite: from 'unknown' too, to a final status (a late outcome
        # beats not knowing); a final status drops the chat id.
        await self._pool.execute(
            "UPDATE deliveries SET status = $1, error = $2, next_attempt_at = $3,"
            " attempts = attempts + $4, updated_at = $5,"
            f" owner = CASE WHEN $1 IN {FINAL} THEN NULL ELSE owner END,"
            f" chat = CASE WHEN $1 IN {FINAL} THEN NULL ELSE chat END"
            " WHERE broadcast_id = $6 AND recipient = $7"
            f" AND (status = 'sending' OR (status = 'unknown' AND $1 IN {FINAL}))",
            status, error[:300] if error else None, instant(retry_at) if retry_at else None,
            1 if failed_attempt else 0, instant(now), broadcast_id, recipient,
        )

    async def delivery_counts(self, broadcast_id: int) -> DeliveryCounts:
        rows = await self._pool.fetch(
            "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = $1 GROUP BY status", broadcast_id)
        return DeliveryCounts(**{status: count for status, count in rows})

    # -- reminders -------------------------------------------------------------

    async def schedule_reminder(self, reminder: ReminderRequest) -> bool:
        validate.reminder(reminder, self.appeal_languages)
        owner, chat = self.chats.seal(reminder.chat_id)
        new_id = await self._pool.fetchval(
            "INSERT INTO reminders (owner, chat, campaign_id, official_id, channel,"
            " appeal_language, language, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (owner, campaign_id) DO NOTHING RETURNING id",
            owner, chat, reminder.campaign_id, reminder.official_id,
            reminder.channel, reminder.appeal_language, reminder.language,
            instant(reminder.due_at), instant(datetime.now(UTC)).replace(microsecond=0),
        )
        return new_id is not None

    async def cancel_reminders(self, chat_id: int, campaign_id: str | None = None) -> int:
        owner = self._owner(chat_id)
        if campaign_id is None:
            status = await self._pool.execute("DELETE FROM reminders WHERE owner = $1", owner)
        else:
            status = await self._pool.execute(
                "DELETE FROM reminders WHERE owner = $1 AND campaign_id = $2", owner, campaign_id)
        return _count(status)

    async def claim_due_reminders(self, now: datetime, limit: int) -> list[DueReminder]:
        now = instant(now)
        async with self._transaction() as conn:
            await conn.execute("DELETE FROM reminders WHERE status = 'sending' AND claimed_at < $1",
                               now - STALE_REMINDER)
            rows = await conn.fetch(
                "UPDATE reminders SET status = 'sending', claimed_at = $1 WHERE status = 'pending'"
                " AND id IN (SELECT id FROM reminders WHERE status = 'pending' AND due_at <= $1"
                f" ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING {REMINDER_COLUMNS}",
                now, limit,
            )
        rows = sorted(tuple(row) for row in rows)
        chats = self.chats.open_all((row[1], row[2]) for row in rows)
        unopened = [row[0] for chat, row in zip(chats, rows, strict=True) if chat is None]
        if unopened:  # as in pending_deliveries: nobody to remind any more
            await self._pool.execute("DELETE FROM reminders WHERE id = ANY($1::bigint[])", unopened)
        return [DueReminder(row[0], chat, *row[3:]) for chat, row in zip(chats, rows, strict=True)
                if chat is not None]

    async def finish_reminder(self, reminder_id: int, retry_at: datetime | None = None) -> None:
        if retry_at is None:
            await self._pool.execute("DELETE FROM reminders WHERE id = $1", reminder_id)
        else:
            await self._pool.execute(
                "UPDATE reminders SET status = 'pending', due_at = $1, claimed_at = NULL,"
                " attempts = attempts + 1 WHERE id = $2", instant(retry_at), reminder_id)
