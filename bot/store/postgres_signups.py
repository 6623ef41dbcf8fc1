"""Sign-ups for new cases and their announcements on PostgreSQL (mixed into
`PostgresStore`); `bot.store.sqlite_signups` says how an announcement rides
on the broadcast tables. As in `open_broadcast`, an advisory lock on the
case's announcement makes two processes opening it at once take turns."""

from __future__ import annotations

from datetime import datetime

from bot.store import validate
from bot.store.base import ANNOUNCEMENT_AUDIENCE, ANNOUNCEMENT_NUMBER, Broadcast, SignupCounts
from bot.store.postgres_broadcasts import BROADCAST_COLUMNS, BROADCAST_LOCK, _broadcast, _count, instant

# $1 the case's choices, $2 campaign (see sqlite_signups.SIGNED_UP_FOR)
SIGNED_UP_FOR = """
FROM signups s
WHERE s.choice = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM subscriptions f WHERE f.owner = s.owner AND f.campaign_id = $2)
"""
NOT_YET_SENT = """
  AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
                  WHERE d.recipient = s.recipient AND b.campaign_id = $2 AND b.audience = 'signups'
                    AND d.status <> 'pending')
"""
# ... and $3 broadcast id, $4 now
ADD_ANNOUNCEMENT_RECIPIENTS = f"""
INSERT INTO deliveries (broadcast_id, recipient, owner, chat, language, status, attempts, updated_at)
SELECT DISTINCT ON (s.recipient) $3::bigint, s.recipient, s.owner, s.chat, s.language, 'pending', 0,
       $4::timestamptz
{SIGNED_UP_FOR}
ON CONFLICT (broadcast_id, recipient) DO NOTHING
"""


# COALESCE: a row copied in by `advocacy-bot migrate` keeps its plain chat_id
# (and no owner) until the bot's start seals it; it counts meanwhile.


class PostgresSignups:
    """Needs `_pool` and `_transaction` from `PostgresStore`."""

    async def set_signup(self, chat_id: int, recipient: str, language: str, choices: list[str]) -> None:
        chosen = validate.signup(chat_id, recipient, language, choices)
        owner, chat = self.chats.seal(chat_id) if chosen else (self._owner(chat_id), None)
        async with self._transaction() as conn:
            await conn.execute("DELETE FROM signups WHERE owner = $1", owner)
            await conn.executemany(
                "INSERT INTO signups (owner, chat, choice, recipient, language, created_at)"
                " VALUES ($1, $2, $3, $4, $5, now())",
                [(owner, chat, choice, recipient, language) for choice in chosen])

    async def signup_of(self, chat_id: int) -> list[str]:
        rows = await self._pool.fetch("SELECT choice FROM signups WHERE owner = $1 ORDER BY choice",
                                      self._owner(chat_id))
        return [row[0] for row in rows]

    async def signup_counts(self) -> SignupCounts:
        async with self._transaction(isolation="repeatable_read", readonly=True) as conn:
            people = await conn.fetchval("SELECT COUNT(DISTINCT COALESCE(owner, chat_id::text)) FROM signups")
            rows = await conn.fetch("SELECT choice, COUNT(*) FROM signups GROUP BY choice")
        return SignupCounts(people=people, by_choice={row[0]: row[1] for row in rows})

    async def announcement_size(self, campaign_id: str, choices: list[str]) -> int:
        return await self._pool.fetchval(f"SELECT COUNT(DISTINCT COALESCE(s.owner, s.chat_id::text))"
                                         f" {SIGNED_UP_FOR} {NOT_YET_SENT}",
                                         validate.signup_choices(choices), campaign_id)

    async def open_announcement(self, campaign_id: str, choices: list[str], now: datetime) -> Broadcast:
        validate.ident(campaign_id, "campaign_id")
        chosen = validate.signup_choices(choices)
        now = instant(now)
        key = (campaign_id, ANNOUNCEMENT_NUMBER, ANNOUNCEMENT_AUDIENCE)
        select = (f"SELECT {BROADCAST_COLUMNS} FROM broadcasts"
                  " WHERE campaign_id = $1 AND update_number = $2 AND audience = $3")
        async with self._transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", BROADCAST_LOCK,
                               f"{campaign_id}\n{ANNOUNCEMENT_NUMBER}")
            await conn.execute(
                "INSERT INTO broadcasts (campaign_id, update_number, audience, status, created_at)"
                " VALUES ($1, $2, $3, 'sending', $4)"
                " ON CONFLICT (campaign_id, update_number, audience) DO NOTHING",
                *key, now)
            broadcast = _broadcast(await conn.fetchrow(select, *key))
            added = _count(await conn.execute(ADD_ANNOUNCEMENT_RECIPIENTS, chosen, campaign_id,
                                              broadcast.id, now))
            if added > 0 and broadcast.status == "done":  # signed up since it was sent
                await conn.execute(
                    "UPDATE broadcasts SET status = 'sending', finished_at = NULL WHERE id = $1",
                    broadcast.id)
                broadcast = _broadcast(await conn.fetchrow(select, *key))
        return broadcast
