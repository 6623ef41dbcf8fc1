"""The poller's bookkeeping (bot/chat/polling.py): the offset it sends to
Telegram never passes an update still in hand, an update Telegram sends
again while in hand is not handled twice, and a kept update id is used only
while it can matter. The real process killed with updates in hand is
tests/cli/test_crash_safety.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.chat.polling import FRESH, UpdateWindow, resume_from


def batch(*ids: int) -> list[dict]:
    return [{"update_id": n} for n in ids]


def ids(updates: list[dict]) -> list[int]:
    return [u["update_id"] for u in updates]


def test_the_offset_passes_an_update_only_once_it_and_every_lower_one_are_handled():
    window = UpdateWindow()
    assert window.offset() is None  # Telegram's oldest unconfirmed update
    assert ids(window.take(batch(5, 6, 7))) == [5, 6, 7]
    assert window.offset() == 5  # fetched is not confirmed
    assert window.done(6) is False and window.done(7) is False
    assert window.offset() == 5  # 5 is still in hand: 6 and 7 wait behind it
    assert window.done(5) is True
    assert window.offset() == 8


def test_updates_sent_again_while_in_hand_are_not_taken_twice():
    window = UpdateWindow(handled=4)
    assert ids(window.take(batch(5, 6))) == [5, 6]
    window.done(6)
    assert ids(window.take(batch(5, 6, 7))) == [7]  # from offset 5: 5 in hand, 6 done behind it
    assert window.in_hand == {5, 7}


def test_a_kept_update_id_resumes_polling_after_it():
    window = UpdateWindow(handled=41)
    assert window.offset() == 42
    assert ids(window.take(batch(42))) == [42]


def test_a_kept_update_id_older_than_a_day_is_not_used():
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert resume_from(None, now) is None
    assert resume_from((41, now - timedelta(hours=1)), now) == 41
    # Telegram keeps updates 24 hours and may restart its count after a quiet week
    assert resume_from((41, now - FRESH), now) is None


def test_after_a_quiet_day_polling_starts_from_telegrams_oldest_again():
    now = [0.0]
    window = UpdateWindow(clock=lambda: now[0])
    window.take(batch(9))
    window.done(9)
    assert window.offset() == 10
    now[0] += FRESH.total_seconds() + 1
    assert window.offset() is None
