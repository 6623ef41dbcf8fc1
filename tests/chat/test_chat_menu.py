"""End-to-end: /start, the main menu, /language, unknown commands, errors."""

from __future__ import annotations

from telegram.ext import CommandHandler

from tests.conftest import texts_of


async def test_start_in_english_greets_and_shows_the_menu(bot):
    sim, _ = bot
    calls = await sim.user(language_code="en-US", first_name="Ana").send("/start")
    assert [c.method for c in calls] == ["sendMessage"]
    (call,) = calls
    assert call.text == (
        "Hello, Ana!\n\nThis bot is run by a local group of Amnesty International USA's Urgent Action "
        "network, which works on Urgent Actions: appeals, written by many people at once, to the officials "
        "who can stop a human rights violation against a named person or group, by a deadline.\n\n"
        "One Urgent Action is open now: <b>UA 150.18</b>: US–Mexico asylum deal would put many at risk. "
        "You can write, email, call or tweet the officials it names: press Take action.")
    assert call.params["parse_mode"] == "HTML"
    assert call.button_texts() == ["📚 Learn", "❓ Ask a question", "✍️ Take action", "🗄 Past cases",
                                   "🔒 About / Privacy", "🔔 Tell me about new cases", "🌐 Español"]


async def test_start_in_spanish_for_es_clients(bot):
    sim, _ = bot
    (call,) = await sim.user(language_code="es-MX", first_name="Luz").send("/start")
    assert call.text.startswith("¡Hola, Luz!\n\nEste bot lo lleva un grupo local de la red de Acciones "
                                "Urgentes de Amnistía Internacional EE. UU., que trabaja en Acciones "
                                "Urgentes")
    assert call.text.endswith("Hay una Acción Urgente abierta ahora, la <b>UA 150.18</b>: Un acuerdo de "
                              "asilo entre EE. UU. y México pondría a muchas personas en riesgo. Puedes "
                              "escribir, enviar un correo, llamar o tuitear a las autoridades que nombra: "
                              "pulsa Actúa.")
    assert call.button_texts() == ["📚 Infórmate", "❓ Haz una pregunta", "✍️ Actúa", "🗄 Casos anteriores",
                                   "🔒 Acerca de / Privacidad", "🔔 Avísame de casos nuevos", "🌐 English"]


async def test_a_name_with_html_is_escaped_in_the_greeting(bot):
    sim, _ = bot
    (call,) = await sim.user(first_name="<b>Eve & co</b>").send("/start")
    assert call.text.startswith("Hello, &lt;b&gt;Eve &amp; co&lt;/b&gt;!")


async def test_language_command_switches_and_is_remembered(bot):
    sim, _ = bot
    user = sim.user(language_code="en")
    (prompt,) = await user.send("/language")
    assert prompt.text == "Choose your language / Elige tu idioma"
    assert prompt.button_texts() == ["English", "Español"]
    calls = await user.press("Español")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert calls[1].text == "Idioma cambiado a español."
    (again,) = await user.send("/start")
    assert again.text.startswith("¡Hola, Ana!")
    await user.send("/language")
    calls = await user.press("English")
    assert calls[1].text == "Language set to English."


async def test_about_explains_privacy_and_goes_back(bot):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    calls = await user.press("🔒 About / Privacy")
    edit = calls[-1]
    assert edit.method == "editMessageText"
    assert "a keyed hash instead of your Telegram id" in edit.text
    assert "/forget" in edit.text
    calls = await user.press("⬅️ Back")
    assert calls[-1].text == "What would you like to do?"


async def test_unknown_command_says_so_and_shows_the_menu(bot):
    sim, _ = bot
    (call,) = await sim.user().send("/frobnicate now")
    assert call.text == "I don't know the command /frobnicate. Here is the menu."
    assert "✍️ Take action" in call.button_texts()


async def test_a_stale_button_is_answered_not_ignored(bot):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    calls = await user.press_data(message, "no-such-button")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == "That button belongs to an older message. Please use the latest one."


async def test_error_handler_apologises_and_the_bot_keeps_serving(bot):
    sim, _ = bot

    async def broken(update, context):
        raise RuntimeError("boom")

    sim.application.handlers[0].insert(0, CommandHandler("boom", broken))
    user = sim.user(language_code="es")
    calls = await user.send("/boom")
    assert texts_of(calls) == ["Lo sentimos, algo falló de nuestro lado. Inténtalo de nuevo o envía /start."]
    (next_call,) = await user.send("/start")
    assert next_call.text.startswith("¡Hola")


async def test_a_photo_or_sticker_gets_a_plain_answer(bot):
    sim, api = bot
    user = sim.user()
    sticker = {"message_id": 5, "date": 0, "chat": user.chat, "from": user.profile,
               "sticker": {"file_id": "s", "file_unique_id": "s", "width": 512, "height": 512,
                           "is_animated": False, "is_video": False, "type": "regular"}}
    calls = await sim.process({"message": sticker})
    assert texts_of(calls) == ["I can only read text. Type your question in words, or choose from the menu."]
    assert api.refusals == []


async def test_logs_name_the_update_and_the_handler_never_the_text(bot, caplog, monkeypatch):
    import logging

    from bot.core.logs import UpdateContext

    sim, _ = bot
    caplog.handler.addFilter(UpdateContext())
    logger = logging.getLogger("bot.chat.ask")
    original = sim.application.bot_data["services"].matcher.scored  # what the chat's reading calls

    def logged_match(text, lang):
        logger.warning("matching")
        return original(text, lang)

    monkeypatch.setattr(sim.application.bot_data["services"].matcher, "scored", logged_match)
    await sim.user().send("my secret question")
    (record,) = [r for r in caplog.records if r.getMessage() == "matching"]
    assert record.handler == "ask.free_text" and record.update_id == 1
    assert "secret" not in caplog.text
