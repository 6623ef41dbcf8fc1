"""End-to-end: the Learn menu with its sources, and free-text questions
answered, declined, or met with the Ask prompt (asking back:
tests/chat/test_ask_back.py)."""

from __future__ import annotations

import pytest

from tests.conftest import texts_of

AS_OF_EN = "Policies may have changed since these documents were written.</i>"
AS_OF_ES = "Las políticas pueden haber cambiado desde que se escribieron estos documentos.</i>"


async def test_learn_lists_every_explainer_and_pages_through_them(bot, catalog):
    sim, api = bot
    user = sim.user()
    await user.send("/start")
    calls = await user.press("📚 Learn")
    listing = calls[-1]
    # One topic: Learn opens it straight away (with several, it lists them first).
    assert listing.text.startswith("<b>Safe third country: the US–Mexico talks and US asylum policy</b>\n")
    titles = [e.title.en for e in catalog.explainers]
    assert listing.button_texts() == [*titles, "🏠 Menu"]

    calls = await user.press(titles[0])
    first = calls[-1]
    assert first.text.startswith(f"<b>{catalog.explainers[0].title.en}</b>\n\n")
    assert first.text.endswith(AS_OF_EN)
    assert f"<i>Information as of {catalog.explainers[0].as_of.display('en')}." in first.text
    assert first.button_texts() == ["⬅️ Back", "Next ➡️", "📄 Sources", "📚 All explainers",
                                    "✍️ Take action", "🏠 Menu"]
    for explainer in catalog.explainers[1:]:
        calls = await user.press("Next ➡️")
        assert calls[-1].text.startswith(f"<b>{explainer.title.en}</b>")
        assert len(explainer.body.en) <= 900 and len(explainer.body.es) <= 900
    assert "Next ➡️" not in calls[-1].button_texts()  # the last one
    calls = await user.press("⬅️ Back")
    assert calls[-1].text.startswith(f"<b>{catalog.explainers[-2].title.en}</b>")
    assert api.refusals == []


@pytest.mark.parametrize("lang, sources_label, back", [("en", "📄 Sources", "⬅️ Back"),
                                                       ("es", "📄 Fuentes", "⬅️ Atrás")])
async def test_sources_show_title_publisher_date_and_quote(bot, catalog, lang, sources_label, back):
    sim, api = bot
    user = sim.user(language_code=lang)
    explainer = next(e for e in catalog.explainers if e.id == "ina-requirements")
    await user.send("/start")
    await user.press("menu:learn")
    await user.press(f"ex:{explainer.id}")
    calls = await user.press(sources_label)
    text = calls[-1].text
    heading = "Sources" if lang == "en" else "Fuentes"
    assert text.startswith(f"<b>{heading}: {explainer.title.get(lang)}</b>")
    seed = catalog.seeds[explainer.sources[0].seed]
    assert f"1. “{seed.title}” ({seed.publisher}, {seed.date.display(lang)})" in text
    for source in explainer.sources:
        assert source.quote.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text
    calls = await user.press(back)
    assert calls[-1].text.startswith(f"<b>{explainer.title.get(lang)}</b>")
    assert api.refusals == []


async def test_a_question_is_answered_with_sources_related_topics_and_take_action(bot, catalog):
    sim, api = bot
    calls = await sim.user().send("is mexico really safe for refugees??")
    (answer,) = calls
    entry = catalog.faq["is-mexico-safe"]
    assert answer.text.startswith(f"<b>{entry.questions.en[0]}</b>\n\n")
    assert ("\n\nSource: “Is Mexico Safe for Refugees and Asylum Seekers?” (Human Rights First, 2018)"
            in answer.text)
    assert answer.text.endswith(AS_OF_EN)
    related = [catalog.faq[r].questions.en[0][:60] for r in entry.related[:3]]
    assert answer.button_texts()[: len(related)] == [r if len(r) < 60 else r[:59] + "…" for r in related]
    assert answer.button_texts()[-3:] == ["📄 Sources", "✍️ Take action", "🏠 Menu"]
    assert api.refusals == []


async def test_a_spanish_question_gets_the_spanish_answer(bot, catalog):
    sim, _ = bot
    (answer,) = await sim.user(language_code="es").send("que son los protocolos de proteccion a migrantes")
    entry = catalog.faq["migrant-protection-protocols"]
    assert answer.text.startswith(f"<b>{entry.questions.es[0]}</b>")
    assert answer.text.endswith(AS_OF_ES)


async def test_off_topic_is_declined_plainly_with_learn_and_the_menu(bot):
    """Nothing in the FAQ is close: no topic buttons to guess with (issue 25),
    the two ways on instead."""
    sim, _ = bot
    user = sim.user()
    (declined,) = await user.send("what's the best recipe for tamales?")
    assert declined.text == ("I don't have an answer to that: I answer questions about the cases in this "
                             "bot and the topics behind them. Try other words, or browse Learn.")
    assert declined.button_texts() == ["📚 Learn", "🏠 Menu"]
    calls = await user.press("📚 Learn")
    assert calls[-1].text.startswith("<b>Safe third country: the US–Mexico talks")  # Learn: its one topic


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "?!...", "the of and"])
async def test_nothing_to_go_on_gets_the_ask_prompt(bot, text):
    sim, _ = bot
    calls = await sim.user().send(text or "\u200b")
    assert texts_of(calls) == ["Type your question in your own words, in English or Spanish. For example: "
                               "<i>Who is at risk in this case?</i>"]


async def test_a_very_long_question_gets_the_reply_to_its_start(bot):
    """Matched on its first 500 characters: the same reply as those alone get.
    Rambling text is declined, with the right topic first among the suggestions."""
    sim, api = bot
    question = ("Someone in my church group said Mexico sends people back to danger and that this "
                "breaks a principle called non-refoulement, what is non-refoulement exactly? ") * 20
    assert len(question) > 500
    (reply,) = await sim.user().send(question)
    (reply_to_start,) = await sim.user(user_id=5151).send(question[:500])
    assert (reply.text, reply.buttons()) == (reply_to_start.text, reply_to_start.buttons())
    assert reply.text.startswith("I'm not sure I understood")
    suggested = [b["callback_data"] for b in reply.buttons()]
    assert suggested[0] == "faq:non-refoulement:en"
    assert api.refusals == []


async def test_the_ask_menu_prompts_and_legal_help_is_not_the_networks_contact(bot):
    sim, _ = bot
    user = sim.user()
    await user.send("/start")
    calls = await user.press("❓ Ask a question")
    assert calls[-1].text.startswith("Type your question in your own words")
    (answer,) = await user.send("I need a lawyer for my own asylum case")
    assert "This bot gives no legal advice" in answer.text
    assert "uan@aiusa.org" not in answer.text  # the network organizes appeals: it is no legal help


@pytest.mark.parametrize("lang, sources_label, amnesty, ngos", [
    ("en", "📄 Sources", "(Amnesty International USA, August 2018)",
     "(27 Mexican and US organisations, among them WOLA, Sin Fronteras and Kids in Need of "
     "Defense (KIND), 2018)"),
    ("es", "📄 Fuentes", "(Amnistía Internacional EE. UU., agosto de 2018)",
     "(27 organizaciones mexicanas y estadounidenses, entre ellas WOLA, Sin Fronteras y Kids in Need of "
     "Defense (KIND), 2018)"),
])
async def test_sources_name_the_publisher_in_the_reader_s_language(bot, lang, sources_label, amnesty, ngos):
    sim, api = bot
    user = sim.user(language_code=lang)
    await user.send("/start")
    await user.press("menu:learn")
    calls = await user.press("ex:why-groups-oppose")
    assert amnesty in calls[-1].text  # the one-line source summary under the explainer
    calls = await user.press(sources_label)
    assert amnesty in calls[-1].text and ngos in calls[-1].text
    if lang == "es":
        assert "Amnesty International USA" not in calls[-1].text
    assert api.refusals == []


@pytest.mark.parametrize("lang, question", [("en", "What data does this bot keep about me?"),
                                            ("es", "¿Qué datos guarda este bot sobre mí?")])
async def test_the_privacy_answer_is_about_the_bot_and_carries_no_source_date(bot, catalog, lang, question):
    sim, _ = bot
    (answer,) = await sim.user(language_code=lang).send(question)
    entry = catalog.faq["privacy"]
    assert entry.about == "bot" and entry.as_of is None
    assert answer.text.startswith(f"<b>{entry.questions.as_mapping()[lang][0]}</b>")
    assert "/mydata" in answer.text and "/forget" in answer.text
    assert AS_OF_EN not in answer.text and AS_OF_ES not in answer.text
    assert "2018</i>" not in answer.text



@pytest.mark.parametrize("lang, question, entry_id, opening, changed, own_case", [
    # Not "yes" first: after the proclamation of 20 January 2025 someone may act on that word.
    # Asked impersonally: "can I…" is a person's own situation, answered with legal help first.
    ("en", "can asylum seekers who passed through Mexico still apply for asylum in the US?",
     "asylum-after-crossing-mexico",
     "The bot cannot tell you whether you can today: the rules have changed several times, the latest "
     "change it knows of in 2025, and it gives no legal advice. ", "on 30 June 2020",
     "contact a qualified immigration lawyer"),
    ("es", "¿quienes pasaron por México pueden pedir asilo en EE. UU.?", "asylum-after-crossing-mexico",
     "El bot no puede decirte si hoy puedes: las reglas han cambiado varias veces, el último cambio que "
     "conoce es de 2025, y no da asesoría legal. ", "el 30 de junio de 2020",
     "comunícate con un abogado de inmigración calificado"),
    # asked about anyone (asked about oneself, it is a personal situation: tests/chat/test_ask_back.py)
    ("en", "if someone asks for asylum at the border will they send them back to Mexico",
     "sent-back-to-mexico", "Under a US policy of 2019 described in the bot's sources, many were. ",
     "On 20 January 2021", "This bot gives no legal advice."),
    ("en", "Must asylum seekers apply in the first safe country they reach?", "first-safe-country-rule",
     "Under US law as the bot's sources described it in 2018, asylum seekers did not have to apply in the "
     "first safe country they reached. ", "on 30 June 2020", None),
])
async def test_asylum_questions_open_with_the_answer_then_say_what_changed(
        bot, catalog, lang, question, entry_id, opening, changed, own_case):
    sim, api = bot
    (answer,) = await sim.user(language_code=lang).send(question)
    entry = catalog.faq[entry_id]
    assert answer.text.startswith(f"<b>{entry.questions.as_mapping()[lang][0]}</b>\n\n{opening}")
    assert changed in answer.text
    assert answer.text.endswith(AS_OF_EN if lang == "en" else AS_OF_ES)
    if own_case:  # someone asking about their own case: no advice, a lawyer, and no appeal
        # network's address offered as if it were legal help
        assert own_case in answer.text and "uan@aiusa.org" not in answer.text
    assert api.refusals == []
