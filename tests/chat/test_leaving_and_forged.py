"""Regressions from review: leaving flows from outside them, /forget in the
middle of a flow, forged buttons, chats the bot does not serve, edits, and
flows orphaned by a restart."""

from __future__ import annotations

import pytest

from bot.chat.flows import COUNT_KEY, FEEDBACK_KEY, expire_abandoned_flows, in_flow
from bot.chat.take_action import FLOW_KEY
from tests.chat.test_take_action import complete, walk_to_name
from tests.conftest import texts_of

QUESTION = "what is a safe third country agreement?"


async def test_start_leaves_a_half_written_letter(bot):
    sim, _ = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "letter")
    await user.send("/start")
    assert FLOW_KEY not in sim.application.user_data[user.id]
    (answer,) = await user.send(QUESTION)  # a question again, not the letter's name
    assert answer.text.startswith("<b>What is a safe third country?</b>")


async def test_a_menu_tap_leaves_the_feedback_flow(bot, services):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    await user.press_data(message, "fb:reply")
    await user.press("Luis Videgaray (UA 150.18)")
    await user.send("/start")
    await user.send(QUESTION)
    assert await services.store.list_problems() == []  # the question was not taken as a reply


async def test_cancel_leaves_the_count_and_the_feedback_flows_keeping_nothing(bot, services):
    """/cancel while asked "how many?", and /cancel or ✖️ Cancel while reporting a
    reply: the flow ends with the menu, and nothing typed before or after counts."""
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("👥 We sent more than one")
    calls = await user.send("/cancel")
    assert texts_of(calls) == ["Cancelled. Nothing you typed has been kept."]
    assert "✍️ Take action" in calls[-1].button_texts()
    assert COUNT_KEY not in sim.application.user_data[user.id]
    await user.send("3")  # a question now, not a count
    assert (await services.store.campaign_stats("ua-150-18", today=services.today())).actions == 0

    for leave in ("/cancel", "✖️ Cancel"):
        menu = await _in_the_reply(user) if leave == "/cancel" else None
        if menu is None:
            await user.send("/start")
            message, _ = user.find_button("📚 Learn")
            await user.press_data(message, "fb:reply")  # the officials to pick from, and ✖️ Cancel
        calls = await (user.send(leave) if leave == "/cancel" else user.press(leave))
        assert texts_of(calls, "editMessageText" if leave != "/cancel" else "sendMessage")[-1:] == [
            "What would you like to do?"], leave
        assert "✍️ Take action" in calls[-1].button_texts()
        assert FEEDBACK_KEY not in sim.application.user_data[user.id]
        await user.send("They answered yes")  # a question now, not a reply
    assert await services.store.list_problems() == []


async def _in_the_appeal(user):
    await walk_to_name(user, "luis-videgaray", "letter")
    await user.send("Ana")  # the city is asked next


async def _in_the_reply(user):
    await user.send("/start")
    menu, _ = user.find_button("📚 Learn")
    await user.press_data(menu, "fb:reply")
    await user.press("Luis Videgaray (UA 150.18)")  # the summary is asked next
    return menu


async def _in_the_problem(user):
    await user.send("/start")
    menu, _ = user.find_button("📚 Learn")
    await user.press_data(menu, "fb:problem")
    await user.press("Luis Videgaray (UA 150.18)")
    await user.press("fb:ch:email")  # what went wrong is asked next
    return menu


async def _in_the_count(user):
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("👥 We sent more than one")  # "how many?" is asked next


# Each flow, entered up to the step that waits, and what the supporter would
# have sent there: after /forget it must reach no flow and store nothing.
FLOWS = {
    "appeal": (_in_the_appeal, lambda user, _: user.send("Tijuana")),
    "feedback reply": (_in_the_reply, lambda user, _: user.send("He wrote back, signed by Quetzalcoatl")),
    "feedback problem": (_in_the_problem, lambda user, menu: user.press_data(menu, "fb:kind:bounced")),
    "how many?": (_in_the_count, lambda user, _: user.send("3")),
}


@pytest.mark.parametrize("flow", FLOWS)
async def test_forget_in_the_middle_of_every_flow(bot, services, flow):
    sim, api = bot
    user = sim.user()
    enter, then = FLOWS[flow]
    menu = await enter(user)
    assert in_flow(sim.application.user_data[user.id]), "the setup did not leave the supporter in the flow"
    await user.send("/forget")
    await user.press("🗑 Yes, delete my data")

    async def nothing_left() -> None:
        assert not in_flow(sim.application.user_data[user.id])
        assert await services.store.count_flows() == 0

    await nothing_left()  # at once, not only once the next message comes
    calls = await then(user, menu)  # the flow is gone: not a city, a reply, a problem or a count
    assert not any("Sorry, something went wrong" in t for t in texts_of(calls))
    await nothing_left()
    assert await services.store.list_problems(open_only=False) == []
    stats = await services.store.campaign_stats(today=services.today())
    assert (stats.actions, stats.attempted) == (0, 0)
    assert api.refusals == []


async def test_forged_report_buttons_are_stale_not_counted(bot, services):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    for forged in ("rep:d:ua-150-18:luis-videgaray:call:en",  # the minister has no phone
                   "rep:l:ua-150-18:luis-videgaray:bogus:en", "rep:x:ua-150-18:luis-videgaray:email:en",
                   "rep:d:ua-150-18:nobody:email:en", "org:resolve:problem:abc"):
        calls = await user.press_data(message, forged)
        assert [c.method for c in calls] == ["answerCallbackQuery"], forged
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert stats.actions == 0


async def test_a_count_in_other_digits_is_refused_not_crashed(bot):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("👥 We sent more than one")
    assert texts_of(await user.send("²")) == ["Please type a whole number from 1 to 500."]


async def test_groups_channels_and_edits_get_no_answer(bot):
    sim, _ = bot
    user = sim.user()
    group = {"id": -100123, "type": "supergroup", "title": "Friends"}
    for payload in (
        {"message": {"message_id": 1, "date": 0, "chat": group, "from": user.profile, "text": QUESTION}},
        {"channel_post": {"message_id": 2, "date": 0, "chat": {"id": -100999, "type": "channel"},
                          "text": QUESTION}},
        {"edited_message": {"message_id": 3, "date": 0, "edit_date": 1, "chat": user.chat,
                            "from": user.profile, "text": QUESTION}},
    ):
        assert await sim.process(payload) == []


async def test_a_flow_orphaned_by_a_restart_expires_in_the_sweep(bot, services, clock):
    sim, api = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "letter")
    await user.send("Ana")
    clock.advance(services.flow_timeout + 1)
    api.take_calls()
    await expire_abandoned_flows(sim.application)
    assert texts_of(api.take_calls()) == [
        "Your appeal was left unfinished for 30 minutes, so I closed it and deleted what you typed. "
        "Press Take action to start again."]
    assert await services.store.count_flows() == 0


async def test_forged_feedback_buttons_store_nothing_and_log_nothing_typed(bot, services, caplog):
    sim, api = bot
    user = sim.user()
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    await user.press_data(message, "fb:problem")
    for forged in ("fb:off:ua-150-18:nobody", "fb:off:no-case:luis-videgaray"):
        calls = await user.press_data(message, forged)
        assert [c.method for c in calls] == ["answerCallbackQuery"], forged
    await user.press("Luis Videgaray (UA 150.18)")
    for forged in ("fb:ch:fax", "fb:ch:<b>attacker text</b>", "fb:ch:call"):  # the minister has no phone
        calls = await user.press_data(message, forged)
        assert [(c.method, c.params.get("text")) for c in calls] == [
            ("answerCallbackQuery", "That button belongs to an older message. Please use the latest one.")]
    await user.press_data(message, "fb:kind:bounced")  # no channel chosen yet: nothing stored
    await user.press("Email")
    for forged in ("fb:kind:disconnected", "fb:kind:exploded"):  # an email cannot be disconnected
        calls = await user.press_data(message, forged)
        assert [(c.method, c.params.get("text")) for c in calls] == [
            ("answerCallbackQuery", "That button belongs to an older message. Please use the latest one.")]
    assert await services.store.list_problems(open_only=False) == []
    assert "attacker text" not in caplog.text and "ERROR" not in caplog.text
    assert api.refusals == []


async def test_a_forged_official_or_channel_is_stale_not_an_error(bot):
    sim, api = bot
    user = sim.user()
    await user.send("/start")
    await user.press("menu:act")
    screen, _ = user.find_button("act:off:luis-videgaray")
    for forged in ("act:off:nobody", "act:camp:nope"):
        calls = await user.press_data(screen, forged)
        assert [c.method for c in calls] == ["answerCallbackQuery"], forged
    await user.press("act:off:luis-videgaray")
    calls = await user.press_data(screen, "act:ch:call")  # the minister has no phone
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert not any("Sorry, something went wrong" in t for t in texts_of(api.calls))
    assert api.refusals == []


async def test_a_broadcast_number_in_other_digits_is_a_usage_answer(bot):
    from tests.conftest import ORGANIZER_ID

    sim, _ = bot
    organizer = sim.user(user_id=ORGANIZER_ID)
    (answer,) = texts_of(await organizer.send("/broadcast ua-150-18 ²"))
    assert answer.startswith("Send <code>/broadcast CASE [UPDATE] [acted|followers]</code>")
