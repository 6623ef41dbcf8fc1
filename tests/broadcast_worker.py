"""A child process for the crash test: `advocacy-bot broadcast` against the
in-memory Bot API instead of Telegram.

    python -m tests.broadcast_worker DATABASE LOG [CONCURRENCY]

Every message the API accepts is appended to LOG as its chat id, flushed and
fsynced *before* the answer goes back to the bot, so after a SIGKILL the log
holds every message Telegram would have delivered, including those whose
answer the killed process never saw.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

from telegram import Bot

from bot.bot_api.transport import InMemoryBotAPI
from bot.broadcast_command import run_broadcast_command
from bot.broadcasts.engine import DeliveryPolicy
from bot.catalog import load_catalog
from bot.store import open_store

ROOT = Path(__file__).resolve().parent.parent


class DeliveryLoggingAPI(InMemoryBotAPI):
    def __init__(self, log_path: str):
        super().__init__()
        self._log = open(log_path, "a", encoding="ascii")  # noqa: SIM115 (open for the process's life)

    def _api_sendMessage(self, params, files):
        result = super()._api_sendMessage(params, files)
        self._log.write(f"{int(params['chat_id'])}\n")
        self._log.flush()
        os.fsync(self._log.fileno())
        return result


async def main(database: str, log_path: str, concurrency: int) -> int:
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    api = DeliveryLoggingAPI(log_path)
    bot = Bot("1000001:in-memory", request=api)
    async with await open_store(database) as store:
        return await run_broadcast_command(
            catalog, store, bot, "ua-150-18", 1, "followers", rate=None,
            policy=DeliveryPolicy(concurrency=concurrency, progress_every=3600),
            out=sys.stdout, err=io.StringIO())


if __name__ == "__main__":
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], concurrency)))
