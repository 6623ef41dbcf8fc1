"""Every step of telling the organizers about a reply or a contact problem,
as the supporter sees it (bot/chat/feedback.py), through the real Application:

- each step edits the pressed message in place (`editMessageText`), so the
  chat keeps one screen, and says what it asks, in the supporter's language;
- a reply may be about a case that ended up to 90 days ago (officials often
  answer late), a problem only about a case open for action;
- an official's name and case reference are cut to fit a button at 64
  characters;
- a button pressed, or /cancel sent, after the flow's data is gone (a restart
  that lost it, a state the bot never wrote) is answered as stale or with the
  menu, never with an error.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.bot_api.simulator import Simulator
from bot.catalog import load_catalog
from bot.chat.flows import FEEDBACK_KEY
from tests.chat.test_flows_expire import restarted
from tests.conftest import ROOT, make_services, start_bot, stop_bot, two_case_tree

STALE = "That button belongs to an older message. Please use the latest one."
SUMMARY_PROMPT = ("Please summarize the reply in a few words (up to 500 characters). "
                  "Don't include anyone's personal details.")
THANKS = "Thank you! The organizers will review it."
LUIS, GERONIMO = "Luis Videgaray (UA 150.18)", "Gerónimo Gutiérrez (UA 150.18)"
ALEX = "Alex Example (UA 999.99)"
FICTIONAL_NAME = "name: Alex Example\n"


def at(year: int, month: int, day: int, hour: int = 12) -> float:
    return datetime(year, month, day, hour, tzinfo=UTC).timestamp()


def steps(calls) -> list[tuple[str, str | None]]:
    """(Bot API method, text) of each call, in order: a bare button answer has no text."""
    return [(c.method, c.text) for c in calls]


def edits_of(calls, message: dict) -> bool:
    """Every edit is of the message whose button was pressed, in its chat."""
    pressed = (message["chat"]["id"], message["message_id"])
    edits = [(c.chat_id, int(c.params["message_id"])) for c in calls if c.method == "editMessageText"]
    return bool(edits) and all(edited == pressed for edited in edits)


async def open_feedback(user, kind: str) -> tuple[dict, list]:
    """/start, then the reply or problem button: (the menu message, the calls)."""
    await user.send("/start")
    menu, _ = user.find_button("menu:learn")  # the menu message, in any language
    return menu, await user.press_data(menu, f"fb:{kind}")


async def report_a_bounced_email(user) -> list:
    """From the menu: Luis Videgaray's email bounced. The calls of the last press."""
    await open_feedback(user, "problem")
    await user.press(LUIS)
    await user.press("Email")
    return await user.press("The email bounced")


@pytest.fixture
async def two_cases(two_case_catalog, settings, clock, matcher, store):
    """(simulator, services) over the shipped case plus the fictional one, which
    closed on 1 October 2018 (tests/data/fictional_case); UA 150.18 closed on
    30 October 2018."""
    services = make_services(two_case_catalog, settings, clock, matcher, store)
    application, api = await start_bot(services)
    yield Simulator(application, api, clock=clock), services
    await stop_bot(application)


async def test_reporting_a_reply_edits_the_pressed_message_at_each_step(bot, services):
    sim, api = bot
    user = sim.user()
    menu, calls = await open_feedback(user, "reply")
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "Which official replied?")]
    assert edits_of(calls, menu)
    assert calls[-1].button_texts() == [LUIS, GERONIMO, "✖️ Cancel"]

    calls = await user.press(LUIS)
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", SUMMARY_PROMPT)]
    assert edits_of(calls, menu) and calls[-1].buttons() == []

    calls = await user.send("He wrote back")
    assert steps(calls) == [("sendMessage", THANKS)]  # an answer to a typed message: sent, not an edit
    assert "✍️ Take action" in calls[-1].button_texts()
    (item,) = await services.store.list_problems()
    assert (item.kind, item.campaign_id, item.official_id, item.text) == (
        "reply", "ua-150-18", "luis-videgaray", "He wrote back")
    assert api.refusals == []


async def test_reporting_a_problem_edits_the_pressed_message_at_each_step(bot, services):
    sim, api = bot
    user = sim.user()
    menu, calls = await open_feedback(user, "problem")
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "Whose contact did not work?")]
    assert edits_of(calls, menu)
    assert calls[-1].button_texts() == [LUIS, GERONIMO, "✖️ Cancel"]

    calls = await user.press(LUIS)
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "Which contact?")]
    assert edits_of(calls, menu)
    assert calls[-1].button_texts() == ["Letter (print and post)", "Email", "Tweet"]  # no phone

    calls = await user.press("Email")
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "What went wrong?")]
    assert edits_of(calls, menu)
    assert calls[-1].button_texts() == ["The email bounced", "The email address is wrong", "Something else"]

    calls = await user.press("The email bounced")
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", THANKS)]
    assert edits_of(calls, menu)
    assert "✍️ Take action" in calls[-1].button_texts()  # and the menu
    (item,) = await services.store.list_problems()
    assert (item.kind, item.campaign_id, item.official_id, item.channel, item.problem) == (
        "problem", "ua-150-18", "luis-videgaray", "email", "bounced")
    assert api.refusals == []


async def test_a_problem_is_reported_in_spanish_with_spanish_buttons(bot, services):
    sim, api = bot
    user = sim.user(language_code="es")
    menu, calls = await open_feedback(user, "problem")
    assert steps(calls) == [("answerCallbackQuery", None),
                            ("editMessageText", "¿De quién es el contacto que no funcionó?")]
    assert calls[-1].button_texts() == [LUIS, GERONIMO, "✖️ Cancelar"]
    calls = await user.press(GERONIMO)
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "¿Qué contacto?")]
    assert calls[-1].button_texts() == ["Carta (imprimir y enviar)", "Correo electrónico",
                                        "Llamada telefónica", "Tuit"]
    calls = await user.press("Llamada telefónica")
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "¿Qué falló?")]
    assert calls[-1].button_texts() == ["El número está desconectado", "El número está mal", "Otra cosa"]
    calls = await user.press("El número está desconectado")
    assert steps(calls) == [("answerCallbackQuery", None),
                            ("editMessageText", "¡Gracias! Las personas organizadoras lo revisarán.")]
    assert "✍️ Actúa" in calls[-1].button_texts()
    (item,) = await services.store.list_problems()
    assert (item.official_id, item.channel, item.problem) == ("geronimo-gutierrez", "call", "disconnected")
    assert edits_of(calls, menu) and api.refusals == []


async def test_a_reply_may_be_about_a_case_that_ended_a_problem_only_about_an_open_one(two_cases, clock):
    sim, services = two_cases
    clock.now = at(2018, 10, 2)  # the fictional case closed yesterday; UA 150.18 is still open
    user = sim.user()
    _, calls = await open_feedback(user, "problem")
    assert calls[-1].button_texts() == [LUIS, GERONIMO, "✖️ Cancel"]
    menu, _ = user.find_button(LUIS)
    calls = await user.press_data(menu, "fb:off:test-ua-999-99:alex-example")  # forged: the case is closed
    assert steps(calls) == [("answerCallbackQuery", STALE)]

    _, calls = await open_feedback(user, "reply")
    assert calls[-1].button_texts() == [LUIS, GERONIMO, ALEX, "✖️ Cancel"]
    calls = await user.press(ALEX)
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", SUMMARY_PROMPT)]
    assert steps(await user.send("They wrote back after the release")) == [("sendMessage", THANKS)]
    (item,) = await services.store.list_problems()
    assert (item.kind, item.campaign_id, item.official_id) == ("reply", "test-ua-999-99", "alex-example")


@pytest.mark.parametrize("day, offered", [
    ((2018, 12, 30), [LUIS, GERONIMO, ALEX]),  # the fictional case ended 90 days ago: still offered
    ((2018, 12, 31), [LUIS, GERONIMO]),  # 91 days: no longer
], ids=["ended 90 days ago", "ended 91 days ago"])
async def test_a_reply_is_offered_for_90_days_after_a_case_ended(two_cases, clock, day, offered):
    sim, _ = two_cases
    clock.now = at(*day)  # both cases have ended (UA 150.18 on 30 October)
    user = sim.user()
    _, calls = await open_feedback(user, "reply")
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "Which official replied?")]
    assert calls[-1].button_texts() == [*offered, "✖️ Cancel"]
    _, calls = await open_feedback(user, "problem")  # nothing is open to report a problem on
    assert calls[-1].button_texts() == ["✖️ Cancel"]


@pytest.fixture(scope="module")
def long_names(tmp_path_factory):
    """Catalogs in which the fictional official's name makes a label of
    `length` characters with its case reference: {length: catalog}."""
    catalogs = {}
    for length, name in ((64, "Alexandra Example of the Fictional Ministry of Tests"),
                         (65, "Alexandra Examples of the Fictional Ministry of Tests")):
        assert len(f"{name} (UA 999.99)") == length, name
        content = two_case_tree(tmp_path_factory.mktemp(f"long-name-{length}"))
        officials = content / "officials.yaml"
        text = officials.read_text(encoding="utf-8")
        assert text.count(FICTIONAL_NAME) == 1
        officials.write_text(text.replace(FICTIONAL_NAME, f"name: {name}\n"), encoding="utf-8")
        catalogs[length] = load_catalog(content, ROOT / "seeds")
    return catalogs


@pytest.mark.parametrize("length, label", [
    (64, "Alexandra Example of the Fictional Ministry of Tests (UA 999.99)"),  # fits whole
    (65, "Alexandra Examples of the Fictional Ministry of Tests (UA…"),  # cut between words
], ids=["64 fits", "65 is cut"])
async def test_an_official_button_holds_64_characters(long_names, settings, clock, matcher, store,
                                                       length, label):
    services = make_services(long_names[length], settings, clock, matcher, store)
    application, api = await start_bot(services)
    try:
        user = Simulator(application, api, clock=clock).user()
        _, calls = await open_feedback(user, "problem")
        assert calls[-1].button_texts() == [label, LUIS, GERONIMO, "✖️ Cancel"]  # soonest deadline first
        calls = await user.press(label)
        assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "Which contact?")]
    finally:
        await stop_bot(application)


async def test_a_channel_pressed_after_the_flow_data_is_gone_is_stale(bot, services):
    sim, api = bot
    user = sim.user()
    await open_feedback(user, "problem")
    await user.press(LUIS)  # which contact? is asked next
    del sim.application.user_data[user.id][FEEDBACK_KEY]
    calls = await user.press("Email")
    assert steps(calls) == [("answerCallbackQuery", STALE)]
    assert await services.store.list_problems(open_only=False) == []
    assert api.refusals == []


async def test_a_kind_pressed_after_the_flow_data_is_gone_is_stale(bot, services):
    sim, api = bot
    user = sim.user()
    await open_feedback(user, "problem")
    await user.press(LUIS)
    await user.press("Email")  # what went wrong? is asked next
    del sim.application.user_data[user.id][FEEDBACK_KEY]
    calls = await user.press("The email bounced")
    assert steps(calls) == [("answerCallbackQuery", STALE)]
    assert await services.store.list_problems(open_only=False) == []
    assert api.refusals == []


@pytest.mark.parametrize("leave", ["/cancel", "✖️ Cancel"])
async def test_cancel_after_the_flow_data_is_gone_shows_the_menu(bot, leave):
    sim, api = bot
    user = sim.user()
    await open_feedback(user, "reply")  # the officials to pick from, and ✖️ Cancel
    del sim.application.user_data[user.id][FEEDBACK_KEY]
    calls = await (user.send(leave) if leave == "/cancel" else user.press(leave))
    expected = [("sendMessage", "What would you like to do?")] if leave == "/cancel" else [
        ("answerCallbackQuery", None), ("editMessageText", "What would you like to do?")]
    assert steps(calls) == expected
    assert "✍️ Take action" in calls[-1].button_texts()
    assert api.refusals == []


async def test_a_reply_asked_before_a_restart_is_taken_after_it(services):
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    await open_feedback(user, "reply")
    await user.press(LUIS)  # waiting for the summary
    assert await services.store.count_flows() == 1
    application, _, user = await restarted(services, application)
    assert steps(await user.send("He wrote back")) == [("sendMessage", THANKS)]
    (item,) = await services.store.list_problems()
    assert (item.kind, item.official_id, item.text) == ("reply", "luis-videgaray", "He wrote back")
    await stop_bot(application)


async def test_the_other_kind_pressed_midway_starts_over_with_it(bot):
    sim, _ = bot
    user = sim.user()
    menu, _ = await open_feedback(user, "reply")  # which official replied?
    calls = await user.press_data(menu, "fb:problem")  # the menu's other button, from an older screen
    assert steps(calls) == [("answerCallbackQuery", None), ("editMessageText", "Whose contact did not work?")]


async def test_another_screens_button_still_works_at_the_channel_step(bot):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    older, _ = user.find_button("menu:learn")
    await open_feedback(user, "problem")
    await user.press(LUIS)  # which contact?
    calls = await user.press_data(older, "menu:learn")
    assert ("answerCallbackQuery", STALE) not in steps(calls)
    assert calls[-1].text.startswith("<b>Safe third country: the US–Mexico talks")  # Learn, its one topic
