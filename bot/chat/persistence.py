"""Conversation persistence in the project's own store, under no Telegram id.

python-telegram-bot's PicklePersistence writes once a minute, so a crash
loses up to a minute of supporters' progress. This persistence is written
after every update (see `BotApplication`), through the store, so it
lives in the same database as the action log (SQLite or PostgreSQL).

Privacy: a flow in progress is one row per supporter, under their supporter
key (the keyed hash their actions are kept under), and everything in it,
their Telegram id and the conversation keys included, is sealed under their
own key (`bot.store.keyring`). So no row, index or WAL page holds the id or
what the flow is about, and once /forget destroys the key nothing readable
is left, even in a copy taken mid-flow. At start every row is opened with
its owner's key and handed to python-telegram-bot as usual; a row whose key
is gone is deleted. The name, city and sentence typed for an appeal are
never written (`flows.for_disk`), nor is the language (the store keeps it
under the keyed hash); a row disappears when its flows end.

One write per update, and none when nothing changed: python-telegram-bot
hands over each changed user and conversation state separately; they are
collected here and written together by `write_pending`.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from telegram.ext import BasePersistence, PersistenceInput

from bot.chat.context import LANG_KEY, Services
from bot.chat.flows import for_disk

NOT_PERSISTED = frozenset({LANG_KEY})
PURPOSE = "flows"  # what a flow's seal is bound to


class StorePersistence(BasePersistence[dict, dict, dict]):
    """User data and conversation states only; no chat, bot or callback data."""

    def __init__(self, services: Services):
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False),
                         update_interval=60)
        self.services = services
        self._data: dict[int, dict] = {}  # per user: what may be written of their user data
        self._states: dict[int, dict[str, list]] = {}  # per user: conversation name -> [key, state]
        self._written: dict[int, str] = {}  # per user: the record last written (or loaded)
        self._dirty: set[int] = set()
        self._loaded = False

    async def _store(self):
        """The store, opened on first use: persistence loads before post_init runs."""
        await self.services.ensure_store()
        return self.services.store

    async def _load(self) -> None:
        """Open every flow row with its owner's key, once, at start."""
        if self._loaded:
            return
        self._loaded = True
        store = await self._store()
        orphans: dict[str, str | None] = {}
        for owner, sealed in await store.load_flows():
            record = store.keyring.open(owner, sealed, PURPOSE)
            if record is None:  # the key was destroyed (/forget): nothing to restore
                orphans[owner] = None
                continue
            loaded = json.loads(record)
            user_id = loaded["user"]
            self._written[user_id] = record
            if loaded.get("data"):
                self._data[user_id] = loaded["data"]
            if loaded.get("states"):
                self._states[user_id] = loaded["states"]
        if orphans:
            await store.save_flows(orphans)

    async def get_user_data(self) -> dict[int, dict]:
        await self._load()
        return copy.deepcopy(self._data)

    async def get_conversations(self, name: str) -> dict:
        await self._load()
        return {tuple(states[name][0]): states[name][1] for states in self._states.values() if name in states}

    def holds(self, user_id: int) -> bool:
        """Whether anything of this supporter is kept here (to be written, or written)."""
        return user_id in self._data or user_id in self._states or user_id in self._written or \
            user_id in self._dirty

    # -- changes, collected ------------------------------------------------

    async def update_user_data(self, user_id: int, data: dict) -> None:
        self.note_user_data(user_id, data, copied=True)

    def note_user_data(self, user_id: int, data: dict, copied: bool = False) -> None:
        """Take in a supporter's user data if what may be written of it changed.

        python-telegram-bot hands over a deep copy of every touched supporter's
        data after every update (`copied`), though most updates change nothing
        that is written; `BotApplication` hands over the live dict instead, and
        it is copied here only when it changed, so that later changes to the
        live dict are seen as changes."""
        kept = {k: v for k, v in for_disk(data).items() if k not in NOT_PERSISTED}
        if kept == self._data.get(user_id, {}):
            return
        self._data[user_id] = kept if copied else copy.deepcopy(kept)
        self._dirty.add(user_id)

    async def drop_user_data(self, user_id: int) -> None:
        self._data.pop(user_id, None)
        self._dirty.add(user_id)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        user_id = key[-1]  # (chat id, user id)
        states = self._states.setdefault(user_id, {})
        if new_state is None:
            states.pop(name, None)
        else:
            states[name] = [list(key), new_state]
        self._dirty.add(user_id)

    async def write_pending(self) -> None:
        """Write what changed since the last call, in one go."""
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        store = await self._store()
        rows: dict[str, str | None] = {}
        written: dict[int, str | None] = {}
        for user_id in dirty:
            data, states = self._data.get(user_id), self._states.get(user_id)
            text = json.dumps({"user": user_id, "data": data or {}, "states": states or {}},
                              sort_keys=True) if data or states else None
            if text == self._written.get(user_id):
                continue
            owner = self.services.supporter(user_id, create=text is not None)
            rows[owner] = None if text is None else store.keyring.seal(owner, text, PURPOSE)
            written[user_id] = text
        if rows:
            await store.save_flows(rows, datetime.fromtimestamp(self.services.clock(), UTC))
        for user_id, text in written.items():
            if text is None:
                self._written.pop(user_id, None)
                self._data.pop(user_id, None)
                self._states.pop(user_id, None)
            else:
                self._written[user_id] = text

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
