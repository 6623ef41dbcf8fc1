"""End-to-end: a question is answered in its own language, whatever language
the interface is in; the decline, the suggestions, the buttons and the
entries they open follow it."""

from __future__ import annotations

import pytest

from bot.chat.ask import SHOW, SOURCES, button_data
from bot.chat.menu import ACT, HOME

PRIVACY_ES = (
    "<b>¿Qué datos guarda este bot y cómo los borro?</b>\n\n"
    "En pocas palabras: las preguntas que escribes aquí no se guardan. El bot lee cada una para elegir "
    "una respuesta y no guarda nada de ella, nunca pregunta tu nacionalidad ni tu situación migratoria y "
    "no envía nada sobre ti a ningún gobierno ni autoridad. Como en cualquier chat de Telegram, tus "
    "mensajes pasan por Telegram.\n\n"
    "Este bot guarda lo menos posible. Su registro de tus acciones usa un hash con clave en lugar de "
    "tu id de Telegram. Si sigues un caso o pides un recordatorio, también guarda el chat al que "
    "enviar las novedades o el recordatorio, hasta que uses /stop o /forget. Lo que escribes para un "
    "llamamiento (nombre, ciudad, frase personal) se usa para redactarlo y se borra cuando se "
    "entrega, cuando cancelas o tras 30 minutos sin actividad.\n\n"
    "Guarda las acciones que reportas, porque la red de Acciones Urgentes cuenta las acciones de "
    "cada caso para su labor de incidencia, y guarda los casos que sigues y tu idioma. Envía /mydata "
    "para ver lo que guarda sobre ti y /forget para borrarlo.\n\n"
    "Fuente: “US-Mexico asylum deal would put many at risk (Urgent Action 150.18)” (Amnistía "
    "Internacional EE. UU., agosto de 2018)"
)
PRIVACY_EN = (
    "<b>What data does this bot keep, and how do I delete it?</b>\n\n"
    "In plain words: the questions you type here are not kept. The bot reads each one to choose an "
    "answer and stores nothing of it, never asks your nationality or immigration status, and sends "
    "nothing about you to any government or authority. Like any Telegram chat, your messages pass "
    "through Telegram.\n\n"
    "This bot keeps as little as it can. Its record of your actions uses a keyed hash instead of "
    "your Telegram id. If you follow a case or ask to be reminded, it also keeps the chat to send "
    "updates or the reminder to, until /stop or /forget. What you type for an appeal (name, city, "
    "personal sentence) is used to write it and is deleted once it is delivered, when you cancel, or "
    "after 30 minutes of silence.\n\n"
    "It keeps the actions you report, because the Urgent Action network counts the actions on each "
    "case for its advocacy, and it keeps the cases you follow and your language. Send /mydata to see "
    "what it holds about you, and /forget to delete it.\n\n"
    "Source: “US-Mexico asylum deal would put many at risk (Urgent Action 150.18)” (Amnesty "
    "International USA, August 2018)"
)


def buttons(call) -> list[tuple[str, str]]:
    return [(b["text"], b["callback_data"]) for b in call.buttons()]


async def test_a_spanish_question_is_answered_in_spanish_with_the_interface_in_english(bot, catalog):
    sim, api = bot
    user = sim.user(language_code="en")
    await user.send("/start")  # the menus are in English
    (answer,) = await user.send("¿Qué datos personales guarda el bot sobre mí?")
    assert answer.text == PRIVACY_ES
    related = [(catalog.faq[r].questions.es[0], button_data(SHOW, r, "es")) for r in ("why-report-action",
                                                                                      "how-to-help",
                                                                                      "legal-help")]
    assert buttons(answer) == [*related, ("📄 Fuentes", "faqsrc:privacy:es"),
                               ("✍️ Actúa", ACT), ("🏠 Menú", HOME)]
    # The interface itself stays English.
    calls = await user.press("🏠 Menú")
    assert "What would you like to do?" in calls[-1].text
    assert api.refusals == []


async def test_an_english_question_is_answered_in_english_with_the_interface_in_spanish(bot, catalog):
    sim, api = bot
    user = sim.user(language_code="en")
    await user.send("/language")
    await user.press("Español")  # chosen, stored: the interface is Spanish
    (answer,) = await user.send("What personal data does this bot keep about me?")
    assert answer.text == PRIVACY_EN
    assert buttons(answer)[-3:] == [("📄 Sources", "faqsrc:privacy:en"), ("✍️ Take action", ACT),
                                    ("🏠 Menu", HOME)]
    calls = await user.press("🏠 Menu")
    assert "¿Qué quieres hacer?" in calls[-1].text  # the interface stays Spanish
    assert api.refusals == []


async def test_a_related_topic_and_the_sources_open_in_the_question_s_language(bot, catalog):
    sim, api = bot
    user = sim.user(language_code="en")
    await user.send("¿Qué datos personales guarda el bot sobre mí?")
    calls = await user.press(button_data(SHOW, "how-to-help", "es"))
    entry = catalog.faq["how-to-help"]
    assert calls[-1].text.startswith(f"<b>{entry.questions.es[0]}</b>\n\n<b>Dónde está cada caso hoy")
    assert entry.answer.es.strip()[:40] in calls[-1].text
    calls = await user.press("📄 Fuentes")
    assert calls[-1].text.startswith(f"<b>Fuentes: {entry.questions.es[0]}</b>")
    calls = await user.press("⬅️ Atrás")
    assert calls[-1].text.startswith(f"<b>{entry.questions.es[0]}</b>")
    assert api.refusals == []


async def test_a_spanish_question_asked_back_offers_spanish_entries_that_open_in_spanish(bot, catalog):
    sim, api = bot
    user = sim.user(language_code="en")
    (declined,) = await user.send("méxico y el asilo")  # three entries close: asked back
    assert declined.text == ("No sé si te entendí bien, y en preguntas como estas una respuesta "
                             "equivocada es peor que ninguna. ¿Quisiste decir alguna de estas?")
    offered = buttons(declined)
    assert offered[-1] == ("🏠 Menú", HOME) and len(offered) == 4
    for label, data in offered[:-1]:
        entry_id = data.removeprefix(SHOW).removesuffix(":es")
        assert data == button_data(SHOW, entry_id, "es")
        assert label == catalog.faq[entry_id].questions.es[0][:60] or label.endswith("…")
    calls = await user.press(offered[0][1])
    entry_id = offered[0][1].removeprefix(SHOW).removesuffix(":es")
    assert calls[-1].text.startswith(f"<b>{catalog.faq[entry_id].questions.es[0]}</b>")
    assert api.refusals == []


async def test_nothing_to_tell_by_is_answered_in_the_interface_language(bot):
    sim, _ = bot
    (english,) = await sim.user(user_id=1, language_code="en").send("🙂")
    (spanish,) = await sim.user(user_id=2, language_code="es").send("🙂")
    assert english.text.startswith("Type your question in your own words")
    assert spanish.text.startswith("Escribe tu pregunta con tus propias palabras")


@pytest.mark.parametrize("interface, question", [
    ("en", "Hola, what is this bot's privacy policy, what data do you keep?"),
    ("es", "what is Quédate en México"),
])
async def test_mixed_questions_are_answered_in_the_language_of_their_sentence(bot, interface, question):
    sim, _ = bot
    (answer,) = await sim.user(language_code=interface).send(question)
    assert answer.text.startswith("<b>What ")


async def test_buttons_sent_before_the_language_was_carried_still_work(bot, catalog):
    """`faq:<id>` and `faqsrc:<id>` from older messages: the entry, in the
    supporter's interface language."""
    sim, api = bot
    user = sim.user(language_code="es")
    (old,) = await user.send("/start")
    calls = await user.press_data(old.result, "faq:privacy")
    assert calls[-1].text.startswith(f"<b>{catalog.faq['privacy'].questions.es[0]}</b>")
    calls = await user.press_data(old.result, "faqsrc:privacy")
    assert calls[-1].text.startswith("<b>Fuentes: ")
    calls = await user.press_data(old.result, "faq:no-such-entry:es")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    calls = await user.press_data(old.result, "faq:privacy:fr")  # not a language: taken as an id
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert api.refusals == []


def test_every_faq_button_fits_telegram_s_64_bytes(catalog):
    for entry_id in catalog.faq:
        for prefix in (SHOW, SOURCES):
            assert len(button_data(prefix, entry_id, "es").encode()) <= 64, entry_id
