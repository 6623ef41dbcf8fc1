"""Fewer messages per appeal (issue 29), end to end through the Application.

Telegram takes about one message a second to one chat (a few at once,
then one a second: the chat's budget in the outbox), so every message saved
is budget kept for the next tap, and a second less when it is spent. Every
channel is now two messages: the appeal (with its link, and with its
translation when it fits), then the report prompt, which for a letter is the
caption of the PDF, under which its buttons sit. Here: the exact Bot API
calls for each channel in English and Spanish; every later edit of a prompt
that is a caption (each button, a press delivered again, the reminder, the
buttons that lead elsewhere, /forget); and the edge where the caption would
pass Telegram's 1,024 characters and the prompt comes on its own again.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.appeals.render import (
    SupporterDetails,
    email_compose_url,
    speaking_seconds,
    tweet_intent_url,
    tweet_length,
)
from bot.catalog.i18n import Texts
from bot.core.telegram_html import escape, visible_length
from tests.chat.test_case_updates import run_sweep
from tests.chat.test_take_action import walk_to_name

CASE = "ua-150-18"
TYPED = {"name": "Ana & Co", "city": "Tijuana <MX>", "sentence": "Protect refugees & <b>asylum</b>."}
WORDS = {
    "en": {
        "letter": "✉️ <b>Your letter to {name}</b> ({language}). Print it, sign it and post it to the "
                  "address at the top:",
        "pdf": "Your letter as a PDF, ready to print on A4 paper, with room to sign above your name.",
        "other_paper": "📄 The same letter on US Letter paper",
        "email": "📧 <b>Your email</b> ({language}). Send it to:\n<code>{email}</code>\n\nSubject:\n"
                 "<code>{subject}</code>\n\nText, to copy:",
        "gmail": "📧 Open in Gmail",
        "call": "📞 <b>Call {organisation}</b>: <code>{phone}</code>, and ask to leave a message for "
                "{name}.\nA script in {language} (about {seconds} seconds):",
        "tweet": "🐦 <b>Your tweet</b> ({length}/280 characters):",
        "post": "🐦 Post on X / Twitter",
        "language": "English",
        "prompt": {"letter": "Did you post the letter?", "email": "Did you send the email?",
                   "call": "Did you make the call?", "tweet": "Did you post the tweet?"},
        "prompt_rest": " Let us know, so the Urgent Action network can count the actions on UA 150.18.",
        "done": {"letter": "✅ I posted the letter", "email": "✅ I sent the email",
                 "call": "✅ I called and spoke to someone", "tweet": "✅ I posted the tweet"},
        "more": "👥 We sent more than one", "attempted": "📞 No answer / voicemail",
        "later": "🕒 Not yet, remind me later",
    },
    "es": {
        "letter": "✉️ <b>Tu carta a {name}</b> ({language}). Imprímela, fírmala y envíala a la dirección que "
                  "aparece arriba:",
        "pdf": "Tu carta en PDF, lista para imprimir en papel A4, con espacio para firmar sobre tu nombre.",
        "other_paper": "📄 La misma carta en papel tamaño carta",
        "email": "📧 <b>Tu correo</b> ({language}). Envíalo a:\n<code>{email}</code>\n\nAsunto:\n"
                 "<code>{subject}</code>\n\nTexto, para copiar:",
        "gmail": "📧 Abrir en Gmail",
        "call": "📞 <b>Llama al número de {organisation}</b>: <code>{phone}</code>, y pide dejar un mensaje "
                "para {name}.\nUn guion en {language} (unos {seconds} segundos):",
        "tweet": "🐦 <b>Tu tuit</b> ({length}/280 caracteres):",
        "post": "🐦 Publicar en X / Twitter",
        "language": "español",
        "prompt": {"letter": "¿Enviaste la carta?", "email": "¿Enviaste el correo?",
                   "call": "¿Hiciste la llamada?", "tweet": "¿Publicaste el tuit?"},
        "prompt_rest": " Avísanos, para que la red de Acciones Urgentes pueda contar las acciones de la "
                       "UA 150.18.",
        "done": {"letter": "✅ Envié la carta", "email": "✅ Envié el correo",
                 "call": "✅ Llamé y hablé con alguien", "tweet": "✅ Publiqué el tuit"},
        "more": "👥 Enviamos más de una", "attempted": "📞 No contestaron / buzón de voz",
        "later": "🕒 Todavía no, recuérdamelo",
    },
}
# Each channel with an official it reaches (only the ambassador has a phone number).
CHANNELS = [("letter", "luis-videgaray"), ("email", "luis-videgaray"), ("call", "geronimo-gutierrez"),
            ("tweet", "luis-videgaray")]
PAPER_BUTTON = re.compile(r"act:paper:Letter:[0-9a-f]{16}")


def markup_of(call) -> list[list[dict]] | None:
    markup = call.params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    return None if markup is None else markup["inline_keyboard"]


def report_rows(lang: str, channel: str, official: str) -> list[list[dict]]:
    words = WORDS[lang]
    second = ("a", words["attempted"]) if channel == "call" else ("m", words["more"])
    return [[{"text": text, "callback_data": f"rep:{code}:{CASE}:{official}:{channel}:{lang}"}]
            for code, text in (("d", words["done"][channel]), second, ("l", words["later"]))]


async def deliver(user, lang: str, channel: str, official: str, services):
    """The flow with TYPED answers, the appeal in the supporter's own language;
    the calls that deliver it."""
    await walk_to_name(user, official, channel, lang)
    if channel != "tweet":
        await user.send(TYPED["name"])
        await user.send(TYPED["city"])
    if services.catalog.officials[official].language != lang:
        await user.press(f"act:lang:{lang}")
    return await user.send(TYPED["sentence"])


def expected_appeal(services, lang: str, channel: str, official: str) -> tuple[str, list | None]:
    """The appeal's message, written out from the rendered appeal and the words above."""
    off, words = services.catalog.officials[official], WORDS[lang]
    typed = TYPED if channel != "tweet" else {**TYPED, "name": "", "city": ""}
    appeal = services.appeals.render(services.catalog.campaigns[CASE], off, channel, lang,
                                     SupporterDetails(**typed), services.today())
    body = escape(appeal.body.strip())
    if channel == "letter":
        return words["letter"].format(name=off.name, language=words["language"]) + "\n\n" + body, None
    if channel == "email":
        head = words["email"].format(language=words["language"], email=off.email,
                                     subject=escape(appeal.subject))
        link = email_compose_url(off.email, appeal.subject, appeal.body)
        return head + "\n<pre>" + body + "</pre>", [[{"text": words["gmail"], "url": link}]]
    if channel == "call":
        seconds = round(speaking_seconds(appeal.body) / 5) * 5
        head = words["call"].format(organisation=off.organisation.get(lang), phone=off.phone, name=off.name,
                                    language=words["language"], seconds=seconds)
        return head + "\n\n" + body, None
    text = appeal.body.strip()
    return (words["tweet"].format(length=tweet_length(text)) + "\n\n" + body,
            [[{"text": words["post"], "url": tweet_intent_url(text)}]])


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("channel, official", CHANNELS)
async def test_every_channel_is_two_messages_the_report_prompt_last(bot, services, lang, channel, official):
    sim, api = bot
    user = sim.user(language_code=lang)
    calls = await deliver(user, lang, channel, official, services)
    words = WORDS[lang]
    text, markup = expected_appeal(services, lang, channel, official)
    prompt = words["prompt"][channel] + words["prompt_rest"]
    rows = report_rows(lang, channel, official)
    appeal, last = calls
    assert (appeal.method, appeal.params["text"], markup_of(appeal)) == ("sendMessage", text, markup)
    if channel == "letter":  # the PDF carries the prompt: its text in the caption, its buttons first
        assert last.method == "sendDocument"
        assert last.params["caption"] == words["pdf"] + "\n\n" + prompt
        *report, paper = markup_of(last)
        assert report == rows
        assert [b["text"] for b in paper] == [words["other_paper"]]
        assert PAPER_BUTTON.fullmatch(paper[0]["callback_data"])
    else:
        assert (last.method, last.params["text"], markup_of(last)) == ("sendMessage", prompt, rows)
    # No pause (issue 29): the two messages go back to back, within the chat's budget (three at once)
    assert services.sleep == []
    assert TYPED["sentence"] not in appeal.params["text"]  # what was typed goes in escaped
    assert escape(TYPED["sentence"]) in appeal.params["text"]
    assert api.refusals == []


async def letter_delivered(bot, services, lang: str = "en"):
    """A letter in the supporter's language: (user, api, the PDF's message as delivered)."""
    sim, api = bot
    user = sim.user(language_code=lang)
    calls = await deliver(user, lang, "letter", "luis-videgaray", services)
    return user, api, json.loads(json.dumps(api.messages[(user.id, calls[-1].result["message_id"])]))


def after_buttons(lang: str, sent: bool) -> list[str]:
    en = ["🔔 Follow this case for updates", "🔔 Tell me about new cases", "✍️ Take another action",
          "📬 An official replied", "⚠️ A contact didn't work", "📚 Learn", "🏠 Menu"]
    es = ["🔔 Seguir este caso", "🔔 Avísame de casos nuevos", "✍️ Otra acción", "📬 Un funcionario respondió",
          "⚠️ Un contacto no funcionó", "📚 Infórmate", "🏠 Menú"]
    shown = en if lang == "en" else es
    return [b for b in shown if sent or b not in ("📬 An official replied", "📬 Un funcionario respondió")]


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_not_yet_on_the_pdf_edits_its_caption_and_keeps_the_other_paper(bot, services, lang):
    user, api, pdf = await letter_delivered(bot, services, lang)
    calls = await user.press(WORDS[lang]["later"])
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageCaption"]
    edit = calls[-1]
    assert edit.params["message_id"] == pdf["message_id"]
    assert edit.params["caption"] == (
        "OK. I'll remind you once, in 24 hours, unless you report it before. Thank you for taking part."
        if lang == "en" else
        "De acuerdo. Te lo recordaré una vez, en 24 horas, salvo que lo reportes antes. Gracias por "
        "participar.")
    assert edit.button_texts() == [*after_buttons(lang, sent=False), WORDS[lang]["other_paper"]]
    assert "document" in api.messages[(user.id, pdf["message_id"])]  # still the PDF

    # Follow takes its own button off the PDF (a keyboard edit works on any message).
    calls = await user.press("🔔 Follow this case for updates" if lang == "en" else "🔔 Seguir este caso")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert calls[-1].button_texts()[-1] == WORDS[lang]["other_paper"]

    # A button under the PDF that leads elsewhere answers in a new message; the PDF stays as it is.
    calls = await user.press("✍️ Take another action" if lang == "en" else "✍️ Otra acción")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    asked = {"en": "<b>Who will you write to?</b>", "es": "<b>¿A quién vas a escribir?</b>"}[lang]
    assert calls[-1].text.endswith(asked)
    # The other paper, still on offer after "Not yet": a PDF of its own, without the prompt.
    calls = await user.press(WORDS[lang]["other_paper"])
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendDocument"]
    assert calls[-1].params["caption"] == WORDS[lang]["pdf"].replace("A4", "US Letter" if lang == "en"
                                                                      else "tamaño carta")
    assert calls[-1].buttons() == []
    assert api.refusals == []


async def test_we_sent_more_on_the_pdf_asks_in_the_caption_then_thanks_anew(bot, services):
    user, api, pdf = await letter_delivered(bot, services)
    calls = await user.press("👥 We sent more than one")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageCaption"]
    assert calls[-1].params["caption"] == ("How many did you (or your group or class) send? Type a number "
                                           "from 1 to 500.")
    assert calls[-1].button_texts() == ["📄 The same letter on US Letter paper"]
    calls = await user.send("3")
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[-1].text.startswith("🙏 Thank you! Your action is counted.")
    stats = await services.store.campaign_stats(CASE, today=services.today())
    assert stats.actions == 3
    assert api.refusals == []


async def test_a_press_on_the_pdf_delivered_again_after_a_crash_changes_nothing(bot, services):
    """The same press again (Telegram re-sends what the bot had not confirmed):
    "Not yet" edits the caption into what it already says (Telegram: not
    modified), which is no error; "Sent" counts once."""
    user, api, pdf = await letter_delivered(bot, services)
    buttons = [b for row in pdf["reply_markup"]["inline_keyboard"] for b in row]
    later = next(b for b in buttons if b["text"].startswith("🕒"))
    as_pressed = pdf  # the message as it was when pressed, every time
    await user.press_data(as_pressed, later["callback_data"])
    calls = await user.press_data(as_pressed, later["callback_data"])
    assert [(c.method, c.ok) for c in calls] == [("answerCallbackQuery", True), ("editMessageCaption", False)]
    assert calls[-1].result["description"] == "Bad Request: message is not modified"
    assert not any("Sorry" in (c.text or "") for c in calls)  # no apology: nothing went wrong

    sent = next(b for b in buttons if b["text"].startswith("✅"))
    first = await user.press_data(as_pressed, sent["callback_data"])
    again = await user.press_data(as_pressed, sent["callback_data"])
    assert [c.method for c in first] == ["answerCallbackQuery", "editMessageCaption"]
    assert [(c.method, c.params.get("text")) for c in again] == [
        ("answerCallbackQuery", "This action was already counted. Thank you!")]
    assert (await services.store.campaign_stats(CASE, today=services.today())).actions == 1


async def test_the_reminder_after_not_yet_on_the_pdf_is_a_message_of_its_own(bot, services, clock):
    sim, api = bot
    user, _, pdf = await letter_delivered(bot, services)
    await user.press("🕒 Not yet, remind me later")
    clock.advance(24 * 3600)
    api.take_calls()
    await run_sweep(sim.application)
    (reminder,) = [c for c in api.take_calls() if c.method == "sendMessage"]
    assert reminder.text == "⏰ Reminder: you prepared an appeal for UA 150.18. Did you send it?"
    calls = await user.press("✅ I posted the letter")  # the reminder's, the newest
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert calls[-1].params["message_id"] == reminder.result["message_id"]
    assert calls[-1].text.startswith("🙏 Thank you!")
    assert api.refusals == []


async def test_forget_after_the_letter_then_sent_on_the_pdf(bot, services):
    """/forget takes the person's data, not the PDF in their chat: "Sent" on it
    still counts (as a new supporter) and edits the caption."""
    user, api, pdf = await letter_delivered(bot, services)
    await user.send("/forget")
    await user.press("forget:yes")
    calls = await user.press("✅ I posted the letter")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageCaption"]
    assert calls[-1].params["message_id"] == pdf["message_id"]
    assert calls[-1].text.startswith("🙏 Thank you! Your action is counted.")
    assert api.refusals == []


async def test_forget_in_the_middle_of_a_letter_leaves_no_prompt_behind(bot, services):
    sim, api = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "letter")
    await user.send("Ana")
    await user.send("/forget")
    await user.press("forget:yes")
    calls = await user.send("Tijuana")  # the flow is gone: this is a question now, not a city
    assert not any(c.method == "sendDocument" for c in calls)
    assert not any("Did you post the letter?" in (c.text or "") for c in calls)


def _texts_with(services, lang: str, **changed: str) -> Texts:
    strings = {language: dict(table) for language, table in services.catalog.strings.items()}
    strings[lang].update(changed)
    return Texts(strings)


def _padded_prompt(services, visible: int) -> str:
    """report.prompt.letter padded so that the PDF's caption is `visible`
    characters long after entities: 200 "&amp;" (one character each after
    entities, five before), then letters."""
    base = services.catalog.strings["en"]["report.prompt.letter"]
    caption = WORDS["en"]["pdf"] + "\n\n" + base.format(reference="UA 150.18")
    return base + " " + "&amp;" * 200 + "x" * (visible - visible_length(caption) - 201)


@pytest.mark.parametrize("visible, carried", [(1024, True), (1025, False)])
async def test_a_caption_over_1024_characters_leaves_the_prompt_on_its_own(bot, services, visible, carried):
    """At 1,024 characters after entities (1,824 before) the PDF carries
    the prompt; one more and Telegram would refuse the caption, so the PDF
    goes with its own line and the prompt follows it (a third message, still
    within the chat's budget)."""
    prompt = _padded_prompt(services, visible)
    services.texts = _texts_with(services, "en", **{"report.prompt.letter": prompt})
    sim, api = bot
    user = sim.user()
    calls = await deliver(user, "en", "letter", "luis-videgaray", services)
    full = prompt.format(reference="UA 150.18")
    if carried:
        assert [c.method for c in calls] == ["sendMessage", "sendDocument"]
        assert calls[-1].params["caption"] == WORDS["en"]["pdf"] + "\n\n" + full
        assert visible_length(calls[-1].params["caption"]) == 1024 < len(calls[-1].params["caption"])
        assert services.sleep == []
    else:
        assert [c.method for c in calls] == ["sendMessage", "sendDocument", "sendMessage"]
        assert calls[1].params["caption"] == WORDS["en"]["pdf"]
        assert calls[1].button_texts() == ["📄 The same letter on US Letter paper"]
        assert (calls[2].params["text"], markup_of(calls[2])) == (full, report_rows("en", "letter",
                                                                                     "luis-videgaray"))
        assert services.sleep == []  # three messages: still the chat's budget, no pause
    assert api.refusals == []


async def test_the_in_memory_api_refuses_a_caption_of_1025_characters(bot):
    """What the fallback above is for: Telegram's limit, after entities."""
    _, api = bot
    ok = api.answer("sendDocument", {"chat_id": 1, "caption": "&amp;" * 1024, "parse_mode": "HTML"},
                    {"document": ("a.pdf", b"%PDF", "application/pdf")})
    refused = api.answer("sendDocument", {"chat_id": 1, "caption": "x" * 1025, "parse_mode": "HTML"},
                         {"document": ("a.pdf", b"%PDF", "application/pdf")})
    assert (ok[0], refused[0]) == (200, 400)
    assert b"caption is too long" in refused[1]


async def test_an_answer_too_long_for_the_caption_comes_anew_and_the_buttons_leave_the_pdf(bot, services):
    thanks = "🙏 " + "x" * 1100 + " {reference}"
    services.texts = _texts_with(services, "en", **{"report.thanks_first": thanks})
    user, api, pdf = await letter_delivered(bot, services)
    calls = await user.press("✅ I posted the letter")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"]
    assert calls[1].params["message_id"] == pdf["message_id"]
    assert calls[1].button_texts() == ["📄 The same letter on US Letter paper"]  # the report buttons are gone
    assert calls[2].text == thanks.format(reference="UA 150.18")
    assert calls[2].button_texts() == after_buttons("en", sent=True)
    assert api.refusals == []


async def test_the_pdf_on_a_closed_case_says_so_and_keeps_its_caption(bot, services, clock):
    user, api, pdf = await letter_delivered(bot, services)
    clock.now = datetime(2026, 11, 23, 12, tzinfo=UTC).timestamp()  # long after the case closed
    calls = await user.press("✅ I posted the letter")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params["show_alert"] is True
    assert (await services.store.campaign_stats(CASE, today=services.today())).actions == 0


async def test_a_translation_too_long_to_join_the_appeal_follows_it(bot, services):
    """English reader, Spanish email: with the longest typed answers (every "&"
    escaped five times over) the appeal and its translation no longer fit one
    message, so the translation comes on its own, still before the prompt."""
    sim, api = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "email")
    await user.send("&" * 80)
    await user.send("&" * 80)
    await user.press("act:lang:es")
    calls = await user.send("&" * 400)
    texts = [c.text for c in calls]
    assert [c.method for c in calls] == ["sendMessage"] * len(calls) and len(calls) >= 3
    assert texts[-1] == ("Did you send the email? Let us know, so the Urgent Action network can count the "
                         "actions on UA 150.18.")
    assert texts[-2].startswith("<i>So you know what you are signing, here it is in English:</i>")
    assert all(len(t) <= 4096 for t in texts)
    assert api.refusals == []


async def test_the_pdf_is_rendered_during_the_pause_before_it(services, monkeypatch):
    """The letter's PDF is made from the moment it is queued: when the
    chat's budget is spent (two messages just sent) and the outbox waits the
    second before it, the rendering (0.6 s on a busy machine) happens during
    that wait, not after it."""
    from telegram import Update

    from bot.bot_api.simulator import Simulator
    from bot.bot_api.transport import InMemoryBotAPI
    from bot.chat import letter_paper
    from bot.chat.app import build_application
    from tests.chat.test_paced_delivery import Gate, at_the_sentence, press_payload, to_chat, until

    rendered = []
    real = letter_paper.render_letter_pdf
    monkeypatch.setattr(letter_paper, "render_letter_pdf", lambda *args: rendered.append(args) or real(*args))
    api = InMemoryBotAPI(clock=services.clock)
    application = build_application(services, request=api)
    sim = Simulator(application, api, clock=services.clock)
    user = sim.user()
    async with application:
        await application.start()
        await at_the_sentence(sim, user, "letter")
        outbox = application.bot_data["outbox"]
        outbox.spent(user.id)
        outbox.spent(user.id)
        gate = Gate()
        services.sleep = gate
        delivering = Update.de_json(press_payload(sim, user, "act:skip"), application.bot)
        application.update_queue.put_nowait(delivering)
        await until(lambda: gate.pauses and rendered)  # the letter's text sent, the PDF made, the pause held
        assert [c.method for c in to_chat(api, user.id)][-1] == "sendMessage"
        assert not gate.opened.is_set()
        gate.opened.set()
        await application.update_queue.join()
        await application.stop()
    assert to_chat(api, user.id)[-1].method == "sendDocument"
    assert len(rendered) == 1


async def test_forget_drops_the_letter_kept_for_the_other_paper(bot, services):
    """The PDF stays in the chat after /forget (it carries the prompt): its
    other-paper button must not bring back the letter with what was typed."""
    user, api, pdf = await letter_delivered(bot, services)
    await user.send("/forget")
    await user.press("forget:yes")
    calls = await user.press("📄 The same letter on US Letter paper")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[-1].text.startswith("That letter is no longer kept")
