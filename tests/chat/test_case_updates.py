"""End-to-end: following a case, /updates and /stop, an organizer's
/broadcast (preview, confirm, progress, blocked chats), refusal for everyone
else, and the "Not yet" reminder surviving a restart, all through the real
Application on the in-memory Bot API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import BotApiRefusal
from bot.chat.broadcasting import RUNNING_KEY, SWEEP_JOB
from tests.chat.test_take_action import complete
from tests.conftest import ORGANIZER_ID, start_bot, stop_bot, texts_of

AFTER_THE_UPDATE = datetime(2018, 11, 2, 12).timestamp()
BEFORE_THE_UPDATE = datetime(2018, 9, 15, 12).timestamp()
UPDATE_EN = (
    "📣 <b>UA 150.18 update (30 October 2018)</b>\n<b>No further action needed</b>\n\n"
    "Amnesty International's update on UA 150.18: journalists who had interviewed diplomatic sources "
    "told Amnesty that the agreement to declare Mexico a safe third country was, for now, no longer on "
    "the negotiating table. In early October 2018, instead, the Trump administration had announced a "
    "transfer of $20 million in foreign assistance funds from the State Department to the Department "
    "of Homeland Security to pay for deportations from Mexico to third countries, which Amnesty called "
    "a worrying development. No further action is needed on this case. Thank you to everyone who sent "
    "appeals.\n\n<b>The case is now closed.</b>\n\n"
    "Source: “Urgent Action good news: US-Mexico asylum deal appears unlikely” (Amnesty International, "
    "30 October 2018); “Urgent Action good news: US-Mexico "
    "asylum deal appears unlikely” (Amnesty International UK, 30 October 2018)\n\n"
    "<i>You get this because you follow UA 150.18. /updates to manage, /stop to stop all.</i>")
FOLLOW = "🔔 Follow this case for updates"


def answers(calls) -> list[str]:
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


async def test_follow_list_toggle_and_stop(bot, services):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    calls = await user.press("✅ I sent the email")
    assert calls[-1].button_texts()[0] == FOLLOW  # offered right after reporting
    calls = await user.press(FOLLOW)
    assert answers(calls) == ["🔔 You follow this case now: its updates will come here. "
                              "Send /updates to manage them."]
    assert FOLLOW not in calls[-1].button_texts()  # the button is gone from that message
    assert await services.store.subscriptions_of(user.id) == ["ua-150-18"]
    (following,) = await services.store.subscribers_of("ua-150-18")  # updates come in their language,
    assert (following.chat_id, following.language, following.acted) == (user.id, "en", True)  # acted

    (listing,) = await user.send("/updates")
    assert listing.text == (
        "<b>Case updates</b>\n✅ <b>UA 150.18</b>: US–Mexico asylum deal would put many at risk "
        "(you follow it)\n\nTap a case to follow it or to stop following it. /stop stops all updates "
        "and reminders.")
    assert listing.button_texts() == ["🔕 Stop following UA 150.18", "🛑 Stop all updates"]
    calls = await user.press("🔕 Stop following UA 150.18")
    assert calls[-1].method == "editMessageText"
    assert "▫️ <b>UA 150.18</b>" in calls[-1].text
    assert calls[-1].button_texts() == ["🔔 Follow UA 150.18"]
    assert await services.store.subscriptions_of(user.id) == []
    await user.press("🔔 Follow UA 150.18")
    assert await services.store.subscriptions_of(user.id) == ["ua-150-18"]

    (stopped,) = await user.send("/stop")
    assert stopped.text == ("Done: you follow no cases now, and no reminders will come. Send /updates to "
                            "follow a case again.")
    assert await services.store.subscriptions_of(user.id) == []


async def test_with_nothing_open_or_followed_updates_says_so_and_offers_past_cases(bot, clock):
    clock.now = datetime(2026, 11, 29, 12, tzinfo=UTC).timestamp()
    sim, api = bot
    user = sim.user()
    (screen,) = await user.send("/updates")
    assert screen.text == ("<b>Case updates</b>\nNo case is open for action right now, and you follow none. "
                           "Past cases shows how each earlier case ended, and you can follow one there in "
                           "case it reopens. /stop stops all updates and reminders.")
    assert screen.button_texts() == ["🔔 Tell me about new cases", "🗄 Past cases"]
    calls = await user.press("🗄 Past cases")
    assert calls[-1].text.startswith("<b>Past cases</b>")
    assert api.refusals == []


async def test_a_closing_update_closes_the_case_from_its_date_on(bot, services, clock):
    sim, _ = bot
    user = sim.user(language_code="es")
    await user.send("/start")
    calls = await user.press("menu:act")
    assert "Última" not in calls[-1].text  # 15 September 2018: the update has not happened yet
    calls = await user.press("🔔 Seguir este caso")
    assert answers(calls)[0].startswith("🔔 Ahora sigues este caso")
    assert await services.store.subscriptions_of(user.id) == ["ua-150-18"]

    clock.now = AFTER_THE_UPDATE
    await user.send("/start")
    calls = await user.press("menu:act")
    assert calls[-1].text.startswith("<b>Actúa</b>\nAhora mismo no hay ningún caso abierto.")
    calls = await user.press("menu:past")
    calls = await user.press("arch:case:ua-150-18")
    assert ("🗄 <b>Este caso se cerró el 30 de octubre de 2018.</b>\n<b>No se necesitan más acciones</b>: "
            "Novedad de Amnistía Internacional sobre la UA 150.18: periodistas que habían "
            "entrevistado a fuentes diplomáticas informaron a Amnistía que el acuerdo para declarar a México "
            "tercer país seguro, por ahora, ya no estaba sobre la mesa de negociación.") in calls[-1].text
    assert not any(b.startswith(("Luis Videgaray", "⭐")) for b in calls[-1].button_texts())


async def wait_for_broadcasts(application, store) -> None:
    for _ in range(500):
        if not await store.unfinished_broadcasts() and not application.bot_data.get(RUNNING_KEY):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("broadcast did not finish")


async def test_an_organizer_previews_confirms_and_watches_a_broadcast(bot, services):
    sim, api = bot
    ana, beto, carla = sim.user(101, "Ana"), sim.user(102, "Beto", "es"), sim.user(103, "Carla")
    for user in (ana, beto, carla):
        await user.send("/updates")
        await user.press("upd:lon:ua-150-18")
    api.fault = lambda method, params: (BotApiRefusal(403, "Forbidden: bot was blocked by the user")
                                        if method == "sendMessage" and params["chat_id"] == 103 else None)
    organizer = sim.user(ORGANIZER_ID, "Olga")

    services.clock.now = AFTER_THE_UPDATE  # an update goes out from its date on
    preview, question = await organizer.send("/broadcast ua-150-18")
    assert preview.text == UPDATE_EN
    assert question.text == ("<b>Preview</b> of update 1 of UA 150.18: the message above is what each of "
                             "them will receive, in their language.\n\nSend it to <b>3</b> followers?")
    assert question.button_texts() == ["✅ Send now", "✖️ Cancel"]
    assert texts_of(api.take_calls()) == []  # nothing sent to anyone yet

    calls = await organizer.press("✅ Send now")
    assert calls[-1].method == "editMessageText" and calls[-1].text.startswith(
        "📣 <b>Sending update 1 of UA 150.18</b>")
    await wait_for_broadcasts(sim.application, services.store)
    calls = api.take_calls()
    sent = {c.chat_id: c.text for c in calls if c.method == "sendMessage" and c.ok}
    assert sent[101] == UPDATE_EN
    assert sent[102].startswith("📣 <b>Novedad de la UA 150.18 (30 de octubre de 2018)</b>")
    assert set(sent) == {101, 102}
    buttons = next(c for c in calls if c.chat_id == 101).button_texts()
    assert buttons == ["🔕 Stop following UA 150.18"]
    (progress,) = [c for c in calls if c.method == "editMessageText"]
    assert progress.chat_id == ORGANIZER_ID
    assert progress.text == ("✅ <b>Update 1 of UA 150.18 sent</b>\nSent: 2 · failed: 0 · blocked (now "
                             "unsubscribed): 1 · uncertain: 0")
    # Carla blocked the bot: she follows nothing any more.
    assert await services.store.subscriptions_of(103) == []

    # Sending it again reaches nobody: everyone already has it.
    preview, nobody = await organizer.send("/broadcast ua-150-18 1")
    assert nobody.text.startswith("Nobody to send it to")
    # The stop button under the update works.
    calls = await ana.press("🔕 Stop following UA 150.18")
    assert answers(calls) == ["🔕 You no longer follow this case."]
    assert await services.store.subscriptions_of(101) == []


async def test_after_forget_a_follower_is_a_new_person_who_may_receive_an_update_again(bot, services):
    """/forget gives the deliveries that happened a random key (the chat's own
    key could link them back), so a chat that follows again is a new
    recipient: the same update may reach it a second time (issue 26 replaced
    the earlier rule; the /forget confirmation says so)."""
    sim, api = bot
    ana, organizer = sim.user(101, "Ana"), sim.user(ORGANIZER_ID, "Olga")
    await ana.send("/updates")
    await ana.press("upd:lon:ua-150-18")
    services.clock.now = AFTER_THE_UPDATE  # an update goes out from its date on
    await organizer.send("/broadcast ua-150-18")
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(sim.application, services.store)
    assert [c.chat_id for c in api.take_calls() if c.method == "sendMessage"] == [101]
    (confirm,) = await ana.send("/forget")
    assert "you may receive an update you already had" in confirm.text
    await ana.press("🗑 Yes, delete my data")
    assert (await services.store.delivery_counts(1)).sent == 1  # still counted, under no key of hers
    services.clock.now = BEFORE_THE_UPDATE  # while the case runs, to follow it again
    await ana.send("/updates")
    await ana.press("upd:lon:ua-150-18")
    assert await services.store.subscriptions_of(101) == ["ua-150-18"]
    services.clock.now = AFTER_THE_UPDATE
    _, question = await organizer.send("/broadcast ua-150-18")
    assert question.text.endswith("Send it to <b>1</b> follower?")
    api.take_calls()
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(sim.application, services.store)
    assert [c.chat_id for c in api.take_calls() if c.method == "sendMessage" and c.chat_id == 101] == [101]


async def test_organizer_can_cancel_and_can_address_those_who_acted(bot, services):
    sim, api = bot
    actor, follower = sim.user(201), sim.user(202)
    await complete(actor, "luis-videgaray", "email", "en")
    await actor.press("✅ I sent the email")
    await actor.press(FOLLOW)
    await follower.send("/updates")
    await follower.press("upd:lon:ua-150-18")
    organizer = sim.user(ORGANIZER_ID, "Olga")
    services.clock.now = AFTER_THE_UPDATE  # an update goes out from its date on
    _, question = await organizer.send("/broadcast ua-150-18 1 acted")
    assert question.text.endswith("Send it to <b>1</b> follower who reported an action?")
    calls = await organizer.press("✖️ Cancel")
    assert calls[-1].text == "Cancelled. Nothing was sent."
    assert await services.store.unfinished_broadcasts() == []
    (usage,) = await organizer.send("/broadcast")
    assert usage.text.startswith("Send <code>/broadcast CASE [UPDATE] [acted|followers]</code>")
    assert "<code>ua-150-18</code> 1: 30 October 2018 · No further action needed" in usage.text


async def test_broadcast_is_refused_to_everyone_but_organizers(bot, services):
    sim, api = bot
    user = sim.user(301)
    await user.send("/updates")
    await user.press("upd:lon:ua-150-18")
    calls = await user.send("/broadcast ua-150-18")
    assert [(c.method, c.text) for c in calls] == [("sendMessage", "This command is for organizers.")]
    forged = {"message_id": 1, "date": 0, "chat": user.chat}
    calls = await user.press_data(forged, "bc:go:ua-150-18:1:followers")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == "This command is for organizers."
    # Nothing was started, checked without waiting: the handler opens the
    # broadcast's row before it schedules the job that sends, and audits first.
    assert await services.store.get_broadcast(1) is None
    assert [job.name for job in sim.application.job_queue.jobs() if job.name.startswith("broadcast:")] == []
    assert sim.application.bot_data.get(RUNNING_KEY, set()) == set()
    assert await services.store.audit_log() == []
    assert texts_of(api.take_calls()) == []


async def run_sweep(application) -> None:
    (job,) = application.job_queue.get_jobs_by_name(SWEEP_JOB)
    await job.run(application)


async def test_not_yet_reminds_once_after_the_delay_even_across_a_restart(services, clock):
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("🕒 Not yet, remind me later")
    await stop_bot(application)

    application, api = await start_bot(services)  # a new process on the same database
    user = Simulator(application, api, clock=services.clock).user()
    clock.advance(24 * 3600 - 60)
    await run_sweep(application)
    assert texts_of(api.take_calls()) == []  # not yet due
    clock.advance(120)
    await run_sweep(application)
    (reminder,) = api.take_calls()
    assert (reminder.method, reminder.chat_id) == ("sendMessage", user.id)
    assert reminder.text == "⏰ Reminder: you prepared an appeal for UA 150.18. Did you send it?"
    assert reminder.button_texts() == ["✅ I sent the email"]
    clock.advance(24 * 3600)
    await run_sweep(application)
    assert api.take_calls() == []  # one reminder only
    calls = await user.press("✅ I sent the email")
    assert calls[-1].text.startswith("🙏 Thank you! Your action is counted.")
    await stop_bot(application)


async def test_reporting_cancels_the_reminder_and_near_the_deadline_it_comes_sooner(bot, services, clock):
    sim, api = bot
    clock.now = datetime(2018, 9, 25, 12).timestamp()  # deadline 27 September: 48 h before is in 12 h
    user = sim.user()
    await complete(user, "geronimo-gutierrez", "email", "en")
    await user.press("🕒 Not yet, remind me later")
    clock.advance(12 * 3600 + 1)
    await run_sweep(sim.application)
    assert texts_of(api.take_calls()) == [
        "⏰ Reminder: you prepared an appeal for UA 150.18. Did you send it?"]

    other = sim.user(402)
    await complete(other, "geronimo-gutierrez", "email", "en")
    await other.press("🕒 Not yet, remind me later")
    await complete(other, "luis-videgaray", "email", "en")  # then acts again, and reports it
    await other.press("✅ I sent the email")
    clock.advance(48 * 3600)
    api.take_calls()
    await run_sweep(sim.application)
    assert texts_of(api.take_calls()) == []  # reported already: no reminder


async def test_not_yet_exactly_48_hours_before_the_deadline_reminds_a_day_later(bot, clock, far_from_utc):
    """Sooner only when 48 hours before the deadline's end is still ahead; at that very
    moment the usual day applies. The times are UTC whatever the machine's zone."""
    sim, api = bot
    clock.now = datetime(2018, 9, 26, tzinfo=UTC).timestamp()  # deadline 27 September, ending at 28 00:00
    user = sim.user()
    await complete(user, "geronimo-gutierrez", "email", "en")
    await user.press("🕒 Not yet, remind me later")
    api.take_calls()
    clock.advance(24 * 3600 - 60)
    await run_sweep(sim.application)
    assert texts_of(api.take_calls()) == []
    clock.advance(120)
    await run_sweep(sim.application)
    assert texts_of(api.take_calls()) == [
        "⏰ Reminder: you prepared an appeal for UA 150.18. Did you send it?"]


async def test_the_bot_resumes_a_broadcast_whose_sender_died(bot, services):
    sim, api = bot
    for chat in (501, 502, 503):
        await services.store.subscribe(chat, "ua-150-18", services.recipient(chat), "en")
    now = datetime.fromtimestamp(services.clock()).astimezone()
    opened = await services.store.open_broadcast("ua-150-18", 1, "followers", now)
    dead = "cli:" + __import__("socket").gethostname() + ":999999999:0"  # killed mid-send to 502
    assert await services.store.acquire_broadcast(opened.id, dead, now, now.replace(year=2030))
    assert await services.store.claim_delivery(opened.id, services.recipient(502), dead, now)
    await run_sweep(sim.application)
    await wait_for_broadcasts(sim.application, services.store)
    sent = [c.chat_id for c in api.take_calls() if c.method == "sendMessage" and c.ok]
    assert sorted(sent) == [501, 503]  # 502 may have got it already: not sent again
    counts = await services.store.delivery_counts(opened.id)
    assert (counts.sent, counts.unknown) == (2, 1)
