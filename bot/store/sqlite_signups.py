"""Sign-ups for new cases and their announcements in SQLite (mixed into
`SQLiteStore`; `bot.store.base.Store` says what each method promises).

An announcement is a row of `broadcasts` (update number 0, audience
'signups') and its recipients rows of `deliveries`, so the broadcast engine
sends, resumes and never repeats it exactly as it does a case update; only
choosing the recipients is new here.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.store import validate
from bot.store.base import ANNOUNCEMENT_AUDIENCE, ANNOUNCEMENT_NUMBER, Broadcast, SignupCounts

# Chats signed up for one of the case's choices (a JSON list), not following
# the case already, once each. `ON CONFLICT` skips those already recipients.
SIGNED_UP_FOR = """
FROM signups s
WHERE s.choice IN (SELECT value FROM json_each(:choices))
  AND NOT EXISTS (SELECT 1 FROM subscriptions f WHERE f.chat_id = s.chat_id AND f.campaign_id = :campaign)
"""
# ... and not sent it yet: a recipient still pending (an announcement paused
# or interrupted) is still to be sent, so it counts.
NOT_YET_SENT = """
  AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
                  WHERE d.recipient = s.recipient AND b.campaign_id = :campaign
                    AND b.audience = 'signups' AND d.status <> 'pending')
"""
ADD_ANNOUNCEMENT_RECIPIENTS = f"""
INSERT INTO deliveries (broadcast_id, recipient, chat_id, language, status, attempts, updated_at)
SELECT DISTINCT :id, s.recipient, s.chat_id, s.language, 'pending', 0, :now
{SIGNED_UP_FOR}
ON CONFLICT (broadcast_id, recipient) DO NOTHING
"""


class SQLiteSignups:
    """Needs `_transaction`, `_fetch` and `_write` from `SQLiteStore`."""

    async def set_signup(self, chat_id: int, recipient: str, language: str, choices: list[str]) -> None:
        from bot.store.sqlite import _now

        chosen = validate.signup(chat_id, recipient, language, choices)
        async with self._transaction() as db:
            await db.execute("DELETE FROM signups WHERE chat_id = ?", (chat_id,))
            now = _now()
            await db.executemany(
                "INSERT INTO signups (chat_id, choice, recipient, language, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(chat_id, choice, recipient, language, now) for choice in chosen])

    async def signup_of(self, chat_id: int) -> list[str]:
        rows = await self._fetch("SELECT choice FROM signups WHERE chat_id = ? ORDER BY choice", (chat_id,))
        return [row[0] for row in rows]

    async def signup_counts(self) -> SignupCounts:
        async with self._transaction(write=False) as db:
            people = await db.execute_fetchall("SELECT COUNT(DISTINCT chat_id) FROM signups")
            rows = await db.execute_fetchall("SELECT choice, COUNT(*) FROM signups GROUP BY choice")
        return SignupCounts(people=people[0][0], by_choice=dict(rows))

    async def announcement_size(self, campaign_id: str, choices: list[str]) -> int:
        rows = await self._fetch(f"SELECT COUNT(DISTINCT s.chat_id) {SIGNED_UP_FOR} {NOT_YET_SENT}",
                                 {"choices": json.dumps(validate.signup_choices(choices)),
                                  "campaign": campaign_id})
        return rows[0][0]

    async def open_announcement(self, campaign_id: str, choices: list[str], now: datetime) -> Broadcast:
        from bot.store.sqlite import BROADCAST_COLUMNS, _broadcast, _instant

        validate.ident(campaign_id, "campaign_id")
        chosen = json.dumps(validate.signup_choices(choices))
        key = (campaign_id, ANNOUNCEMENT_NUMBER, ANNOUNCEMENT_AUDIENCE)
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO broadcasts (campaign_id, update_number, audience, status, created_at)"
                " VALUES (?, ?, ?, 'sending', ?)"
                " ON CONFLICT (campaign_id, update_number, audience) DO NOTHING",
                (*key, _instant(now)))
            select = (f"SELECT {BROADCAST_COLUMNS} FROM broadcasts"
                      " WHERE campaign_id = ? AND update_number = ? AND audience = ?")
            broadcast = _broadcast((await db.execute_fetchall(select, key))[0])
            cursor = await db.execute(ADD_ANNOUNCEMENT_RECIPIENTS, {
                "id": broadcast.id, "now": _instant(now), "campaign": campaign_id, "choices": chosen})
            if cursor.rowcount > 0 and broadcast.status == "done":  # signed up since it was sent
                await db.execute("UPDATE broadcasts SET status = 'sending', finished_at = NULL WHERE id = ?",
                                 (broadcast.id,))
                broadcast = _broadcast((await db.execute_fetchall(select, key))[0])
        return broadcast
