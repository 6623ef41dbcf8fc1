"""Abuse limits: per-supporter flood control, a daily cap on reports, and the
organizers' audit log."""

from __future__ import annotations

from dataclasses import replace

from bot.flood_gate import FloodGate
from tests.conftest import ORGANIZER_ID, texts_of
from tests.test_take_action import complete


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
    for _ in range(2):
        await complete(user, "luis-videgaray", "email", "en")
        assert (await user.press("✅ I sent the email"))[-1].text.startswith("🙏 Thank you!")
    await complete(user, "luis-videgaray", "email", "en")
    calls = await user.press("✅ I sent the email")
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
