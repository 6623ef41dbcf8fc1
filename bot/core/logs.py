"""Operational logging: plain lines for a terminal, JSON lines for a log
collector (LOG_FORMAT=json). Records carry the update id and the handler that
ran, never a supporter's message text or Telegram id, at any level:

- libraries that log what they send or receive (python-telegram-bot's
  updates and API parameters, aiosqlite's and asyncpg's statements with
  their parameters) are held at INFO or WARNING whatever LOG_LEVEL says;
- an exception is logged with its type and the code it went through, not
  its message, which may quote what a supporter typed (a refused value, a
  parameter, a row a driver refused): inside an update or not (a job, the
  sweep, start-up), and also when it is passed as an argument of the message
  (except the Bot API's own answers, which repeat nothing that was sent).
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
import traceback

current_update: contextvars.ContextVar[int | None] = contextvars.ContextVar("update", default=None)
current_handler: contextvars.ContextVar[str | None] = contextvars.ContextVar("handler", default=None)
NOISY = ("httpx", "telegram.ext.Application", "apscheduler", "fontTools", "matplotlib", "aiohttp.access",
         "aiosqlite", "asyncpg")
WITHHELD = "(message withheld: it may quote what a supporter sent)"


class UpdateContext(logging.Filter):
    """Adds the update and handler; exceptions lose their message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = current_update.get()
        record.handler = current_handler.get()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrubbed_traceback(record.exc_info[1])
        if isinstance(record.args, tuple) and any(map(_may_quote, record.args)):
            record.args = tuple(WITHHELD if _may_quote(a) else a for a in record.args)
        return True


def _may_quote(value: object) -> bool:
    """An exception passed as an argument of a log message, unless it is the
    Bot API's answer ("chat not found"), which describes the request's
    outcome and never repeats what was sent."""
    return isinstance(value, BaseException) and not type(value).__module__.startswith("telegram")


def withheld(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}: {WITHHELD}"


def scrubbed_traceback(error: BaseException) -> str:
    """The traceback's frames and each exception's type, without the messages."""
    lines: list[str] = []
    while error is not None:
        lines[:0] = ["Traceback (most recent call last):\n", *traceback.format_tb(error.__traceback__),
                     withheld(error) + "\n"]
        error = error.__cause__ or error.__context__
    return "".join(lines).rstrip("\n")


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
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
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
