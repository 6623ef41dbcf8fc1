"""Conversation persistence in the project's own store.

python-telegram-bot's PicklePersistence writes once a minute, so a crash
loses up to a minute of supporters' progress. This persistence is written
after every update (see `BotApplication`), through the store, so it
lives in the same database as the action log (SQLite or PostgreSQL).

One write per update, and none when nothing changed: python-telegram-bot
hands over each changed user and conversation state separately; they are
collected here and written together by `write_pending` (one statement in
autocommit, or one transaction), which `BotApplication` calls after
`update_persistence`.

Privacy: only what a flow in progress needs is kept, and only while it is in
progress. The name, city and sentence typed for an appeal are never written
(`flows.for_disk`). The supporter's language is not kept here (the store
keeps it under the keyed hash); a user's row disappears as soon as nothing
else is left in their data, and a conversation's row when it ends.
"""

from __future__ import annotations

import copy

from telegram.ext import BasePersistence, PersistenceInput

from bot.chat.context import LANG_KEY, Services
from bot.chat.flows import for_disk

NOT_PERSISTED = frozenset({LANG_KEY})


class StorePersistence(BasePersistence[dict, dict, dict]):
    """User data and conversation states only; no chat, bot or callback data."""

    def __init__(self, services: Services):
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False),
                         update_interval=60)
        self.services = services
        # What the store holds per user (users with a row only): python-telegram-bot
        # hands over every user an update touched, and most updates change nothing,
        # so an unchanged user costs no database round trip.
        self._written: dict[int, dict] = {}
        self._users: dict[int, dict | None] = {}  # changes not yet written
        self._conversations: dict[tuple[str, tuple], object | None] = {}

    async def _store(self):
        """The store, opened on first use: persistence loads before post_init runs."""
        await self.services.ensure_store()
        return self.services.store

    async def get_user_data(self) -> dict[int, dict]:
        data = await (await self._store()).flow_data()
        self._written = {user_id: copy.deepcopy(kept) for user_id, kept in data.items() if kept}
        return data

    async def update_user_data(self, user_id: int, data: dict) -> None:
        kept = {k: v for k, v in for_disk(data).items() if k not in NOT_PERSISTED} or None
        if kept == self._written.get(user_id) and user_id not in self._users:
            return
        self._users[user_id] = kept  # already a deep copy, made by the Application

    async def drop_user_data(self, user_id: int) -> None:
        self._users[user_id] = None

    async def get_conversations(self, name: str) -> dict:
        return await (await self._store()).conversation_states(name)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        self._conversations[(name, key)] = new_state

    async def write_pending(self) -> None:
        """Write what changed since the last call, in one go."""
        if not self._users and not self._conversations:
            return
        users, self._users = self._users, {}
        conversations, self._conversations = self._conversations, {}
        await (await self._store()).save_flows(users, conversations)
        for user_id, kept in users.items():
            if kept is None:
                self._written.pop(user_id, None)
            else:
                self._written[user_id] = kept

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def flush(self) -> None:
        await self.write_pending()  # on stop; the store is closed by post_shutdown

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
