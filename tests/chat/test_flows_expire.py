"""Every flow expires after 30 minutes of silence, across a restart too, and
a stale flow never captures an unrelated message (bot/chat/flows.py).

A restart is a new Application on the same database file, as a new process
would be; the clock is the services' own, so "two hours later" is instant.
"""

from __future__ import annotations

from bot.bot_api.simulator import Simulator
from bot.chat.flows import expire_abandoned_flows
from tests.chat.test_take_action import complete, walk_to_name
from tests.conftest import start_bot, stop_bot, texts_of

QUESTION = "what is a safe third country agreement?"
ANSWER = "<b>What is a safe third country?</b>"
APPEAL_EXPIRED = ("Your appeal was left unfinished for 30 minutes, so I closed it and deleted what you "
                  "typed. Press Take action to start again.")
FLOW_EXPIRED = ("What you started was left unfinished for 30 minutes, so I closed it and deleted what you "
                "typed. Nothing was recorded.")


async def restarted(services, application):
    """A new Application on the same store, as a new process: (application, api, user)."""
    await stop_bot(application)
    application, api = await start_bot(services)
    return application, api, Simulator(application, api, clock=services.clock).user()


async def test_a_reply_flow_left_across_a_restart_does_not_take_a_later_question(services):
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    await user.press_data(message, "fb:reply")
    await user.press("Luis Videgaray (UA 150.18)")  # waiting for the reply's summary now
    application, _, user = await restarted(services, application)
    services.clock.advance(2 * 3600)
    calls = await user.send(QUESTION)
    assert texts_of(calls)[0] == FLOW_EXPIRED
    assert texts_of(calls)[1].startswith(ANSWER)  # answered as a question
    assert await services.store.list_problems(open_only=False) == []  # not stored as a reply
    assert await services.store.count_flows() == 0
    await stop_bot(application)


async def test_a_how_many_flow_left_for_31_minutes_does_not_take_a_number(bot, services, clock):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("👥 We sent more than one")
    clock.advance(31 * 60)
    calls = await user.send("12")
    assert texts_of(calls)[0] == FLOW_EXPIRED
    assert (await services.store.campaign_stats("ua-150-18", today=services.today())).actions == 0


async def test_within_30_minutes_the_flow_goes_on(bot, services, clock):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("👥 We sent more than one")
    clock.advance(29 * 60)
    calls = await user.send("12")
    assert texts_of(calls)[0].startswith("🙏 Thank you!")
    assert (await services.store.campaign_stats("ua-150-18", today=services.today())).actions == 12


async def test_the_sweep_ends_every_kind_of_flow_and_deletes_their_rows(services):
    application, api = await start_bot(services)
    sim = Simulator(application, api, clock=services.clock)
    writer, replier, counter = sim.user(1), sim.user(2), sim.user(3)
    await walk_to_name(writer, "luis-videgaray", "letter")
    await replier.send("/start")
    message, _ = replier.find_button("📚 Learn")
    await replier.press_data(message, "fb:reply")
    await complete(counter, "luis-videgaray", "email", "en")
    await counter.press("👥 We sent more than one")
    assert await services.store.count_flows() == 3
    application, api, _ = await restarted(services, application)  # the sweep after a restart, too
    services.clock.advance(services.flow_timeout - 60)
    await expire_abandoned_flows(application)
    assert [c for c in api.take_calls() if c.method == "sendMessage"] == []  # not yet
    services.clock.advance(120)
    await expire_abandoned_flows(application)
    sent = {c.chat_id: c.text for c in api.take_calls() if c.method == "sendMessage"}
    assert sent == {1: APPEAL_EXPIRED, 2: FLOW_EXPIRED, 3: FLOW_EXPIRED}
    assert await services.store.count_flows() == 0
    await stop_bot(application)
