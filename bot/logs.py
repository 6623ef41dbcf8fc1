"""Operational logging: plain lines for a terminal, JSON lines for a log
collector (LOG_FORMAT=json). Records carry the update id and the handler that
ran, never a supporter's message text or Telegram id."""

from __future__ import annotations

import contextvars
import json
import logging
import time

current_update: contextvars.ContextVar[int | None] = contextvars.ContextVar("update", default=None)
current_handler: contextvars.ContextVar[str | None] = contextvars.ContextVar("handler", default=None)
NOISY = ("httpx", "telegram.ext.Application", "apscheduler", "fontTools", "matplotlib", "aiohttp.access")


class UpdateContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = current_update.get()
        record.handler = current_handler.get()
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "update_id": getattr(record, "update_id", None),
            "handler": getattr(record, "handler", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(UpdateContext())
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [update %(update_id)s %(handler)s]: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # python-telegram-bot logs whole updates and API parameters (texts, chat ids) at
    # DEBUG: never below INFO, whatever LOG_LEVEL says.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
