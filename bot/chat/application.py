"""The Application subclass every mode runs: after each update it writes the
persistence (not once a minute), counts the update for /metrics, and tags
log records with the update id."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import Application

from ..logs import current_update
from .context import SERVICES_KEY


def update_type(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in ("message", "edited_message", "callback_query", "my_chat_member", "inline_query"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


class BotApplication(Application):
    async def process_update(self, update: object) -> None:
        token = current_update.set(getattr(update, "update_id", None))
        started = time.perf_counter()
        try:
            await super().process_update(update)
            if self.persistence is not None and isinstance(update, Update):
                await self.update_persistence()
        finally:
            metrics = self.bot_data[SERVICES_KEY].metrics
            metrics.updates.inc(update_type(update))
            metrics.latency.observe(time.perf_counter() - started)
            current_update.reset(token)
