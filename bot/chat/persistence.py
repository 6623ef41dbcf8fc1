"""Conversation persistence in the project's SQLite database.

python-telegram-bot's PicklePersistence writes once a minute, so a crash
loses up to a minute of supporters' progress. This persistence is written
after every update (see `PersistentApplication`), as JSON, in the same
database file as the action log.

Privacy: only what a flow in progress needs is kept, and only while it is in
progress. The supporter's language is not kept here (the store keeps it under
the keyed hash); a user's row disappears as soon as nothing else is left in
their data, and a conversation's row when it ends.
"""

from __future__ import annotations

import json
from pathlib import Path

import aiosqlite
from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput

from ..store.migrate import migrate
from .context import LANG_KEY

NOT_PERSISTED = frozenset({LANG_KEY})


class SQLitePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, path: Path):
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False),
                         update_interval=60)
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None

    async def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            await self._db.execute("PRAGMA busy_timeout = 5000")
            await self._db.execute("PRAGMA journal_mode = WAL")
            await self._db.execute("PRAGMA synchronous = NORMAL")
            await migrate(self._db)
        return self._db

    async def get_user_data(self) -> dict[int, dict]:
        db = await self._connection()
        rows = await db.execute_fetchall("SELECT user_id, data FROM flow_data")
        return {user_id: json.loads(data) for user_id, data in rows}

    async def update_user_data(self, user_id: int, data: dict) -> None:
        db = await self._connection()
        kept = {k: v for k, v in data.items() if k not in NOT_PERSISTED}
        if kept:
            await db.execute("INSERT INTO flow_data (user_id, data) VALUES (?, ?) "
                             "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
                             (user_id, json.dumps(kept)))
        else:
            await db.execute("DELETE FROM flow_data WHERE user_id = ?", (user_id,))

    async def drop_user_data(self, user_id: int) -> None:
        db = await self._connection()
        await db.execute("DELETE FROM flow_data WHERE user_id = ?", (user_id,))

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        db = await self._connection()
        rows = await db.execute_fetchall("SELECT key, state FROM conversation_states WHERE name = ?",
                                         (name,))
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        db = await self._connection()
        if new_state is None:
            await db.execute("DELETE FROM conversation_states WHERE name = ? AND key = ?",
                             (name, json.dumps(list(key))))
        else:
            await db.execute("INSERT INTO conversation_states (name, key, state) VALUES (?, ?, ?) "
                             "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                             (name, json.dumps(list(key)), json.dumps(new_state)))

    async def flush(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    # Not stored: chat data, bot data, callback data.
    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self):
        return None

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        return None

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None


class PersistentApplication(Application):
    """Writes the persistence after every update, not once a minute."""

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        if self.persistence is not None and isinstance(update, Update):
            await self.update_persistence()
