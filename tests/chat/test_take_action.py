"""End-to-end: the take-action flow through the real Application, for every
channel in both languages, with Back, /cancel, deadlines, reports, restarts."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from bot.appeals.render import (
    SupporterDetails,
    email_compose_url,
    speaking_seconds,
    tweet_intent_url,
    tweet_length,
)
from bot.bot_api.simulator import Simulator
from bot.chat.take_action import FLOW_KEY
from tests.conftest import start_bot, stop_bot, texts_of

AFTER_DEADLINE = datetime(2026, 11, 23, 12).timestamp()

CAMPAIGN_EN = (
    "<b>UA 150.18: US–Mexico asylum deal would put many at risk</b>\n\n"
    "In August 2018 Amnesty International USA reported that the US and Mexico, in closed-door discussions, "
    "were considering declaring Mexico a \"safe third country\". It warned that this would block asylum "
    "seekers who pass through Mexico from seeking protection in the US and force them to stay in a "
    "dangerous, under-equipped Mexico, putting thousands at risk.\n\n"
    "<b>The appeal asks:</b>\n"
    "1. Mexican authorities should refuse to sign a \"safe third country\" agreement with the US.\n"
    "2. The US State Department should halt any bilateral diplomatic discussions on a \"safe third "
    "country\" agreement with Mexico.\n"
    "3. The US Department of Homeland Security should desist from promoting a \"safe third country\" "
    "agreement with Mexico and ensure people seeking asylum are allowed entry into the US.\n\n"
)
NAV_EN = ["⬅️ Back", "✖️ Cancel"]
NAV_ES = ["⬅️ Atrás", "✖️ Cancelar"]
ASK_NAME_EN = ("What name should the appeal be signed with? Type it, or press Skip to sign "
               "anonymously.")
ASK_CITY_EN = "Your city or country, to add under your name (optional). Type it, or press Skip."
ASK_SENTENCE_EN = ("Add one sentence of your own, in your words (optional, up to 500 characters), "
                   "or press Skip.")
OFFICIALS = {
    "luis-videgaray": ("Luis Videgaray — Mexican Minister of Foreign Affairs",
                       "Luis Videgaray — secretario de Relaciones Exteriores de México"),
    "geronimo-gutierrez": ("Gerónimo Gutiérrez — Ambassador of Mexico to the United States",
                           "Gerónimo Gutiérrez — embajador de México en Estados Unidos"),
}
CHANNEL_BUTTONS = {
    "en": {"letter": "Letter (print and post)", "email": "Email", "call": "Phone call", "tweet": "Tweet"},
    "es": {"letter": "Carta (imprimir y enviar)", "email": "Correo electrónico",
           "call": "Llamada telefónica", "tweet": "Tuit"},
}


def channel_button(user, lang: str, channel: str) -> str:
    """The label of a channel button as shown (it may carry the recommendation star)."""
    wanted = CHANNEL_BUTTONS[lang][channel]
    for message in user.messages_with_buttons():
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if wanted in button["text"]:
                    return button["text"]
    raise LookupError(wanted)


async def walk_to_name(user, official: str, channel: str, lang: str = "en"):
    await user.send("/start")
    await user.press("menu:act")
    await user.press(f"act:off:{official}")
    return await user.press(channel_button(user, lang, channel))


async def complete(user, official="luis-videgaray", channel="letter", lang="en", name="Ana López",
                   city="Tijuana", sentence=None, letter_lang="es"):
    """Run the whole flow: name and city, the language (pressed when it is not
    the supporter's own), then the sentence; the calls made by the last step
    (delivery). With `letter_lang=None`, stop at the language choice."""
    calls = await walk_to_name(user, official, channel, lang)
    if channel != "tweet":  # a tweet asks only for the sentence
        await user.send(name) if name else await user.press("act:skip")
        calls = await (user.send(city) if city else user.press("act:skip"))
    if letter_lang is None:
        return calls
    if lang != letter_lang:
        await user.press(f"act:lang:{letter_lang}")
    return await (user.send(sentence) if sentence else user.press("act:skip"))


async def choose(user, letter_lang: str, sentence: str | None = None):
    """At the language choice: the language, then the sentence (or Skip); the delivery's calls."""
    await user.press(f"act:lang:{letter_lang}")
    return await (user.send(sentence) if sentence else user.press("act:skip"))


def sent(calls, method="sendMessage"):
    return [c for c in calls if c.method == method]


async def test_english_supporter_writes_a_letter_in_spanish_to_the_foreign_minister(bot, services):
    sim, api = bot
    user = sim.user(language_code="en")
    await user.send("/start")
    taps = 0

    calls = await user.press("✍️ Take action")
    taps += 1
    screen = calls[-1]
    assert screen.method == "editMessageText"
    assert screen.text == (CAMPAIGN_EN + "<b>Deadline:</b> 27 September 2018 (12 days left).\n\n"
                           "<b>Who will you write to?</b>")
    assert screen.button_texts() == [OFFICIALS["luis-videgaray"][0], OFFICIALS["geronimo-gutierrez"][0],
                                     "🔔 Follow this case for updates", *NAV_EN]

    calls = await user.press(OFFICIALS["luis-videgaray"][0])
    taps += 1
    assert calls[-1].text == ("How will you contact <b>Luis Videgaray</b>, Mexican Minister of Foreign "
                              "Affairs?\n\nA posted letter has time to arrive before the deadline.")
    # No phone number for the minister in the Urgent Action: no call offered.
    assert calls[-1].button_texts() == ["⭐ ✉️ Letter (print and post) (recommended)", "📧 Email",
                                        "🐦 Tweet", *NAV_EN]

    calls = await user.press("⭐ ✉️ Letter (print and post) (recommended)")
    taps += 1
    assert calls[-1].text == ASK_NAME_EN
    assert calls[-1].button_texts() == ["Skip ⏭️", *NAV_EN]

    calls = await user.send("Ana López")
    taps += 1
    assert [c.text for c in sent(calls)] == [ASK_CITY_EN]
    calls = await user.send("Tijuana")
    taps += 1
    # The language comes before the sentence, so the sentence is asked for in the appeal's language.
    assert [c.text for c in sent(calls)] == [
        "Which language should your appeal to Luis Videgaray be in? ⭐ marks the official's language. If you "
        "choose one you don't read, I'll also show it in your language so you know what you are signing."]
    assert calls[-1].button_texts() == ["⭐ Spanish (the official's language)", "English (your language)",
                                        *NAV_EN]
    calls = await user.press("⭐ Spanish (the official's language)")
    taps += 1
    assert calls[-1].text == (ASK_SENTENCE_EN + "\n\nYour appeal is in Spanish: if you can, write your "
                              "sentence in Spanish too. It goes into the appeal as you type it.")

    calls = await user.press("Skip ⏭️")
    taps += 1
    assert taps <= 8
    # Two messages (issue 29): the letter with its translation, and the PDF carrying the report prompt.
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage", "sendDocument"]
    letter, document = calls[1:]
    assert letter.text.startswith("✉️ <b>Your letter to Luis Videgaray</b> (Spanish). Print it, sign it "
                                  "and post it to the address at the top:\n\n15 de septiembre de 2018\n\n"
                                  "Luis Videgaray\nSecretario de Relaciones Exteriores de México\n"
                                  "Plaza Juárez No. 20, Piso 22\nDelegación Cuauhtémoc\n"
                                  "06010 CDMX\nMéxico\n\nEstimado Señor Canciller:\n\n")
    assert "Estimado Señor Canciller:" in letter.text
    spanish, translation = letter.text.split("\n\n<i>So you know what you are signing, here it is in "
                                             "English:</i>\n\n")
    assert spanish.endswith("Atentamente,\nAna López\nTijuana")
    assert "Dear Foreign Minister," in translation and "Ana López" in translation
    assert letter.buttons() == []
    filename, pdf, mime = document.files["document"]
    assert re.fullmatch(r"letter-luis-videgaray-es-2018-09-15-[0-9a-f]{6}\.pdf", filename), filename
    assert mime == "application/pdf"
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Plaza Juárez No. 20, Piso 22" in pdf_text
    assert "Estimado Señor Canciller:" in pdf_text
    assert "Ana López" in pdf_text
    assert document.params["caption"] == (
        "Your letter as a PDF, ready to print on A4 paper, with room to sign above your name.\n\n"
        "Did you post the letter? Let us know, so the Urgent Action network can count the actions on "
        "UA 150.18.")
    assert document.button_texts() == ["✅ I posted the letter", "👥 We sent more than one",
                                       "🕒 Not yet, remind me later", "📄 The same letter on US Letter paper"]
    # Nothing typed is left once the letter is delivered.
    assert FLOW_KEY not in sim.application.user_data[user.id]
    assert services.sleep == []  # two messages: within the chat's budget, back to back (issue 29)

    calls = await user.press("✅ I posted the letter")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageCaption"]
    assert calls[-1].params["message_id"] == document.result["message_id"]
    assert calls[-1].text == ("🙏 Thank you! Your action is counted. You are the first person to report "
                              "acting on UA 150.18 through this bot.")
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert (stats.actions, stats.by_channel.get("letter"), stats.supporters) == (1, 1, 1)
    assert api.refusals == []


async def test_spanish_supporter_skips_the_language_step(bot):
    sim, _ = bot
    user = sim.user(language_code="es")
    await walk_to_name(user, "geronimo-gutierrez", "letter", "es")
    await user.press("act:skip")
    await user.press("act:skip")
    calls = await user.press("act:skip")
    letter = sent(calls)[0]
    assert letter.text.startswith("✉️ <b>Tu carta a Gerónimo Gutiérrez</b> (español).")
    assert "Estimado Señor Embajador:" in letter.text
    assert "Una persona que apoya a Amnistía Internacional" in letter.text  # anonymous sign-off
    assert sent(calls, "sendDocument")
    assert not any("So you know" in (c.text or "") or "Para que sepas" in (c.text or "") for c in calls)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("official, channel", [
    ("luis-videgaray", "letter"), ("luis-videgaray", "email"), ("luis-videgaray", "tweet"),
    ("geronimo-gutierrez", "letter"), ("geronimo-gutierrez", "email"), ("geronimo-gutierrez", "call"),
    ("geronimo-gutierrez", "tweet"),
])
async def test_every_channel_in_both_languages(bot, services, lang, official, channel):
    sim, api = bot
    user = sim.user(language_code=lang)
    calls = await complete(user, official, channel, lang, name="Ana", city=None,
                           sentence="Please protect refugees.")
    off = services.catalog.officials[official]
    messages = [c.text for c in sent(calls)]
    prompt = calls[-1]  # the PDF's caption for a letter, else a message of its own (issue 29)
    assert [c.method for c in calls] == (["sendMessage", "sendDocument"] if channel == "letter"
                                             else ["sendMessage", "sendMessage"])
    translation_intro = {"en": "\n\n<i>So you know", "es": "\n\n<i>Para que sepas"}[lang]
    if channel == "letter":
        (document,) = sent(calls, "sendDocument")
        pages = PdfReader(io.BytesIO(document.files["document"][1])).pages
        pdf_text = "".join(page.extract_text() for page in pages)
        assert off.address[2] in pdf_text and off.salutation.get("es") in pdf_text
        assert prompt.text.split("\n\n")[0] == (
            "Your letter as a PDF, ready to print on A4 paper, with room to sign above your name."
            if lang == "en" else
            "Tu carta en PDF, lista para imprimir en papel A4, con espacio para firmar sobre tu nombre.")
    if channel == "email":
        assert off.email in messages[0]
        assert "\n<code>UA 150.18: " in messages[0]  # the subject, with the address
        # the text in the same message, in a block (tap to copy)
        assert messages[0].split("\n<pre>", 1)[1].startswith(off.salutation.get("es"))
        (button,) = [b for c in sent(calls) for b in c.buttons() if "url" in b]
        assert button["url"].startswith("https://mail.google.com/mail/?view=cm&fs=1&to=")
        assert not any(b.get("url", "").startswith("mailto:") for c in calls for b in c.buttons())
    if channel == "call":
        assert f"<code>{off.phone}</code>" in messages[0]
        script = messages[0].split(translation_intro)[0].split("\n\n", 1)[1]
        assert len(script.split()) / 150 * 60 < 45  # under 45 seconds spoken
    if channel == "tweet":
        (tweet,) = [c for c in sent(calls) if c.buttons() and "url" in c.buttons()[0]]
        text = tweet.text.split(translation_intro)[0].split("\n\n", 1)[1]
        assert text.startswith(f"@{off.twitter} ")
        assert tweet_length(text) <= 280
        assert tweet.text.split("\n\n", 1)[0] == (
            f"🐦 <b>Your tweet</b> ({tweet_length(text)}/280 characters):" if lang == "en" else
            f"🐦 <b>Tu tuit</b> ({tweet_length(text)}/280 caracteres):")
        assert tweet.buttons()[0]["url"] == tweet_intent_url(html.unescape(text))
    assert "Please protect refugees." in "\n".join(messages)
    asked = {"letter": ("Did you post the letter?", "¿Enviaste la carta?"),
             "email": ("Did you send the email?", "¿Enviaste el correo?"),
             "call": ("Did you make the call?", "¿Hiciste la llamada?"),
             "tweet": ("Did you post the tweet?", "¿Publicaste el tuit?")}[channel]
    assert prompt.text.split("\n\n")[-1].startswith(asked[lang == "es"])
    assert api.refusals == []


async def test_back_returns_one_step_from_every_step(bot):
    sim, _ = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "letter")
    await user.send("Ana")
    await user.send("Tijuana")
    await user.press("act:lang:es")  # the language, then the sentence
    expected_after_back = [
        "Which language should your appeal to Luis Videgaray be in?",  # from the sentence
        ASK_CITY_EN,  # from the language
        ASK_NAME_EN,  # from city
        "How will you contact <b>Luis Videgaray</b>",  # from name
        "<b>Who will you write to?</b>",  # from channel
        "Cancelled. Nothing you typed has been kept.",  # from the officials: leaves the flow
    ]
    for expected in expected_after_back:
        calls = await user.press("⬅️ Back")
        assert expected in calls[-1].text
    assert FLOW_KEY not in sim.application.user_data[user.id]


@pytest.mark.parametrize("steps", range(0, 6))
async def test_cancel_at_every_step(bot, steps):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    actions = [lambda: user.press("menu:act"), lambda: user.press("act:off:luis-videgaray"),
               lambda: user.press("act:ch:letter"), lambda: user.send("Ana"),
               lambda: user.send("Tijuana"), lambda: user.press("act:lang:es")]
    for action in actions[: steps + 1]:
        await action()
    calls = await user.send("/cancel")
    assert texts_of(calls) == ["Cancelled. Nothing you typed has been kept."]
    assert FLOW_KEY not in sim.application.user_data[user.id]
    # The flow is over: free text is a question again, not a name.
    calls = await user.send("Is Mexico safe for refugees?")
    assert texts_of(calls)[0].startswith("<b>Was Mexico safe")


async def test_the_deadline_day_itself_is_still_in_time(bot, clock):
    clock.now = datetime(2018, 9, 27, 23, tzinfo=UTC).timestamp()
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    calls = await user.press("menu:act")
    assert "<b>Deadline: today</b>, 27 September 2018." in calls[-1].text
    assert "deadline was" not in calls[-1].text
    clock.now = datetime(2018, 9, 26, 12, tzinfo=UTC).timestamp()
    await user.send("/start")
    calls = await user.press("menu:act")
    assert "<b>Deadline:</b> 27 September 2018 (1 day left)." in calls[-1].text


async def test_past_the_deadline_says_so_and_still_lets_you_act(bot, clock):
    clock.now = datetime(2018, 10, 5, 12, tzinfo=UTC).timestamp()  # before the closing update
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    calls = await user.press("menu:act")
    assert ("⚠️ <b>The appeal deadline was 27 September 2018.</b> Before sending, check with the "
            "organizers that it is still useful: uan@aiusa.org.") in calls[-1].text
    calls = await user.press("act:off:geronimo-gutierrez")
    assert calls[-1].button_texts()[0] == "⭐ 📧 Email (recommended)"
    assert "A posted letter may not arrive in time" in calls[-1].text


async def test_report_pressed_twice_counts_once(bot, services):
    sim, _ = bot
    user = sim.user()
    await complete(user, "geronimo-gutierrez", "call", "en")
    message, button = user.find_button("✅ I called and spoke to someone")
    first = await user.press_data(message, button["callback_data"])
    second = await user.press_data(message, button["callback_data"])
    assert first[-1].text.startswith("🙏 Thank you!")
    assert [c.method for c in second] == ["answerCallbackQuery"]
    assert second[0].params["text"] == "This action was already counted. Thank you!"
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert stats.actions == 1 and stats.by_channel["call"] == 1


async def test_no_answer_counts_as_attempted(bot, services):
    sim, _ = bot
    user = sim.user()
    await complete(user, "geronimo-gutierrez", "call", "en")
    await user.press("📞 No answer / voicemail")
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert (stats.actions, stats.attempted) == (0, 1)


async def test_a_group_reports_many_letters(bot, services):
    sim, _ = bot
    user = sim.user(language_code="es")
    await complete(user, "luis-videgaray", "letter", "es")
    calls = await user.press("👥 Enviamos más de una")
    assert calls[-1].text == ("¿Cuántas enviaste (tú, tu grupo o tu clase)? Escribe un número del 1 "
                              "al 500.")
    for bad in ("muchas", "0", "501", "-3"):
        assert texts_of(await user.send(bad)) == ["Escribe un número entero del 1 al 500, por favor."]
    calls = await user.send("25")
    assert texts_of(calls)[0].startswith("🙏 ¡Gracias!")
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert stats.actions == 25


async def test_not_yet_schedules_one_reminder(bot, services):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    calls = await user.press("🕒 Not yet, remind me later")
    assert calls[-1].text == ("OK. I'll remind you once, in 24 hours, unless you report it before. "
                              "Thank you for taking part.")
    # Kept in the store (tests/chat/test_case_updates.py sends it after a restart).
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    assert await services.store.claim_due_reminders(now + timedelta(hours=24, seconds=-1), 10) == []
    (reminder,) = await services.store.claim_due_reminders(now + timedelta(hours=24), 10)
    assert (reminder.chat_id, reminder.campaign_id, reminder.channel) == (user.id, "ua-150-18", "email")


async def test_refused_inputs_get_a_clear_message_and_the_same_question(bot):
    sim, api = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "letter")
    calls = await user.send("x" * 81)
    assert texts_of(calls) == ["That is 81 characters; the limit here is 80. Please shorten it.\n\n"
                               + ASK_NAME_EN]
    calls = await user.send("\u200b\u200f\x00")
    assert texts_of(calls) == ["That looks empty. Please type something, or press Skip.\n\n" + ASK_NAME_EN]
    calls = await user.send("李小龙")
    assert texts_of(calls) == [
        "The letter's PDF cannot show these characters: 小 李 龙. Please type it another way (for "
        "example in Latin letters), or press Skip.\n\n" + ASK_NAME_EN]
    calls = await user.send("Ελένη Мария")  # Greek and Cyrillic are in the font
    assert texts_of(calls) == [ASK_CITY_EN]
    assert api.refusals == []


async def test_over_long_letters_are_split_on_paragraphs(bot, services, tmp_path):
    import shutil

    from bot.appeals.render import AppealRenderer
    from bot.catalog import load_catalog
    from tests.conftest import ROOT

    shutil.copytree(ROOT / "content", tmp_path / "content")
    template = tmp_path / "content/templates/letter.es.j2"
    padding = "\n\n".join(f"Párrafo {n}: " + "texto de relleno " * 20 for n in range(10))
    template.write_text(template.read_text().replace("Agradezco su atención.", padding))
    services.appeals = AppealRenderer(load_catalog(tmp_path / "content", ROOT / "seeds"))
    sim, api = bot
    user = sim.user(language_code="es")
    calls = await complete(user, "luis-videgaray", "letter", "es")
    letter_parts = [c.text for c in sent(calls)]  # the report prompt is the PDF's caption
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage", "sendMessage", "sendDocument"]
    assert len(letter_parts) == 2
    assert all(len(part) <= 4096 for part in letter_parts)
    assert letter_parts[0].endswith("texto de relleno")  # cut between paragraphs
    assert letter_parts[1].startswith("Párrafo")
    assert api.refusals == []


async def test_a_restart_keeps_the_flow_but_not_what_was_typed(services, settings):
    """The name typed before a restart was never on disk: the flow goes on, and
    at the very next answer asks for it again instead of signing the appeal
    with nothing."""
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    await walk_to_name(user, "luis-videgaray", "email")
    await user.send("Anaïs Quetzalrestart")
    database = settings.database_path
    on_disk = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert b"Quetzalrestart" not in on_disk  # the file, its -wal and -shm
    await stop_bot(application)

    application, api = await start_bot(services)  # a new process on the same database file
    user = Simulator(application, api, clock=services.clock).user()
    # Said at the first answer after the restart, not three steps later at delivery.
    calls = await user.send("Tijuana")
    assert texts_of(calls) == [
        "The bot restarted while you were writing. What you typed is never saved to disk, so it is gone: "
        "please type it again.\n\n" + ASK_NAME_EN]
    await user.send("Anaïs")
    await user.send("Tijuana")
    calls = await choose(user, "es")
    assert "Atentamente,\nAnaïs\nTijuana" in "\n".join(texts_of(calls))
    await stop_bot(application)


@pytest.mark.parametrize("official, channel", [("luis-videgaray", "email"), ("geronimo-gutierrez", "call"),
                                               ("luis-videgaray", "letter")])
async def test_each_sender_says_exactly_what_it_sends_then_the_translation(bot, services, official, channel):
    """The sender's intro names the official, the language and the measure; the
    link and PDF carry the appeal as rendered; back to back; the translation
    is the whole appeal (an email's subject too) in the supporter's language."""
    sim, api = bot
    user = sim.user()
    calls = await complete(user, official, channel, "en", name="Ana", city="Tijuana", sentence="Gracias.")
    off, case = services.catalog.officials[official], services.catalog.campaigns["ua-150-18"]
    details = SupporterDetails("Ana", "Tijuana", "Gracias.")
    appeal = services.appeals.render(case, off, channel, "es", details, services.today())
    english = services.appeals.render(case, off, channel, "en", details, services.today())
    messages = [c.text for c in sent(calls)]
    intro = {"call": "<i>So you know what you will say, here it is in English:</i>"}.get(
        channel, "<i>So you know what you are signing, here it is in English:</i>")
    translation = intro + "\n\n" + html.escape(
        f"{english.subject}\n\n{english.body}" if english.subject else english.body, quote=False).strip()
    # One message, the translation after the appeal (it fits), then the report prompt (issue 29).
    (appeal_message,) = messages[:-1] if channel != "letter" else messages
    assert appeal_message.endswith("\n\n" + translation)
    messages[0] = appeal_message.removesuffix("\n\n" + translation)
    assert services.sleep == []  # the appeal, then its report prompt (or PDF), back to back (the budget)
    if channel == "email":
        assert messages[0] == (f"📧 <b>Your email</b> (Spanish). Send it to:\n<code>{off.email}</code>\n\n"
                               f"Subject:\n<code>{html.escape(appeal.subject, quote=False)}</code>\n\n"
                               "Text, to copy:\n<pre>" + html.escape(appeal.body, quote=False).strip()
                               + "</pre>")
        (button,) = [b for c in sent(calls) for b in c.buttons() if "url" in b]
        assert button["url"] == email_compose_url(off.email, appeal.subject, appeal.body)
    if channel == "call":
        seconds = round(speaking_seconds(appeal.body) / 5) * 5
        # the embassy's switchboard, not the ambassador's own line
        assert messages[0].split("\n\n")[0] == (
            f"📞 <b>Call {off.organisation.en}</b>: <code>{off.phone}</code>, and ask to leave a message for "
            f"{off.name}.\nA script in Spanish (about {seconds} seconds):")
        script = html.escape(appeal.body, quote=False).strip()
        assert messages[0] == messages[0].split("\n\n")[0] + "\n\n" + script
    if channel == "letter":
        (document,) = sent(calls, "sendDocument")
        assert PdfReader(io.BytesIO(document.files["document"][1])).metadata.title == off.name


async def test_an_appeal_made_long_by_escaping_goes_in_pieces(bot):
    """Each "&" typed becomes "&amp;": an appeal under Telegram's 4,096 characters
    can pass them once escaped, and is then sent in pieces."""
    sim, api = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "email")
    for limit in (80, 80):
        await user.send("&" * limit)
    calls = await choose(user, "es", "&" * 500)
    texts = texts_of(calls)
    assert api.refusals == [] and not any("Sorry, something went wrong" in t for t in texts)
    assert all(len(t) <= 4096 for t in texts)
    holding = [t for t in texts if "&amp;" * 80 in t]
    assert len(holding) >= 3  # the appeal in two pieces at least, and its translation


async def test_after_a_restart_skip_too_asks_again_for_what_was_lost(services, settings):
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    await walk_to_name(user, "luis-videgaray", "email")
    await user.send("Anaïs")
    await stop_bot(application)
    application, api = await start_bot(services)
    user = Simulator(application, api, clock=services.clock).user()
    calls = await user.press_data({"message_id": 1, "date": 0, "chat": user.chat}, "act:skip")  # no city
    assert texts_of(calls)[-1] == (
        "The bot restarted while you were writing. What you typed is never saved to disk, so it is gone: "
        "please type it again.\n\n" + ASK_NAME_EN)
    await stop_bot(application)
