"""End-to-end: reports from every channel, /stats for organizers only,
/problems, /mydata and /forget in both languages."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.bot_api.simulator import Simulator
from tests.chat.test_feedback_steps import report_a_bounced_email
from tests.chat.test_take_action import complete
from tests.conftest import ORGANIZER_ID, texts_of

DONE_BUTTON = {"letter": "✅ I posted the letter", "email": "✅ I sent the email",
               "call": "✅ I called and spoke to someone", "tweet": "✅ I posted the tweet"}


@pytest.mark.parametrize("official, channel", [("luis-videgaray", "letter"), ("luis-videgaray", "email"),
                                               ("geronimo-gutierrez", "call"), ("luis-videgaray", "tweet")])
async def test_reporting_each_channel(bot, services, official, channel):
    sim, _ = bot
    user = sim.user()
    await complete(user, official, channel, "en")
    await user.press(DONE_BUTTON[channel])
    rows = [r async for r in services.store.export_actions()]
    assert [(r.campaign_id, r.official_id, r.channel, r.count, r.status, r.language) for r in rows] == [
        ("ua-150-18", official, channel, 1, "done", "es")]
    assert rows[0].supporter == services.supporter(user.id) and str(user.id) not in rows[0].supporter


async def test_running_total_counts_people(bot):
    sim, _ = bot
    for n in range(3):
        user = sim.user(user_id=100 + n)
        await complete(user, "luis-videgaray", "email", "en")
        calls = await user.press(DONE_BUTTON["email"])
    assert calls[-1].text == ("🙏 Thank you! Your action is counted. You are one of 3 people who have "
                              "reported acting on UA 150.18 through this bot.")


async def test_stats_for_organizers_and_refusal_for_others(bot):
    sim, api = bot
    supporter = sim.user(user_id=5)
    await complete(supporter, "geronimo-gutierrez", "call", "en")
    await supporter.press(DONE_BUTTON["call"])
    assert texts_of(await supporter.send("/stats")) == ["This command is for organizers."]
    assert texts_of(await supporter.send("/problems")) == ["This command is for organizers."]
    await supporter.send("/signup")
    await supporter.press("sig:r:americas")

    calls = await sim.user(user_id=ORGANIZER_ID).send("/stats ua-150-18")
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]
    assert calls[0].text == ("<b>Actions: UA 150.18</b>\nDone: <b>1</b> · calls attempted: 0\n"
                             "Unique supporters: 1\nLast 7 days: 1\nOpen contact problems: 0\n"
                             "Refused by the daily limits: 0\n\n"
                             "<b>By channel</b>\n• call: 1\n\n<b>By official</b>\n• Gerónimo Gutiérrez: 1\n\n"
                             "<i>Unique supporters: each person counts once per case, however often they "
                             "report. Someone who deletes their data (/forget) counts again if they report "
                             "again on a later day: nothing links them to who they were.</i>\n\n"
                             "<b>Signed up for new cases:</b> 1\n• all new cases: 0\n• Safe third country: "
                             "the US–Mexico talks and US asylum policy: 0\n• Africa: 0\n• Americas: 1\n"
                             "• Asia and the Pacific: 0\n• Europe and Central Asia: 0\n"
                             "• Middle East and North Africa: 0")
    filename, png, _ = calls[1].files["photo"]
    assert png.startswith(b"\x89PNG") and filename == "stats.png"
    assert api.refusals == []


async def test_contact_problems_reach_the_review_list(bot, services, far_from_utc):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    await user.press(DONE_BUTTON["email"])
    await user.press("⚠️ A contact didn't work")
    await user.press("Luis Videgaray (UA 150.18)")
    await user.press("Email")
    calls = await user.press("The email bounced")
    assert calls[-1].text == "Thank you! The organizers will review it."
    assert "✍️ Take action" in calls[-1].button_texts()  # and the menu
    (item,) = await services.store.list_problems()
    assert item.created_at == datetime.fromtimestamp(services.clock(), tz=UTC)
    mine = await services.store.supporter_data(services.supporter(user.id), user.id)
    assert [problem.id for problem in mine.problems] == [item.id]  # /mydata shows it, /forget finds it
    assert await counted_today(services, user.id, "problems") == 1
    organizer = sim.user(user_id=ORGANIZER_ID)
    (listing,) = await organizer.send("/problems")
    assert listing.text.startswith(
        "<b>To review</b> (newest first):\n\n#1 UA 150.18 · bounced · Luis Videgaray · email")
    calls = await organizer.press(listing.button_texts()[0])
    assert calls[0].params["text"] == "Marked as reviewed."
    assert texts_of(await organizer.send("/problems")) == ["Nothing to review."]


async def test_an_official_reply_is_recorded(bot, services, far_from_utc):
    sim, _ = bot
    user = sim.user(language_code="es")
    await complete(user, "geronimo-gutierrez", "email", "es")
    await user.press("✅ Envié el correo")
    await user.press("📬 Un funcionario respondió")
    await user.press("Gerónimo Gutiérrez (UA 150.18)")
    for refused, why in (("x" * 501, "Tiene 501 caracteres; aquí el límite es 500. Acórtalo, por favor."),
                         ("\u200b", "Parece vacío. Escribe algo o pulsa Omitir.")):
        assert texts_of(await user.send(refused)) == [why]  # and the summary is asked again
    calls = await user.send("Respondió que <b>lo revisarán</b>")
    assert texts_of(calls) == ["¡Gracias! Las personas organizadoras lo revisarán."]
    assert "✍️ Actúa" in calls[-1].button_texts()  # and the menu
    (item,) = await services.store.list_problems()
    assert (item.kind, item.text) == ("reply", "Respondió que <b>lo revisarán</b>")
    assert item.created_at == datetime.fromtimestamp(services.clock(), tz=UTC)
    mine = await services.store.supporter_data(services.supporter(user.id), user.id)
    assert [reply.id for reply in mine.replies] == [item.id]  # /mydata shows it, /forget finds it
    assert await counted_today(services, user.id, "replies") == 1
    # Another supporter's reply is another reply, not a repeat of this one (with messages of the
    # same number too: test_two_chats_reporting_alike_in_messages_of_the_same_number_are_two_reports).
    other = sim.user(user_id=user.id + 1, language_code="es")
    await complete(other, "geronimo-gutierrez", "email", "es")
    await other.press("✅ Envié el correo")
    await other.press("📬 Un funcionario respondió")
    await other.press("Gerónimo Gutiérrez (UA 150.18)")
    for refused in ("x" * 501, "\u200b"):
        await other.send(refused)
    assert texts_of(await other.send("Respondió que sí")) == [
        "¡Gracias! Las personas organizadoras lo revisarán."]
    assert len(await services.store.list_problems()) == 2


async def counted_today(services, user_id: int, kind: str) -> int:
    """What the daily limits counted today under this supporter's own limiter key."""
    rows = await services.store._db.execute_fetchall(
        f"SELECT {kind} FROM daily_limits WHERE limiter = ?", (services.limits(user_id).limiter,))
    return sum(row[0] for row in rows)


@pytest.mark.parametrize("lang, expected", [
    ("en", ("<b>What this bot keeps about you</b>", "Actions you reported (1):",
            "· Luis Videgaray · email ×1",
            "🗑 Yes, delete my data", "Done. Everything kept about you has been deleted.")),
    ("es", ("<b>Lo que este bot guarda sobre ti</b>", "Acciones que reportaste (1):",
            "· Luis Videgaray · email ×1", "🗑 Sí, borrar mis datos", "Listo. Se borró todo")),
])
async def test_mydata_and_forget(bot, services, settings, lang, expected):
    heading, count_line, action_line, confirm, done = expected
    sim, _ = bot
    user = sim.user(language_code=lang)
    await complete(user, "luis-videgaray", "email", lang)
    await user.press(DONE_BUTTON["email"] if lang == "en" else "✅ Envié el correo")
    await services.store.subscribe(user.id, "ua-150-18", services.recipient(user.id), lang)

    (mine,) = await user.send("/mydata")
    assert mine.text.startswith(heading)
    assert count_line in mine.text and action_line in mine.text and "ua-150-18" in mine.text

    await user.send("/forget")
    calls = await user.press(confirm)
    assert calls[-1].text.startswith(done)
    key = services.supporter(user.id)
    database = sqlite3.connect(settings.database_path)
    for (table,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in database.execute(f"SELECT * FROM {table}"):
            assert key not in map(str, row), table
            assert str(user.id) not in map(str, row), table
    stats = await services.store.campaign_stats("ua-150-18", today=services.today())
    assert stats.actions == 1  # still counted, anonymously
    (after,) = await user.send("/mydata")
    assert "(0)" in after.text


async def test_two_chats_reporting_alike_in_messages_of_the_same_number_are_two_reports(bot, services):
    """Telegram numbers messages per chat, so two supporters' replies and
    problems can come in messages with the same number: each is its own
    report (the key that stops a repeat names the chat too)."""
    sim, api = bot
    per_chat: dict[int, itertools.count] = {}
    alike = Simulator(sim.application, api, clock=services.clock,  # users' messages numbered per chat
                      message_ids=lambda chat: next(per_chat.setdefault(chat, itertools.count(500))))
    for user_id in (61, 62):
        user = alike.user(user_id=user_id)
        await complete(user, "luis-videgaray", "email", "en")
        await user.press(DONE_BUTTON["email"])
        await user.press("📬 An official replied")
        await user.press("Luis Videgaray (UA 150.18)")
        assert texts_of(await user.send("They wrote back")) == ["Thank you! The organizers will review it."]
        calls = await report_a_bounced_email(user)
        assert calls[-1].text == "Thank you! The organizers will review it."
    items = await services.store.list_problems()
    assert sorted(i.kind for i in items) == ["problem", "problem", "reply", "reply"]
