"""End-to-end: signing up for new cases (all, a topic, a region), /announce
with its preview, count and confirmation, sent through the broadcast engine
to exactly those a new case matches, once, across a restart mid-send; a
person who used /forget or blocked the bot gets nothing; stopping
announcements leaves the cases followed alone; /announce before a case is
issued is refused in one line. All through the real Application on the
in-memory Bot API, on a content tree with a fictional second topic and case
(tests/data/signup_case)."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import BotApiRefusal
from bot.broadcasts import announcement
from bot.broadcasts.engine import DeliveryPolicy
from bot.catalog import load_catalog
from bot.chat import menu, signup, updates
from bot.chat.broadcasting import RUNNING_KEY
from bot.chat.pacing import POLICY_KEY
from tests.chat.test_case_updates import wait_for_broadcasts
from tests.conftest import FICTIONAL_CASE, ORGANIZER_ID, ROOT, make_services, start_bot, stop_bot

SIGNUP_CASE = ROOT / "tests" / "data" / "signup_case"
ISSUED = datetime(2018, 9, 20, 12, tzinfo=UTC).timestamp()
AFTER_THE_UPDATE = datetime(2018, 11, 2, 12, tzinfo=UTC).timestamp()


def signup_tree(destination: Path) -> Path:
    """The shipped content plus a fictional second topic and a case of that
    topic in another region (Africa; the shipped case is in the Americas)."""
    content = destination / "content"
    shutil.copytree(ROOT / "content", content)
    for folder in ("topics", "campaigns"):
        shutil.copytree(SIGNUP_CASE / folder, content / folder, dirs_exist_ok=True)
    with (content / "officials.yaml").open("a", encoding="utf-8") as officials:
        officials.write((FICTIONAL_CASE / "officials.yaml").read_text(encoding="utf-8"))
    return content


@pytest.fixture(scope="module")
def signup_catalog(tmp_path_factory):
    return load_catalog(signup_tree(tmp_path_factory.mktemp("signup")), ROOT / "seeds")


@pytest.fixture
def signup_services(signup_catalog, settings, clock, matcher, store):
    services = make_services(signup_catalog, settings, clock, matcher, store)
    services.extras[POLICY_KEY] = DeliveryPolicy(concurrency=1)  # one at a time: a restart falls between two
    return services


ANNOUNCEMENT_EN = (
    "🆕 <b>New Urgent Action: UA 777.77</b>\n<b>TEST CASE (fictional): editor Rio Sample detained</b>\n\n"
    "A fictional case used by the tests. Rio Sample, an invented editor, is held in fictional Testland.\n\n"
    "<b>Region:</b> Africa\n\n<b>Issues:</b> Free press in Testland (fictional)\n\n"
    "<b>Act by:</b> 20 October 2018.\n\n"
    "<i>You get this because you signed up for new cases. /signup to change, /stop to stop all.</i>")
ANNOUNCEMENT_ES = (
    "🆕 <b>Nueva Acción Urgente: UA 777.77</b>\n<b>CASO DE PRUEBA (ficticio): detenida la editora Rio "
    "Sample</b>\n\nUn caso ficticio que usan las pruebas. Rio Sample, una editora inventada, está detenida "
    "en la ficticia Testlandia.\n\n<b>Región:</b> África\n\n<b>Temas:</b> Libertad de prensa en Testlandia "
    "(ficticio)\n\n<b>Actúa antes del:</b> 20 de octubre de 2018.\n\n"
    "<i>Recibes esto porque te apuntaste a casos nuevos. /signup para cambiarlo, /stop para dejar de "
    "recibir todo.</i>")
ANNOUNCEMENT_BUTTONS_EN = ["✍️ Take action", "🔔 Follow this case for updates", "🔕 No more new cases"]


def sent_to(calls) -> list[int]:
    return [c.chat_id for c in calls if c.method == "sendMessage" and c.ok]


async def test_the_announcement_reaches_exactly_those_the_case_matches_once_across_a_restart(
        signup_services, clock):
    services = signup_services
    application, api = await start_bot(services)
    sim = Simulator(application, api, clock=clock)
    ana, beto, carla = sim.user(101, "Ana"), sim.user(102, "Beto", "es"), sim.user(103, "Carla")
    dora, eli, gabi = sim.user(104, "Dora"), sim.user(105, "Eli"), sim.user(106, "Gabi")

    (screen,) = await ana.send("/signup")
    assert screen.text == (
        "<b>Hear about new Urgent Actions</b>\nWhen a case opens that matches one of your choices, the bot "
        "sends it to this chat. Choose all new cases, or some issues and regions.\n\n"
        "You are not signed up yet.")
    assert screen.button_texts() == [
        "▫️ 🌍 All new cases", "▫️ Safe third country: the US–Mexico talks and US asylum…",
        "▫️ Free press in Testland (fictional)", "▫️ Africa", "▫️ Americas", "▫️ Asia and the Pacific",
        "▫️ Europe and Central Asia", "▫️ Middle East and North Africa", "✔️ Done"]
    calls = await ana.press("▫️ 🌍 All new cases")  # ana: all new cases
    assert calls[-1].method == "editMessageText"
    assert calls[-1].text.endswith("\n\nYou will hear about: all new cases.")
    assert calls[-1].button_texts()[0] == "✅ 🌍 All new cases"
    calls = await ana.press("✔️ Done")
    assert calls[-1].text == "Saved. You will hear about: all new cases. Change it any time with /signup."

    await beto.send("/signup")  # beto: one topic, the fictional one
    calls = await beto.press("sig:t:test-free-press")
    assert calls[-1].text.endswith("\n\nTe avisaremos de: Libertad de prensa en Testlandia (ficticio).")
    await carla.send("/signup")  # carla: one region, not the new case's
    await carla.press("sig:r:americas")
    for user in (dora, eli, gabi):  # all three sign up for everything
        await user.send("/signup")
        await user.press("sig:all")
    assert await services.store.signup_of(102) == ["topic:test-free-press"]
    assert await services.store.signup_of(103) == ["region:americas"]

    await dora.send("/forget")  # dora deletes her data: her sign-up goes with it
    await dora.press("🗑 Yes, delete my data")
    await gabi.send("/updates")  # gabi follows the shipped case, then stops the announcements only
    await gabi.press("upd:lon:ua-150-18")
    await gabi.send("/signup")
    stopped = (await gabi.press("🔕 No more new cases"))[-1]
    assert stopped.text == ("Done: no new cases will be sent to you. The cases you follow still send their "
                            "updates (/updates). Send /signup to sign up again.")
    assert await services.store.subscriptions_of(106) == ["ua-150-18"]
    api.fault = lambda method, params: (BotApiRefusal(403, "Forbidden: bot was blocked by the user")
                                        if method == "sendMessage" and params["chat_id"] == 105 else None)

    organizer = sim.user(ORGANIZER_ID, "Olga")
    calls = await organizer.send("/announce test-ua-777-77")  # 15 September: not issued yet
    assert [(c.method, c.text) for c in calls] == [(
        "sendMessage",
        "UA 777.77 cannot be announced before it is issued: it can go from 20 September 2018.")]
    assert await services.store.unfinished_broadcasts() == []

    clock.now = ISSUED
    preview, question = await organizer.send("/announce test-ua-777-77")
    assert preview.text == ANNOUNCEMENT_EN
    assert preview.button_texts() == ANNOUNCEMENT_BUTTONS_EN
    assert question.text == ("<b>Preview</b> of the announcement of UA 777.77: the message above is what "
                             "each of them will receive, in their language.\n\nSend it to <b>3</b> people "
                             "signed up for it?")  # ana (all), beto (its topic), eli (all; blocked the bot)
    assert question.button_texts() == ["✅ Send now", "✖️ Cancel"]

    # The bot is stopped (SIGTERM) while the first message goes out: it finishes that one and stops.
    first_sent = []

    def stop_after_first(method, params):
        if method == "sendMessage" and params["chat_id"] != ORGANIZER_ID and not first_sent:
            first_sent.append(params["chat_id"])
            services.stopping.set()
        return None if params.get("chat_id") != 105 else BotApiRefusal(403, "Forbidden: bot was blocked")

    api.fault = stop_after_first
    calls = await organizer.press("✅ Send now")
    assert calls[-1].text.startswith("📣 <b>Announcing UA 777.77</b>")
    await wait_until_paused(application, services, first_sent)
    before_restart = api.take_calls()
    assert len([c for c in before_restart if c.method == "sendMessage"]) == 1
    await stop_bot(application)

    services.stopping.clear()
    application, api = await start_bot(services)  # a new process on the same database
    api.fault = lambda method, params: (BotApiRefusal(403, "Forbidden: bot was blocked by the user")
                                        if method == "sendMessage" and params["chat_id"] == 105 else None)
    sim = Simulator(application, api, clock=clock)
    organizer = sim.user(ORGANIZER_ID, "Olga")
    preview, question = await organizer.send("/announce test-ua-777-77")  # the same command, again
    assert question.text.endswith("Send it to <b>2</b> people signed up for it?")  # the two not yet sent
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(application, services.store)
    after_restart = api.take_calls()
    everything = before_restart + after_restart
    delivered = [c for c in everything if c.method == "sendMessage" and c.ok and c.chat_id != ORGANIZER_ID]
    assert sorted(c.chat_id for c in delivered) == [101, 102]  # exactly ana and beto, once each
    by_chat = {c.chat_id: c for c in delivered}
    assert by_chat[101].text == ANNOUNCEMENT_EN and by_chat[101].button_texts() == ANNOUNCEMENT_BUTTONS_EN
    assert by_chat[102].text == ANNOUNCEMENT_ES
    (progress,) = [c for c in after_restart if c.method == "editMessageText"][-1:]
    assert progress.text == ("✅ <b>UA 777.77 announced</b>\nSent: 2 · failed: 0 · blocked (now "
                             "unsubscribed): 1 · uncertain: 0")
    assert await services.store.signup_of(105) == []  # eli blocked the bot: signed up no more

    # Announcing again reaches nobody: everyone it matches has it.
    _, nobody = await organizer.send("/announce test-ua-777-77")
    assert nobody.text.startswith("Nobody to send it to")

    # gabi stopped the announcements, not the updates of the case she follows.
    clock.now = AFTER_THE_UPDATE
    await organizer.send("/broadcast ua-150-18 1")
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(application, services.store)
    assert [c.chat_id for c in api.take_calls() if c.method == "sendMessage" and c.ok
            and c.chat_id != ORGANIZER_ID] == [106]
    await stop_bot(application)


async def wait_until_paused(application, services, first_sent: list) -> None:
    """Until the announcement's job has sent one message, paused and returned (its lease released)."""
    for _ in range(500):
        if first_sent and not application.bot_data.get(RUNNING_KEY):
            (unfinished,) = await services.store.unfinished_broadcasts()
            if unfinished.owner is None:
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the announcement did not pause")


NOTHING_OPEN = datetime(2026, 12, 7, 12, tzinfo=UTC).timestamp()  # UA 150.18 closed in 2018


@pytest.mark.parametrize(("lang", "line", "button", "question", "offer"), [
    ("en", "Press <b>Tell me about new cases</b> to hear when the next one opens.",
     "🔔 Tell me about new cases", "Is there anything I can still do?",
     "• Sign up for the next case: send /signup and choose all new Urgent Actions, or only the issues and "
     "regions you care about."),
    ("es", "Pulsa <b>Avísame de casos nuevos</b> para enterarte cuando se abra el próximo.",
     "🔔 Avísame de casos nuevos", "¿Hay algo que todavía pueda hacer?",
     "• Apúntate al próximo caso: envía /signup y elige todas las nuevas Acciones Urgentes, o solo los temas "
     "y las regiones que te importan."),
])
async def test_with_no_case_open_the_welcome_and_the_faq_offer_the_signup(bot, clock, lang, line, button,
                                                                          question, offer):
    clock.now = NOTHING_OPEN
    sim, api = bot
    user = sim.user(language_code=lang)
    (welcome,) = await user.send("/start")
    assert welcome.text.endswith("\n\n" + line)  # after the greeting, in one place
    assert button in welcome.button_texts()
    calls = await user.press(button)
    assert calls[-1].text.startswith(("<b>Hear about new Urgent Actions</b>",
                                      "<b>Entérate de nuevas Acciones Urgentes</b>"))
    (answer,) = await user.send(question)
    assert offer in answer.text
    assert ("Past cases" if lang == "en" else "Casos anteriores") in answer.text
    assert answer.text.index("UA 150.18") < answer.text.index(offer)  # where the cases stand comes first
    assert api.refusals == []


async def test_with_a_case_open_the_welcome_offers_the_button_without_the_line(bot):
    sim, _ = bot
    (welcome,) = await sim.user().send("/start")
    assert "🔔 Tell me about new cases" in welcome.button_texts()
    assert "Tell me about new cases</b>" not in welcome.text


async def test_mydata_lists_the_signup_and_stop_ends_it_with_the_follows(bot, services):
    sim, _ = bot
    user = sim.user()
    await user.send("/signup")
    await user.press("sig:t:safe-third-country")
    await user.press("sig:r:americas")
    await user.press("sig:r:africa")
    await user.press("sig:r:africa")  # pressed twice: off again
    (mine,) = await user.send("/mydata")
    assert ("\nSign-up for new cases (sent to this chat): Safe third country: the US–Mexico talks and "
            "US asylum policy, Americas\n") in mine.text
    await user.send("/updates")
    await user.press("upd:lon:ua-150-18")
    (stopped,) = await user.send("/stop")
    assert stopped.text == ("Done: you follow no cases now, and no reminders will come. Send /updates to "
                            "follow a case again.\nYour sign-up for new cases has ended too.")
    assert await services.store.signup_of(user.id) == []
    assert await services.store.subscriptions_of(user.id) == []
    (mine,) = await user.send("/mydata")
    assert "\nSign-up for new cases (sent to this chat): none\n" in mine.text


async def test_the_signup_is_offered_in_the_archive_when_nothing_is_open_and_after_a_report(bot, clock):
    from tests.chat.test_take_action import complete

    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    calls = await user.press("✅ I sent the email")
    assert calls[-1].button_texts()[:2] == ["🔔 Follow this case for updates", "🔔 Tell me about new cases"]
    clock.now = NOTHING_OPEN
    await user.send("/start")
    calls = await user.press("menu:act")
    assert "🔔 Tell me about new cases" in calls[-1].button_texts()
    calls = await user.press("menu:past")
    assert "🔔 Tell me about new cases" in calls[-1].button_texts()


async def test_announce_is_for_organizers_and_explains_itself(bot, services):
    sim, api = bot
    user = sim.user(301)
    calls = await user.send("/announce ua-150-18")
    assert [(c.method, c.text) for c in calls] == [("sendMessage", "This command is for organizers.")]
    calls = await user.press_data({"message_id": 1, "date": 0, "chat": user.chat}, "an:go:ua-150-18")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert await services.store.unfinished_broadcasts() == []
    organizer = sim.user(ORGANIZER_ID, "Olga")
    (usage,) = await organizer.send("/announce")
    assert usage.text.startswith("Send <code>/announce CASE</code>")
    (unknown,) = await organizer.send("/announce ua-000")
    assert "ua-000" in unknown.text
    preview, nobody = await organizer.send("/announce ua-150-18")  # open on 15 September 2018; no sign-ups
    assert nobody.text.startswith("Nobody to send it to")


def test_the_announcement_buttons_are_the_chat_handlers():
    """bot/broadcasts cannot import the chat's callback names; they must agree."""
    assert announcement.TAKE_ACTION == menu.ACT
    assert announcement.FOLLOW == updates.FOLLOW
    assert announcement.SIGNUP_OFF in {h.pattern.pattern.strip("^$") for h in signup.handlers()
                                       if hasattr(h, "pattern")}


async def test_a_case_reaches_those_signed_up_for_its_region(signup_services, clock):
    clock.now = ISSUED
    application, api = await start_bot(signup_services)
    sim = Simulator(application, api, clock=clock)
    for user_id, region in ((201, "africa"), (202, "asia-pacific")):
        user = sim.user(user_id)
        await user.send("/signup")
        await user.press(f"sig:r:{region}")
    organizer = sim.user(ORGANIZER_ID, "Olga")
    _, question = await organizer.send("/announce test-ua-777-77")
    assert question.text.endswith("Send it to <b>1</b> person signed up for it?")
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(application, signup_services.store)
    assert [c.chat_id for c in api.take_calls() if c.method == "sendMessage" and c.ok] == [201]
    await stop_bot(application)


async def test_the_sweep_resumes_an_announcement_whose_sender_died(signup_services, clock):
    """A process killed mid-announcement: the bot's sweep takes it over, sends
    the rest, and the one in flight at the crash is not sent again."""
    import socket

    from tests.chat.test_case_updates import run_sweep

    services = signup_services
    clock.now = ISSUED
    application, api = await start_bot(services)
    for chat in (301, 302, 303):
        await services.store.set_signup(chat, services.recipient(chat), "en", ["all"])
    now = datetime.fromtimestamp(clock.now, tz=UTC)
    opened = await services.store.open_announcement("test-ua-777-77", ["all"], now)
    dead = f"cli:{socket.gethostname()}:999999999:0"  # killed while sending to 302
    assert await services.store.acquire_broadcast(opened.id, dead, now, now.replace(year=2030))
    assert await services.store.claim_delivery(opened.id, services.recipient(302), dead, now)
    await run_sweep(application)
    await wait_for_broadcasts(application, services.store)
    sent = [c for c in api.take_calls() if c.method == "sendMessage" and c.ok]
    assert sorted(c.chat_id for c in sent) == [301, 303]
    assert {c.text for c in sent} == {ANNOUNCEMENT_EN}  # the announcement, not an update
    counts = await services.store.delivery_counts(opened.id)
    assert (counts.sent, counts.unknown) == (2, 1)
    await stop_bot(application)
