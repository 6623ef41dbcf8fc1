"""Many cases, each with its own life, through the real Application.

The tree is the shipped content plus a fictional second case added as files
only (tests/data/fictional_case): a different official who reads English, two
channels, a deadline after the tests' clock, its own appeal text, and a
closing update. Both cases are driven end to end: choosing the case, writing,
reporting, counts and /stats per case, a broadcast per case, and the archive
after each one's closing update.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.bot_api.simulator import Simulator
from bot.store import ProblemReport
from tests.chat.test_case_updates import wait_for_broadcasts
from tests.chat.test_take_action import channel_button
from tests.conftest import ORGANIZER_ID, make_services, start_bot, stop_bot, texts_of

TEST_CASE = "test-ua-999-99"
UA = "ua-150-18"


def at(year: int, month: int, day: int, hour: int = 12) -> float:
    return datetime(year, month, day, hour, tzinfo=UTC).timestamp()


@pytest.fixture
def services(two_case_catalog, settings, clock, matcher, store):
    return make_services(two_case_catalog, settings, clock, matcher, store)


@pytest.fixture
async def bot(services):
    application, api = await start_bot(services)
    yield Simulator(application, api, clock=services.clock), api
    await stop_bot(application)


def answers(calls) -> list[str]:
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


async def test_take_action_lists_the_open_cases_soonest_deadline_first(bot):
    sim, _ = bot
    user = sim.user()
    (greeting,) = await user.send("/start")
    assert ("2 Urgent Actions are open now:\n"
            "• <b>UA 999.99</b>: TEST CASE (fictional): free the made-up journalist Sam Sample "
            "(email or tweet)\n"
            "• <b>UA 150.18</b>: US–Mexico asylum deal would put many at risk (write, email, call or tweet)\n"
            "Press Take action to choose one.") in greeting.text
    calls = await user.press("menu:act")
    assert calls[-1].text == "<b>Take action</b>\nChoose a case:"
    assert calls[-1].button_texts() == [
        "UA 999.99: TEST CASE (fictional): free the made-up…",  # cut between words to fit a button
        "UA 150.18: US–Mexico asylum deal would put many at risk",
        "✖️ Cancel",
    ]


async def test_a_new_case_runs_end_to_end_from_files_alone(bot, services):
    sim, api = bot
    user = sim.user()
    await user.send("/start")
    await user.press("menu:act")
    calls = await user.press(f"act:camp:{TEST_CASE}")
    screen = calls[-1]
    assert screen.text.startswith("<b>UA 999.99: TEST CASE (fictional): free the made-up journalist Sam "
                                  "Sample</b>")
    assert "<b>Deadline:</b> 20 September 2018 (5 days left)." in screen.text
    assert screen.button_texts()[0] == "Alex Example — Minister of Examples of Testland (fictional)"
    calls = await user.press("act:off:alex-example")
    channels = calls[-1].button_texts()
    assert channels[:2] == ["⭐ 📧 Email (recommended)", "🐦 Tweet"] and len(channels) == 4  # + Back, Cancel
    await user.press("⭐ 📧 Email (recommended)")
    await user.send("Ana López")
    await user.press("act:skip")
    calls = await user.press("act:skip")  # the official reads English, like Ana: no language question
    texts = texts_of(calls)
    assert "<code>minister@example.org</code>" in texts[0]
    assert "\n<code>UA 999.99 (fictional test case): release Sam Sample</code>\n" in texts[0]  # the subject
    # the text in the same message (issue 29), in a block to copy
    body = texts[0].split("\n<pre>", 1)[1]
    assert body.startswith("Dear Minister,\n\nI am writing about the fictional journalist Sam Sample")
    assert "I urge you to release Sam Sample at once." in body
    assert body.endswith("Sincerely,\nAna López</pre>")
    assert texts[1].startswith("Did you send the email?") and len(texts) == 2
    assert "UA 150.18" not in "".join(texts)  # its own letter, not the first case's

    calls = await user.press("✅ I sent the email")
    assert calls[-1].text.startswith("🙏 Thank you! Your action is counted.")
    mine = await services.store.campaign_stats(TEST_CASE)
    other = await services.store.campaign_stats(UA)
    assert (mine.actions, mine.by_official, other.actions) == (1, {"alex-example": 1}, 0)

    # The same supporter acts on the other case: counted there, apart.
    await user.send("/start")
    await user.press("menu:act")
    await user.press(f"act:camp:{UA}")
    await user.press("act:off:geronimo-gutierrez")
    await user.press("📧 Email")
    for _ in range(2):  # name, city
        calls = await user.press("act:skip")
    await user.press("act:lang:en")
    await user.press("act:skip")  # the sentence, asked after the language
    await user.press("✅ I sent the email")
    assert (await services.store.campaign_stats(UA)).actions == 1
    assert (await services.store.campaign_stats(TEST_CASE)).actions == 1

    organizer = sim.user(ORGANIZER_ID, "Olga")
    calls = await organizer.send(f"/stats {TEST_CASE}")
    assert calls[0].text.startswith("<b>Actions: UA 999.99</b>\nDone: <b>1</b>")
    assert "• Alex Example: 1" in calls[0].text and "alex-example" not in calls[0].text
    calls = await organizer.send("/stats nope")
    assert calls[0].text == f"No campaign nope. Known: {TEST_CASE}, {UA}."

    # /problems per case: each case's review list holds its own items only.
    for case, official, key in ((TEST_CASE, "alex-example", "p1"), (UA, "geronimo-gutierrez", "p2")):
        await services.store.record_contact_problem(
            ProblemReport(case, official, "email", "bounced", None, None, key))
    (mine,) = await organizer.send(f"/problems {TEST_CASE}")
    (theirs,) = await organizer.send(f"/problems {UA}")
    (both,) = await organizer.send("/problems")
    assert "UA 999.99 · bounced · Alex Example · email" in mine.text and "UA 150.18" not in mine.text
    assert "UA 150.18 · bounced · Gerónimo Gutiérrez · email" in theirs.text
    assert "UA 999.99" not in theirs.text
    assert "UA 999.99 · bounced" in both.text and "UA 150.18 · bounced" in both.text
    unknown = await organizer.send("/problems nope")
    assert texts_of(unknown) == [f"No campaign nope. Known: {TEST_CASE}, {UA}."]
    assert api.refusals == []


async def test_a_broadcast_reaches_only_the_followers_of_its_case(bot, services, clock):
    sim, api = bot
    for user_id, case in ((501, TEST_CASE), (502, UA), (503, TEST_CASE)):
        user = sim.user(user_id)
        await user.send("/updates")
        await user.press(f"upd:lon:{case}")
    clock.now = at(2018, 10, 2)  # the fictional case's closing update is out
    organizer = sim.user(ORGANIZER_ID, "Olga")
    preview, question = await organizer.send(f"/broadcast {TEST_CASE}")
    assert preview.text.startswith("📣 <b>UA 999.99 update (1 October 2018)</b>\n<b>Sam Sample released "
                                   "(fictional)</b>")
    assert question.text.endswith("Send it to <b>2</b> followers?")
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(sim.application, services.store)
    sent = {c.chat_id for c in api.take_calls() if c.method == "sendMessage" and c.ok
            and c.text.startswith("📣 <b>UA 999.99 update")}
    assert sent == {501, 503}


async def test_reporting_on_one_case_keeps_the_reminder_of_the_other(bot, services):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    sent_button = {}
    for case, official in ((TEST_CASE, "alex-example"), (UA, "luis-videgaray")):
        await user.press("menu:act")
        await user.press(f"act:camp:{case}")
        await user.press(f"act:off:{official}")
        await user.press(channel_button(user, "en", "email"))
        await user.press("act:skip")  # no name
        await user.press("act:skip")  # no city
        if case == UA:
            await user.press("act:lang:es")
        await user.press("act:skip")  # no sentence
        prompt, button = user.find_button("✅ I sent the email")
        sent_button[case] = prompt, button["callback_data"]
        await user.press("🕒 Not yet, remind me later")
    calls = await user.press_data(*sent_button[UA])  # reported after all, from the earlier prompt
    assert calls[-1].text.startswith("🙏 Thank you! Your action is counted.")
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    due = await services.store.claim_due_reminders(now + timedelta(days=2), 10)
    assert [reminder.campaign_id for reminder in due] == [TEST_CASE]


async def test_after_its_closing_update_a_case_is_an_archive(bot, services, clock):
    sim, api = bot
    user = sim.user()
    await user.send("/start")
    await user.press("menu:act")
    await user.press(f"act:camp:{TEST_CASE}")
    await user.press("act:off:alex-example")
    await user.press("🐦 Tweet")
    calls = await user.press("act:skip")
    await user.press("✅ I posted the tweet")

    clock.now = at(2018, 10, 2)  # closed by its update; UA 150.18 still open (deadline passed)
    await user.send("/start")
    calls = await user.press("menu:act")
    assert calls[-1].text.startswith("<b>UA 150.18: US–Mexico")  # the one open case: straight in
    assert "⚠️ <b>The appeal deadline was 27 September 2018.</b>" in calls[-1].text

    await user.send("/start")
    calls = await user.press("menu:past")
    assert calls[-1].text.startswith("<b>Past cases</b>")
    assert calls[-1].button_texts() == ["UA 999.99: TEST CASE (fictional): free the made-up…",
                                        "🔔 Tell me about new cases", "🏠 Menu"]
    calls = await user.press(f"arch:case:{TEST_CASE}")
    archive = calls[-1]
    assert ("🗄 <b>This case closed on 1 October 2018.</b>\n<b>Sam Sample released (fictional)</b>: The "
            "fictional journalist Sam Sample was released. No further action is needed.") in archive.text
    assert ("🙏 Thank you to everyone who acted on this case. 1 action was reported through this bot, by "
            "1 supporter.") in archive.text
    assert archive.button_texts() == ["📜 The model appeal to Alex Example",
                                      "🔔 Follow in case it reopens", "📚 Learn", "❓ Ask a question",
                                      "🗄 Past cases", "🏠 Menu"]

    calls = await user.press("📜 The model appeal to Alex Example")
    (appeal,) = texts_of(calls)
    assert appeal.startswith("🗄 <b>A past appeal, for the record only. Please do not send it:</b> the case "
                             "is closed. This is the model appeal the bot offered for Alex Example, "
                             "Minister of Examples of Testland (fictional), for UA 999.99 (an email), as it "
                             "stood on "
                             "20 September 2018.\n\nUA 999.99 (fictional test case): release Sam Sample\n\n"
                             "Dear Minister,")
    assert "A supporter of Amnesty International" in appeal  # never anyone's name
    sent = [c for c in calls if c.method == "sendMessage"]
    assert [b for c in sent for b in c.buttons()] == [
        {"text": "⬅️ Back to the case", "callback_data": f"arch:case:{TEST_CASE}"},
        {"text": "🏠 Menu", "callback_data": "menu:home"}]  # no Gmail or X link, no report button

    # Following a closed case stays possible.
    calls = await user.press(f"upd:on:{TEST_CASE}")
    assert answers(calls)[0].startswith("🔔 You follow this case now")
    # Its old report prompt no longer counts anything.
    before = (await services.store.campaign_stats(TEST_CASE)).actions
    calls = await user.press_data({"message_id": 1, "date": 0, "chat": user.chat},
                                  f"rep:d:{TEST_CASE}:alex-example:tweet:en")
    assert answers(calls) == ["This case is closed, so reports are no longer counted. Thank you for acting!"]
    assert (await services.store.campaign_stats(TEST_CASE)).actions == before
    assert api.refusals == []


async def test_once_every_case_has_closed_take_action_says_so(bot, clock):
    sim, _ = bot
    clock.now = at(2026, 11, 29)
    user = sim.user()
    (greeting,) = await user.send("/start")
    assert "No Urgent Action is open for action today. You can still see how past cases" in greeting.text
    calls = await user.press("menu:act")
    assert calls[-1].text.startswith("<b>Take action</b>\nNo case is open for action right now.")
    assert calls[-1].button_texts() == ["🔔 Tell me about new cases", "🗄 Past cases", "🏠 Menu"]
    calls = await user.press("menu:past")
    assert calls[-1].button_texts() == [  # most recently closed first
        "UA 150.18: US–Mexico asylum deal would put many at risk",
        "UA 999.99: TEST CASE (fictional): free the made-up…",
        "🔔 Tell me about new cases", "🏠 Menu"]


async def test_following_a_closed_case_says_it_is_closed(bot, clock):
    """One truth about a closed case: the button says it is followed in case
    it reopens, and the confirmation does not promise updates as if open."""
    clock.now = at(2018, 11, 15)  # UA 150.18 closed on 30 October 2018
    sim, _ = bot
    user = sim.user()
    await user.send("/cases")
    calls = await user.press("arch:case:ua-150-18")
    assert "🔔 Follow in case it reopens" in calls[-1].button_texts()
    assert "🔔 Follow this case for updates" not in calls[-1].button_texts()
    calls = await user.press("🔔 Follow in case it reopens")
    (notice,) = [c for c in calls if c.method == "answerCallbackQuery"]
    assert notice.params["text"] == ("🔔 You follow this case now. It is closed: if it reopens or has news, "
                                     "that will come here. Send /updates to manage your updates.")
