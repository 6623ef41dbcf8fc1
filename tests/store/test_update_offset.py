"""The update id the poller keeps (migration 0011, both backends): one row,
replaced each time, lower too (Telegram may restart its count), and there
after a reopen."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.store.test_store import open_backend, store  # noqa: F401 - fixtures


async def test_the_handled_update_id_is_one_row_replaced_and_kept(open_backend):  # noqa: F811
    at = datetime(2026, 12, 7, 15, 30, 1, tzinfo=UTC)
    async with await open_backend() as opened:
        assert await opened.handled_update() is None
        await opened.save_handled_update(41, at)
        await opened.save_handled_update(2_000_000_000_123, at)  # update ids outgrow 32 bits
        assert await opened.handled_update() == (2_000_000_000_123, at)
    async with await open_backend() as reopened:
        assert await reopened.handled_update() == (2_000_000_000_123, at)
        await reopened.save_handled_update(7, at)
        assert await reopened.handled_update() == (7, at)
