"""Abuse limits: per-supporter flood control, daily caps no one can reset
(not by /forget, not with two processes), and the organizers' audit log."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.core.flood_gate import FloodGate
from bot.store import open_store
from bot.store.postgres import open_postgres_store
from tests.chat.test_feedback_steps import report_a_bounced_email
from tests.chat.test_take_action import complete
from tests.conftest import ORGANIZER_ID, ROOT, texts_of


async def test_a_flood_gets_one_notice_then_silence_until_the_window_passes(bot, services, clock):
    services.flood = FloodGate()  # the production limits: 20 updates in 10 seconds
    sim, _ = bot
    flooder, neighbour = sim.user(user_id=1), sim.user(user_id=2)
    for _ in range(20):
        assert texts_of(await flooder.send("/start"))
    assert texts_of(await flooder.send("/start")) == [
        "You're sending messages very fast. Please wait a few seconds; I'll answer again shortly."]
    for _ in range(5):
        assert await flooder.send("/start") == []  # silence
    assert texts_of(await neighbour.send("/start"))  # others are not affected
    assert services.metrics.flood_limited.values[()] == 6
    clock.advance(10.5)
    assert texts_of(await flooder.send("/start"))[0].startswith("Hello")


async def test_reports_are_capped_per_supporter_per_day(bot, services, clock):
    services.caps = replace(services.caps, reports=2)
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    assert (await user.press("✅ I sent the email"))[-1].text.startswith("🙏 Thank you!")
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("✅ I sent the email")  # the same appeal again today: asked first
    assert (await user.press("✅ Yes, count it again"))[-1].text.startswith("🙏 Thank you!")
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("✅ I sent the email")
    calls = await user.press("✅ Yes, count it again")
    assert texts_of(calls)[0].startswith("You've reported many actions today, thank you!")
    clock.advance(24 * 3600)
    await complete(user, "luis-videgaray", "email", "en")
    assert (await user.press("✅ I sent the email"))[-1].text.startswith("🙏 Thank you!")
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert stats.actions == 3


async def test_organizer_commands_are_audited(bot, services):
    sim, _ = bot
    organizer = sim.user(user_id=ORGANIZER_ID)
    await organizer.send("/stats ua-150-18")
    await organizer.send("/problems")
    await sim.user(user_id=5).send("/stats")  # refused: not an organizer, not audited
    log = await services.store.audit_log()
    assert [(e.organizer_id, e.command, e.detail) for e in log] == [
        (ORGANIZER_ID, "problems", None), (ORGANIZER_ID, "stats", "ua-150-18")]


# -- caps no one can reset -----------------------------------------------------------


async def report_more(user, count: int) -> list:
    """A new appeal, reported as `count` sent."""
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("👥 We sent more than one")
    return await user.send(str(count))


async def forget(user) -> None:
    await user.send("/forget")
    await user.press("🗑 Yes, delete my data")


async def test_forget_between_attempts_passes_no_cap(bot, services):
    """One person, deleting their data between attempts, stops exactly at
    each cap (reports, actions summed, replies, problems); the organizers
    see the refused attempts in /stats."""
    services.caps = replace(services.caps, reports=3, actions=7, replies=2, problems=1)
    sim, _ = bot
    user = sim.user(user_id=4242)
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("✅ I sent the email")  # report 1, action 1
    assert texts_of(await report_more(user, 5))[0].startswith("🙏 Thank you!")  # report 2, actions 6
    await forget(user)
    assert texts_of(await report_more(user, 2)) == [  # 8 actions would pass the cap of 7
        "You've reported many actions today, thank you! To keep the counts trustworthy, please report "
        "more tomorrow, or ask the organizers to record a large group action."]
    assert texts_of(await report_more(user, 1))[0].startswith("🙏 Thank you!")  # report 3, actions 7
    await forget(user)
    await complete(user, "luis-videgaray", "email", "en")
    calls = await user.press("✅ I sent the email")  # a 4th report: refused
    assert texts_of(calls)[0].startswith("You've reported many actions today")

    for n in range(3):
        await user.send("/start")
        message, _ = user.find_button("📚 Learn")
        await user.press_data(message, "fb:reply")
        await user.press("Luis Videgaray (UA 150.18)")
        calls = await user.send(f"They answered {n}")
        expected = "Thank you!" if n < 2 else "You've sent the organizers many reports today"
        assert texts_of(calls)[0].startswith(expected), n
        if n == 0:
            await forget(user)
    for n in range(2):
        calls = await report_a_bounced_email(user)
        expected = "Thank you!" if n < 1 else "You've sent the organizers many reports today"
        assert calls[-1].text.startswith(expected), n

    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert (stats.actions, stats.supporters, stats.capped) == (7, 1, 4)  # one person, counted once
    assert len(await services.store.list_problems(open_only=False)) == 2 + 1
    organizer = sim.user(user_id=ORGANIZER_ID)
    (figures,) = texts_of(await organizer.send("/stats ua-150-18"))
    assert "Refused by the daily limits: 4" in figures
    # A new day, new limits.
    services.clock.advance(24 * 3600)
    assert texts_of(await report_more(user, 1))[0].startswith("🙏 Thank you!")


ATTEMPTS = 40  # per worker, each a report, a reply and a problem
# Actions per report, and the reports that fit under the caps (50 reports, 1,000 actions a day):
# one action each races the reports cap, forty each the actions cap.
RACES = {"the reports cap": (1, 50), "the actions cap": (40, 25)}


def _run_workers(database: str, per_report: int) -> list[tuple[int, int]]:
    command = [sys.executable, "-m", "tests.limits_worker", database]
    workers = [subprocess.Popen([*command, str(n), str(ATTEMPTS), str(per_report)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(tuple(int(n) for n in out.split()))
    return results


async def race_to_the_caps(store, database: str, per_report: int, reports: int) -> None:
    """Two processes, one person (who deletes their data now and then in one of
    them): the totals stop exactly at the caps."""
    results = _run_workers(database, per_report)
    assert sum(recorded for recorded, _ in results) == reports + 10 + 10
    stats = await store.campaign_stats("ua-150-18", today=datetime.now(UTC).date())
    assert (stats.actions, stats.supporters) == (reports * per_report, 1)
    items = await store.list_problems(open_only=False)
    assert (sum(i.kind == "reply" for i in items), sum(i.kind == "problem" for i in items)) == (10, 10)
    assert stats.capped == 2 * ATTEMPTS * 3 - reports - 10 - 10


@pytest.mark.parametrize(("per_report", "reports"), RACES.values(), ids=RACES.keys())
async def test_two_processes_on_one_sqlite_file_stop_exactly_at_the_caps(tmp_path, per_report, reports):
    database = tmp_path / "shared.sqlite3"
    async with await open_store(database) as store:  # migrated once before the race
        await race_to_the_caps(store, str(database), per_report, reports)


@pytest.mark.parametrize(("per_report", "reports"), RACES.values(), ids=RACES.keys())
async def test_two_processes_on_one_postgresql_database_stop_exactly_at_the_caps(pg_url, per_report,
                                                                                 reports):
    async with await open_postgres_store(pg_url) as store:
        await race_to_the_caps(store, pg_url, per_report, reports)
