"""Conversation persistence in the project's own store, under no Telegram id.

python-telegram-bot's PicklePersistence writes once a minute, so a crash
loses up to a minute of supporters' progress. This persistence is written
after every update (see `BotApplication`), through the store, so it
lives in the same database as the action log (SQLite or PostgreSQL).

Privacy: a flow in progress is one row per supporter, found by a handle
derived from their own key and sealed under it (`bot.store.keyring`), so no
row, index or log page holds their Telegram id or what the flow is about,
and /forget (which destroys the key) leaves nothing readable behind, even in
a copy taken mid-flow. So python-telegram-bot cannot be handed every
supporter's state at start (that needs the ids): `restore` loads one
supporter's row just before their first update after a restart
(`BotApplication.process_update`), and rows nobody comes back to are deleted
by age (`prune_flows`, from the sweep). The name, city and sentence typed for
an appeal are never written (`flows.for_disk`), nor is the language (the
store keeps it under the keyed hash); a row disappears when its flows end.

One write per update, and none when nothing changed: python-telegram-bot
hands over each changed user and conversation state separately; they are
collected here and written together by `write_pending`.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput

from bot.chat.context import LANG_KEY, Services
from bot.chat.flows import for_disk

NOT_PERSISTED = frozenset({LANG_KEY})
PURPOSE = "flows"  # what the handle and the seal are bound to


class StorePersistence(BasePersistence[dict, dict, dict]):
    """User data and conversation states only; no chat, bot or callback data."""

    def __init__(self, services: Services):
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                                     callback_data=False),
                         update_interval=60)
        self.services = services
        self._data: dict[int, dict] = {}  # per user: what may be written of their user data
        self._states: dict[int, dict[str, list]] = {}  # per user: conversation name -> [key, state]
        self._written: dict[int, str] = {}  # per user: the record last written (or restored)
        self._dirty: set[int] = set()
        self._restored: set[int] = set()  # users whose row this process has looked for

    async def _store(self):
        """The store, opened on first use: persistence loads before post_init runs."""
        await self.services.ensure_store()
        return self.services.store

    # -- nothing to hand over at start: rows are found per supporter ---------

    async def get_user_data(self) -> dict[int, dict]:
        await self._store()
        return {}

    async def get_conversations(self, name: str) -> dict:
        return {}

    async def restore(self, application: Application, user_id: int) -> None:
        """Before a supporter's first update in this process: their flows, if any."""
        if user_id in self._restored:
            return
        self._restored.add(user_id)
        store = await self._store()
        supporter = self.services.supporter(user_id)
        if store.keyring.key(supporter, create=False) is None:
            return
        sealed = await store.load_flow(store.keyring.handle(supporter, PURPOSE))
        record = store.keyring.open(supporter, sealed, PURPOSE) if sealed else None
        if record is None:
            return
        self._written[user_id] = record
        loaded = json.loads(record)
        if loaded.get("data"):
            self._data[user_id] = loaded["data"]
            application._user_data[user_id].update(copy.deepcopy(loaded["data"]))
        self._states[user_id] = loaded.get("states", {})
        for handler in _conversation_handlers(application):
            if handler.name in self._states[user_id]:
                key, state = self._states[user_id][handler.name]
                # No public API sets one conversation's state; the handler's map is where it lives.
                handler._conversations.update_no_track({tuple(key): state})

    # -- changes, collected ------------------------------------------------

    async def update_user_data(self, user_id: int, data: dict) -> None:
        kept = {k: v for k, v in for_disk(data).items() if k not in NOT_PERSISTED}
        if kept == self._data.get(user_id, {}):
            return
        self._data[user_id] = kept  # already a deep copy, made by the Application
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
        keyring = store.keyring
        rows: dict[str, str | None] = {}
        written: dict[int, str | None] = {}
        for user_id in dirty:
            record = {part: value for part, value in (("data", self._data.get(user_id)),
                                                       ("states", self._states.get(user_id))) if value}
            text = json.dumps(record, sort_keys=True) if record else None
            if text == self._written.get(user_id):
                continue
            supporter = self.services.supporter(user_id)
            if text is not None:
                rows[keyring.handle(supporter, PURPOSE)] = keyring.seal(supporter, text, PURPOSE)
            elif keyring.key(supporter, create=False) is not None:
                rows[keyring.handle(supporter, PURPOSE)] = None
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


def _conversation_handlers(application: Application) -> list[ConversationHandler]:
    return [handler for group in application.handlers.values() for handler in group
            if isinstance(handler, ConversationHandler) and handler.persistent]
