"""The rough edges a new supporter met, each through the real Application:
/help and /cancel, the language switch, the tweet's real limit, what the
city is for, and wording that fits the channel and the number."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.chat.test_take_action import channel_button, complete, walk_to_name
from tests.conftest import ORGANIZER_ID, texts_of


def answered(calls) -> list[str]:
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


async def test_help_and_cancel_answer_outside_any_flow(bot):
    sim, _ = bot
    user = sim.user()
    (help_,) = texts_of(await user.send("/help"))
    assert help_.startswith("<b>What this bot does</b>") and "/cancel leave what you are doing" in help_
    (nothing,) = await user.send("/cancel")
    assert nothing.text == ("There is nothing to cancel: you are not in the middle of anything. "
                            "Here is the menu.")
    assert "✍️ Take action" in nothing.button_texts()
    await walk_to_name(user, "luis-videgaray", "email")
    (cancelled,) = texts_of(await user.send("/cancel"))  # inside a flow, the flow's own /cancel
    assert cancelled == "Cancelled. Nothing you typed has been kept."


async def test_the_other_language_is_one_tap_away_in_the_menu_and_on_about(bot):
    sim, _ = bot
    user = sim.user(language_code="en")
    (menu,) = await user.send("/start")
    assert menu.button_texts()[-1] == "🌐 Español"
    calls = await user.press("menu:about")
    assert calls[-1].button_texts() == ["🌐 Español", "⬅️ Back"]
    calls = await user.press("🌐 Español")
    assert calls[-1].text == "Idioma cambiado a español."
    assert calls[-1].button_texts()[-1] == "🌐 English"


async def test_a_tweet_asks_for_a_sentence_with_the_room_left_in_it(bot, services):
    sim, _ = bot
    user = sim.user()
    await walk_to_name(user, "geronimo-gutierrez", "tweet")  # a tweet: straight to its language
    await user.press("act:back")
    await user.press(channel_button(user, "en", "tweet"))
    prompt = texts_of(await user.press("act:lang:es"), "editMessageText")[-1]
    limit = int(prompt.split("up to ")[1].split(" ")[0])
    assert 40 < limit < 140  # what the Spanish tweet leaves of 280
    note = ("Your appeal is in Spanish: if you can, write your sentence in Spanish too. It goes into the "
            "appeal as you type it.")
    calls = await user.send("x" * (limit + 1))
    assert texts_of(calls) == [
        f"That is {limit + 1} characters; the limit here is {limit}. Please shorten it.\n\n"
        f"Add one sentence of your own, in your words (optional, up to {limit} characters), or press Skip."
        f"\n\n{note}"]
    calls = await user.send("x" * limit)  # exactly the room left: accepted
    (tweet,) = [t for t in texts_of(calls) if "Your tweet" in t]
    assert "/280 characters" in tweet and "x" * limit in tweet


async def test_the_city_is_asked_for_the_signature_and_no_country_is_promised(bot, services):
    sim, _ = bot
    user = sim.user()
    await walk_to_name(user, "luis-videgaray", "letter")
    (city_prompt,) = texts_of(await user.send("Ana"))
    assert city_prompt == "Your city or country, to add under your name (optional). Type it, or press Skip."
    await user.send("/start")
    calls = await user.press("menu:about")
    assert "country if" not in calls[-1].text and "where support comes from" not in calls[-1].text


async def test_a_call_is_asked_for_as_a_call(bot, services):
    sim, _ = bot
    user = sim.user()
    await walk_to_name(user, "geronimo-gutierrez", "call")
    message = user.messages_with_buttons()[0]
    assert message["text"].startswith("What name will you give when you call?")
    (city_prompt,) = texts_of(await user.send("Ana"))
    assert city_prompt.startswith("Where are you calling from?")
    await user.press("act:skip")
    await user.press("act:lang:en")  # the language, then the sentence
    calls = await user.press("act:skip")
    assert texts_of(calls)[-1].startswith("Did you make the call?")


async def test_contact_problems_offered_fit_the_contact(bot):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    await user.press_data(message, "fb:problem")
    await user.press("Gerónimo Gutiérrez (UA 150.18)")
    calls = await user.press("Email")
    assert calls[-1].button_texts()[:-2] == ["The email bounced", "The email address is wrong",
                                             "Something else"]
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    await user.press_data(message, "fb:problem")
    await user.press("Gerónimo Gutiérrez (UA 150.18)")
    calls = await user.press("Phone call")
    assert calls[-1].button_texts()[:-2] == ["The number is disconnected", "The number is wrong",
                                             "Something else"]


async def test_first_person_is_said_once_not_on_ones_own_second_action(bot):
    sim, _ = bot
    user = sim.user()
    await complete(user, "luis-videgaray", "email", "en")
    calls = await user.press("✅ I sent the email")
    assert calls[-1].text.startswith("🙏 Thank you! Your action is counted. You are the first person")
    await complete(user, "geronimo-gutierrez", "email", "en")
    calls = await user.press("✅ I sent the email")
    assert "first person" not in calls[-1].text


async def test_an_empty_mydata_reads_right_in_spanish(bot):
    sim, _ = bot
    (mine,) = texts_of(await sim.user(language_code="es").send("/mydata"))
    assert "Idioma: sin elegir (la de tu aplicación de Telegram)" in mine
    assert "Acciones que reportaste (0):\nninguna todavía" in mine


async def test_numbers_take_the_right_plural(bot, services):
    sim, _ = bot
    follower = sim.user(101)
    await follower.send("/updates")
    await follower.press("upd:lon:ua-150-18")
    organizer = sim.user(ORGANIZER_ID)
    services.clock.now = datetime(2018, 10, 30, 12, tzinfo=UTC).timestamp()  # the update's day
    _, question = await organizer.send("/broadcast ua-150-18")
    assert question.text.endswith("Send it to <b>1</b> follower?")
    services.clock.now = datetime(2018, 9, 26, 12, tzinfo=UTC).timestamp()
    await follower.send("/start")
    calls = await follower.press("menu:act")
    assert "(1 day left)" in calls[-1].text


async def test_updates_show_the_latest_update_in_full(bot, services):
    sim, _ = bot
    services.clock.now = datetime(2018, 10, 29, 12, tzinfo=UTC).timestamp()
    user = sim.user()
    await user.send("/updates")
    await user.press("upd:lon:ua-150-18")
    services.clock.now = datetime(2018, 11, 2, 12, tzinfo=UTC).timestamp()  # closed now, but followed
    (listing,) = texts_of(await user.send("/updates"))
    update = services.catalog.campaigns["ua-150-18"].updates[0]
    assert update.text.en.strip()[:60] in listing
