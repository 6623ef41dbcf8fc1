"""End-to-end: each step of "Did you send it?" as the supporter sees it.

Which Bot API call each step makes (the prompt is edited in place, the
caption of a letter's PDF or a message of its own; a typed
count is answered with a new message), the exact texts and the buttons that
come next, in both languages; the boundaries of a typed count; a count typed
for an action already counted; "I sent more" on a stale, forged or closed
case; and a count or /cancel after /forget took the flow's data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.bot_api.simulator import Simulator
from bot.chat.flows import COUNT_KEY
from bot.store import ActionReport
from tests.chat.test_case_updates import run_sweep
from tests.chat.test_flows_expire import restarted
from tests.chat.test_take_action import complete
from tests.conftest import start_bot, stop_bot, texts_of

AFTER_EN = ["🔔 Follow this case for updates", "🔔 Tell me about new cases", "✍️ Take another action",
            "📬 An official replied",
            "⚠️ A contact didn't work", "📚 Learn", "🏠 Menu"]
AFTER_ES = ["🔔 Seguir este caso", "🔔 Avísame de casos nuevos", "✍️ Otra acción",
            "📬 Un funcionario respondió",
            "⚠️ Un contacto no funcionó", "📚 Infórmate", "🏠 Menú"]
THANKS_FIRST_EN = ("🙏 Thank you! Your action is counted. You are the first person to report acting on "
                   "UA 150.18 through this bot.")
HOW_MANY_EN = "How many did you (or your group or class) send? Type a number from 1 to 500."
ALREADY_EN = "This action was already counted. Thank you!"
MENU_BUTTON_EN = "✍️ Take action"
# Under a letter's PDF the other paper stays on offer whatever the prompt becomes.
OTHER_PAPER_ES = "📄 La misma carta en papel tamaño carta"
STALE_EN = "That button belongs to an older message. Please use the latest one."


def follow_data(message) -> str:
    """The callback data of the message's "Follow this case" button (it names the case)."""
    return message.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]


async def press_on_the_prompt(user, label: str):
    """Press a button of the report prompt; the one edit it makes, checked to be of that prompt
    (its caption when the prompt is the letter's PDF, issue 29)."""
    prompt, _ = user.find_button(label)
    calls = await user.press(label)
    (edit,) = [c for c in calls if c.method != "answerCallbackQuery"]
    method = "editMessageCaption" if "document" in prompt else "editMessageText"
    assert (edit.method, edit.params["message_id"]) == (method, prompt["message_id"])
    return edit


async def stats(services):
    return await services.store.campaign_stats("ua-150-18", today=services.today())


async def test_not_yet_edits_the_prompt_into_what_comes_next(bot):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    edit = await press_on_the_prompt(user, "🕒 Not yet, remind me later")
    assert edit.text == ("OK. I'll remind you once, in 24 hours, unless you report it before. "
                         "Thank you for taking part.")
    # Nothing was sent yet, so no official can have replied.
    assert edit.button_texts() == [b for b in AFTER_EN if b != "📬 An official replied"]
    assert follow_data(edit) == "upd:on:ua-150-18"


async def test_sent_edits_the_prompt_into_thanks_then_more_is_already_counted(bot, services):
    sim, _ = bot
    user = sim.user(language_code="es")
    await complete(user, "luis-videgaray", "letter", "es")
    prompt, more = user.find_button("👥 Enviamos más de una")
    _, sent = user.find_button("✅ Envié la carta")
    edit = await press_on_the_prompt(user, "✅ Envié la carta")
    assert edit.text == ("🙏 ¡Gracias! Tu acción quedó registrada. Eres la primera persona en reportar una "
                         "acción por la UA 150.18 a través de este bot.")
    assert edit.button_texts() == [*AFTER_ES, OTHER_PAPER_ES]
    assert follow_data(edit) == "upd:on:ua-150-18"

    # The same prompt's "we sent more" (an old screen, a second device): the same action.
    await user.press_data(prompt, more["callback_data"])
    calls = await user.send("3")
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == "Esta acción ya estaba registrada. ¡Gracias!"
    assert calls[0].button_texts() == AFTER_ES
    assert (await stats(services)).actions == 1
    # and the Sent button again: a short answer in the supporter's language, nothing else
    calls = await user.press_data(prompt, sent["callback_data"])
    assert [(c.method, c.params.get("text")) for c in calls] == [
        ("answerCallbackQuery", "Esta acción ya estaba registrada. ¡Gracias!")]


async def test_a_typed_count_up_to_the_limit_is_thanked_with_what_comes_next(bot, services):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "letter", "en")
    assert (await press_on_the_prompt(user, "👥 We sent more than one")).text == HOW_MANY_EN
    assert texts_of(await user.send("501")) == ["Please type a whole number from 1 to 500."]
    calls = await user.send("500")  # the limit itself is allowed
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == THANKS_FIRST_EN
    assert calls[0].button_texts() == AFTER_EN
    assert follow_data(calls[0]) == "upd:on:ua-150-18"
    assert (await stats(services)).actions == 500
    assert 'advocacy_actions_reported_total{channel="letter"} 500' in services.metrics.render()


async def seed_supporters(services, how_many: int) -> None:
    """`how_many` other people reported one email each (as the store counts people)."""
    at = datetime.fromtimestamp(services.clock(), tz=UTC)
    for n in range(how_many):
        await services.store.record_action(ActionReport(
            campaign_id="ua-150-18", official_id="luis-videgaray", channel="email", count=1,
            status="done", language="en", country=None, supporter=f"{n:064x}",
            idempotency_key=f"seeded-{n}", at=at))


async def test_the_running_count_of_people_is_written_the_way_each_language_writes_numbers(bot, services):
    sim, _ = bot
    await seed_supporters(services, 1233)
    english, spanish = sim.user(), sim.user(user_id=402, language_code="es")
    await complete(english, "luis-videgaray", "email", "en")
    calls = await english.press("✅ I sent the email")
    assert calls[-1].text == ("🙏 Thank you! Your action is counted. You are one of 1,234 people who have "
                              "reported acting on UA 150.18 through this bot.")
    await complete(spanish, "luis-videgaray", "email", "es")
    calls = await spanish.press("✅ Envié el correo")
    assert calls[-1].text == ("🙏 ¡Gracias! Tu acción quedó registrada. Eres una de las 1,235 personas que "
                              "han reportado una acción por la UA 150.18 a través de este bot.")


async def test_we_sent_more_on_a_forged_or_closed_case_counts_nothing(bot, services, clock):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    prompt, more = user.find_button("👥 We sent more than one")
    for forged in ("rep:m:ua-150-18:nobody:email:en", "rep:m:ua-150-18:luis-videgaray:email"):
        calls = await user.press_data(prompt, forged)
        assert [c.method for c in calls] == ["answerCallbackQuery"], forged
        assert calls[0].params["text"] == STALE_EN
    clock.now = datetime(2018, 11, 2, 12, tzinfo=UTC).timestamp()  # the case closed on 30 October
    calls = await user.press_data(prompt, more["callback_data"])
    assert [(c.method, c.params.get("text"), c.params.get("show_alert")) for c in calls] == [
        ("answerCallbackQuery", "This case is closed, so reports are no longer counted. Thank you for "
                                "acting!", True)]
    assert (await stats(services)).actions == 0


async def test_a_count_or_cancel_without_the_flows_data_leads_back_to_the_menu(bot, services):
    """The flow's data lost while its state survived (a process killed between
    persisting the two): nothing to count against, so no crash and no count."""
    sim, _ = bot
    for then in ("3", "/cancel"):
        user = sim.user()
        await complete(user, "luis-videgaray", "letter", "en")
        await user.press("👥 We sent more than one")
        del sim.application.user_data[user.id][COUNT_KEY]
        calls = await user.send(then)
        assert [c.method for c in calls] == ["sendMessage"], then
        assert calls[0].text == ("What would you like to do?" if then == "3"
                                 else "Cancelled. Nothing you typed has been kept.")
        assert MENU_BUTTON_EN in calls[0].button_texts()
    assert (await stats(services)).actions == 0


async def test_a_report_is_kept_with_the_time_it_was_made_in_any_time_zone(bot, services, far_from_utc):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("✅ I sent the email")
    mine = await services.store.supporter_data(services.supporter(user.id), user.id)
    (action,) = mine.actions
    assert action.created_at == datetime.fromtimestamp(services.clock(), tz=UTC)


async def test_following_first_then_acting_counts_among_those_who_acted(bot, services):
    sim, _ = bot
    user = sim.user()
    await user.send("/updates")
    await user.press("🔔 Follow UA 150.18")
    (following,) = await services.store.subscribers_of("ua-150-18")
    assert not following.acted
    await complete(user, "luis-videgaray", "email", "en")
    await user.press("✅ I sent the email")
    (following,) = await services.store.subscribers_of("ua-150-18")
    assert following.acted  # so a /broadcast to those who acted reaches this chat


async def test_the_reminder_asks_in_the_supporters_language(bot, services, clock):
    sim, api = bot
    user = sim.user(language_code="es")
    await complete(user, "luis-videgaray", "email", "es")
    await user.press("🕒 Todavía no, recuérdamelo")
    clock.advance(24 * 3600 + 1)
    api.take_calls()
    await run_sweep(sim.application)
    (reminder,) = api.take_calls()
    assert reminder.button_texts() == ["✅ Envié el correo"]


async def test_after_a_call_the_prompt_asks_in_the_supporters_language(bot):
    sim, _ = bot
    user = sim.user(language_code="es")
    calls = await complete(user, "geronimo-gutierrez", "call", "es")
    prompt = calls[-1]
    assert prompt.text == ("¿Hiciste la llamada? Avísanos, para que la red de Acciones Urgentes pueda contar "
                           "las acciones de la UA 150.18.")
    assert prompt.button_texts() == ["✅ Llamé y hablé con alguien", "📞 No contestaron / buzón de voz",
                                     "🕒 Todavía no, recuérdamelo"]


async def test_a_count_asked_before_a_restart_is_taken_after_it(services):
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    await complete(user, "luis-videgaray", "letter", "en")
    await user.press("👥 We sent more than one")
    assert await services.store.count_flows() == 1
    application, _, user = await restarted(services, application)
    calls = await user.send("7")
    assert texts_of(calls) == [THANKS_FIRST_EN]
    assert (await stats(services)).actions == 7
    await stop_bot(application)


async def test_we_sent_more_on_another_prompt_while_a_count_is_asked_counts_for_that_one(bot, services):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    email_prompt, email_more = user.find_button("👥 We sent more than one")
    await complete(user, "luis-videgaray", "letter", "en")
    await user.press_data(email_prompt, email_more["callback_data"])  # how many emails?
    edit = await press_on_the_prompt(user, "👥 We sent more than one")  # no: how many letters?
    assert edit.text == HOW_MANY_EN
    await user.send("4")
    figures = await stats(services)
    assert (figures.actions, figures.by_channel) == (4, {"letter": 4})


async def test_not_yet_says_when_the_reminder_comes_in_the_supporters_language(bot, services):
    """24 hours, or sooner when the deadline is near (48 hours before it): the
    supporter is told which, in hours, which needs no time zone."""
    sim, _ = bot
    services.clock.now = datetime(2018, 9, 25, 12, tzinfo=UTC).timestamp()  # deadline 27 September
    user = sim.user(language_code="es")
    await complete(user, "luis-videgaray", "email", "es")
    edit = await press_on_the_prompt(user, "🕒 Todavía no, recuérdamelo")
    assert edit.text == ("De acuerdo. Te lo recordaré una vez, en 12 horas, salvo que lo reportes antes. "
                         "Gracias por participar.")
    assert "📬 Un funcionario respondió" not in edit.button_texts()
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    (reminder,) = await services.store.claim_due_reminders(now + timedelta(hours=12), 10)
    assert reminder.chat_id == user.id
    services.clock.now = datetime(2018, 9, 25, 23, 20, tzinfo=UTC).timestamp()  # 40 minutes before
    other = sim.user(user_id=403)
    await complete(other, "luis-videgaray", "email", "en")
    edit = await press_on_the_prompt(other, "🕒 Not yet, remind me later")
    assert edit.text.startswith("OK. I'll remind you once, in 1 hour, unless")  # one, not "1 hours"


async def test_the_only_supporter_acting_again_is_not_one_of_1_people(bot):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    assert (await press_on_the_prompt(user, "✅ I sent the email")).text == THANKS_FIRST_EN
    await complete(user, "geronimo-gutierrez", "email", "en")
    edit = await press_on_the_prompt(user, "✅ I sent the email")
    assert edit.text == ("🙏 Thank you! Your action is counted. So far you are the only person who has "
                         "reported acting on UA 150.18 through this bot.")


async def test_the_same_appeal_reported_again_the_same_day_is_asked_about_before_it_counts(bot, services):
    """Two prompts for the same appeal (case, official, channel) answered
    "Sent" on one day are more often one letter reported twice than two sent:
    the second asks first. "No" counts nothing; "Yes" counts it; the next
    day, or another official, is not asked."""
    sim, api = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await press_on_the_prompt(user, "✅ I sent the email")
    await complete(user, "luis-videgaray", "email", "en")
    edit = await press_on_the_prompt(user, "✅ I sent the email")
    assert edit.text == "You already reported an email to Luis Videgaray today. Did you send it again?"
    assert edit.button_texts() == ["✅ Yes, count it again", "↩️ No, it was the same one"]
    assert (await stats(services)).actions == 1  # not counted while asking
    edit = await press_on_the_prompt(user, "↩️ No, it was the same one")
    assert edit.text == "OK: it is counted once. Thank you!"
    assert edit.button_texts() == AFTER_EN
    assert (await stats(services)).actions == 1

    await complete(user, "luis-videgaray", "email", "en")
    await press_on_the_prompt(user, "✅ I sent the email")
    edit = await press_on_the_prompt(user, "✅ Yes, count it again")
    assert edit.text.startswith("🙏 Thank you! Your action is counted.")
    assert (await stats(services)).actions == 2

    await complete(user, "geronimo-gutierrez", "email", "en")  # another official: no question
    assert (await press_on_the_prompt(user, "✅ I sent the email")).text.startswith("🙏 Thank you!")
    services.clock.advance(24 * 3600)  # the next day: no question
    await complete(user, "luis-videgaray", "email", "en")
    assert (await press_on_the_prompt(user, "✅ I sent the email")).text.startswith("🙏 Thank you!")
    assert (await stats(services)).actions == 4
    assert api.refusals == []


async def test_the_repeat_question_in_spanish(bot):
    sim, _ = bot
    user = sim.user(language_code="es")
    for _ in range(2):
        await complete(user, "luis-videgaray", "letter", "es")
        edit = await press_on_the_prompt(user, "✅ Envié la carta")
    assert edit.text == "Hoy ya reportaste una carta a Luis Videgaray. ¿Enviaste otra?"
    assert edit.button_texts() == ["✅ Sí, cuéntalo otra vez", "↩️ No, era el mismo", OTHER_PAPER_ES]
