"""Ride out Bot API trouble instead of dropping a supporter's answer.

Wraps the request object under `telegram.Bot` (HTTPS or in-memory): a 429
waits the `retry_after` Telegram asks for, 5xx answers, timeouts and refused
connections are retried with exponential backoff, a bounded number of times.
What still fails after that reaches the error handler as before.

A retry after a timeout can, rarely, deliver a message twice (Telegram may
have sent it before the timeout); losing a supporter's letter is the worse
outcome. Action reports are idempotent in the store, so no count doubles.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.core.metrics import Metrics

log = logging.getLogger(__name__)
TRANSIENT = (TimedOut, NetworkError, OSError, asyncio.TimeoutError)


class RetryingRequest(BaseRequest):
    def __init__(self, inner: BaseRequest, attempts: int = 6, base_delay: float = 0.5,
                 max_delay: float = 30.0, metrics: Metrics | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.inner = inner
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.metrics = metrics
        self.sleep = sleep

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    def _backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))

    def _count(self, code: int | str) -> None:
        if self.metrics is not None:
            self.metrics.api_errors.inc(str(code))

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         **timeouts) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.attempts
            try:
                code, payload = await self.inner.do_request(url, method, request_data, **timeouts)
            except TRANSIENT as error:
                self._count("network")
                if last:
                    raise
                log.warning("Bot API %s failed (%s), retry %d", api_method, type(error).__name__, attempt)
                await self.sleep(self._backoff(attempt))
                continue
            if code < 400:
                return code, payload
            self._count(code)
            if last or not (code == 429 or code >= 500):
                return code, payload
            delay = self._backoff(attempt)
            if code == 429:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    delay = float(json.loads(payload)["parameters"]["retry_after"])
            log.warning("Bot API %s answered %d, retry %d in %.1fs", api_method, code, attempt, delay)
            await self.sleep(delay)
