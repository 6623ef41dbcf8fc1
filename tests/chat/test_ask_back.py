"""End-to-end, through the Application: asking back instead of guessing, a
person's own legal situation, and fear about the chat itself (issue 25).

The chat runs on the lexical tier here (tests turn the model off), which is
what the bot answers with while the model loads; the decision with the
model is pinned in tests/ask/test_semantic_matcher.py.
"""

from __future__ import annotations

import pytest

from bot.chat.ask import SHOW, SOURCES, button_data, question_label
from bot.chat.menu import ACT, HOME

ASKED_BACK_EN = ("I'm not sure I understood, and on questions like these a wrong answer is worse than none. "
                 "Did you mean one of these?")
ASKED_BACK_ES = ("No sé si te entendí bien, y en preguntas como estas una respuesta equivocada es peor que "
                 "ninguna. ¿Quisiste decir alguna de estas?")


def buttons(call) -> list[tuple[str, str]]:
    return [(b["text"], b["callback_data"]) for b in call.buttons()]


def label(catalog, entry_id: str, lang: str) -> str:
    return question_label(catalog.faq[entry_id], lang)


def heading(catalog, entry_id: str, lang: str) -> str:
    """How an answer opens: its entry's first phrasing in bold."""
    return f"<b>{catalog.faq[entry_id].questions.as_mapping()[lang][0]}</b>"


@pytest.mark.parametrize(("lang", "question", "offered", "menu"), [
    ("en", "tell me about mexico",
     ("us-mexico-agreement-status", "merida-initiative", "mexican-groups-oppose"), "🏠 Menu"),
    ("es", "méxico y el asilo", ("asylum-claims-mexico", "mexico-asylum-system", "is-mexico-safe"),
     "🏠 Menú"),
])
async def test_two_or_three_close_entries_are_asked_back_and_the_pressed_one_answered(
        bot, catalog, lang, question, offered, menu):
    sim, api = bot
    user = sim.user(language_code="en")  # the interface in English: the buttons follow the question
    calls = await user.send(question)
    assert [c.method for c in calls] == ["sendMessage"]
    (asked,) = calls
    assert asked.text == (ASKED_BACK_EN if lang == "en" else ASKED_BACK_ES)
    assert buttons(asked) == [*((label(catalog, i, lang), button_data(SHOW, i, lang)) for i in offered),
                              (menu, HOME)]
    calls = await user.press(button_data(SHOW, offered[1], lang))
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    answer = catalog.faq[offered[1]].answer.get(lang).strip()
    assert calls[-1].text.startswith(f"{heading(catalog, offered[1], lang)}\n\n{answer[:60]}")
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question", "topic"), [
    ("en", "my brother asked for asylum at the border, will they send him back to Mexico?",
     "sent-back-to-mexico"),
    ("es", "mi hermano pidió asilo en la frontera, ¿lo van a regresar a México?", "sent-back-to-mexico"),
    ("en", "I have a court date next month and no lawyer, can I still get asylum?", None),
    # the grammar: a relative named as theirs x what is done to them, no legal word needed
    ("en", "my uncle has been in detention since august, how long can they hold him?", None),
    ("es", "a mi sobrino lo secuestraron cuando cruzaba, qué hacemos?", None),
    ("es", "mis papás están en Honduras y quieren venir legalmente, cómo le hacen?", None),
    # round 3: being picked up, an interpreter at COMAR are the process too
    ("en", "my brother was picked up by migración in Tapachula, what can he do?", None),
    ("es", "mi prima no habla español, ¿le dan intérprete en la COMAR?", None),
    # round 6: topic words that point at a policy entry (family separation, MPP, the app) in a case
    ("en", "we are a family from guatemala in tijuana, if we present at the port of entry will they "
     "separate us", None),
    ("es", "si nos presentamos en la garita con los niños, ¿nos van a separar?", None),
    ("en", "i have an appointment on the app for the border, my friend says its a trap and ICE will take me",
     None),
    ("es", "tengo cita en la app cbp one, mi amiga dice que es una trampa de la migra", None),
    ("en", "I'm in mexico city and people keep threatening me, what can I do", None),
    ("es", "me llegó una carta de la corte de inmigración en inglés y no entiendo nada", None),
    # round 7: fear for one's own safety, an attack on a relative, being sent to another country,
    # though the topic words point at groups at risk
    ("en", "i am a gay man from el salvador and im scared to stay in mexico. where can i be safe",
     "groups-at-risk"),
    ("es", "soy trans y tengo miedo de quedarme en tapachula, donde puedo estar segura", None),
    ("es", "cuanto tarda la comar en resolver una solicitud", None),
    # round 9: asking *for asylum* is the process, not the chat ("if i ask…" alone is the chat)
    ("en", "i have no papers in california, if i ask for asylum now will they deport me", None),
    ("es", "no tengo papeles en california, si pido asilo ahora me deportan?", None),
    # round 10: one's rights where one is, one's children if detained, a notice received, scared and
    # where to go, crossing now with one's children
    ("en", "im from cuba and living in monterrey, what are my rights here", None),
    ("es", "nos pueden quitar a nuestros hijos si nos detienen en el camino?", None),
    ("es", "soy de venezuela y estoy en monterrey, cuales son mis derechos aqui?", None),
    ("en", "my brother got a notice to appear and we dont understand it, what now", None),
    ("en", "I'm trans, I'm in Tapachula and scared. Where can I go to be safe?", None),
    ("es", "se puede cruzar por tijuana ahorita con los niños o es peligroso", None),
])
async def test_a_personal_situation_gets_legal_help_first_with_its_topic_beneath(
        bot, catalog, lang, question, topic):
    sim, api = bot
    user = sim.user(language_code="en")
    (answer,) = await user.send(question)
    assert answer.text.startswith(f"{heading(catalog, 'legal-help', lang)}\n\n"
                                  f"{catalog.faq['legal-help'].answer.get(lang).strip()[:50]}")
    assert "uan@aiusa.org" not in answer.text  # the network organizes appeals: no legal help
    if topic is not None:
        assert buttons(answer)[0] == (label(catalog, topic, lang), button_data(SHOW, topic, lang))
        calls = await user.press(button_data(SHOW, topic, lang))
        assert calls[-1].text.startswith(heading(catalog, topic, lang))
    assert buttons(answer)[-2:] == [("✍️ Take action" if lang == "en" else "✍️ Actúa", ACT),
                                    ("🏠 Menu" if lang == "en" else "🏠 Menú", HOME)]
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question", "opening"), [
    ("en", "is this chat private? will the government see what I write here?",
     "In plain words: the questions you type here are not kept."),
    ("en", "will I be deported if I write to this bot?",
     "In plain words: the questions you type here are not kept."),
    ("es", "¿me pueden deportar por escribir en este chat? ¿el gobierno ve lo que escribo?",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
    # taking part, and data handed on, are the same fear
    ("en", "can I get deported for sending a letter to an official?",
     "In plain words: the questions you type here are not kept."),
    ("es", "¿ustedes le pasan mis datos a la policía o a la migra?",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
    # telling the bot about oneself, and what was written: the chat, not a legal case (round 3)
    ("en", "if I tell you I'm undocumented, will you report me?",
     "In plain words: the questions you type here are not kept."),
    ("es", "si te digo que no tengo papeles, ¿me van a reportar?",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
    ("en", "I wrote my sister's name by mistake, can you delete that?",
     "In plain words: the questions you type here are not kept."),
    ("es", "escribí el nombre de mi hermano sin querer, ¿pueden borrar eso?",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
    # round 5: chat fear outranks the case
    ("en", "if I say I'm undocumented are you going to turn me in",
     "In plain words: the questions you type here are not kept."),
    ("es", "no quiero que migración lea lo q escribo, tengo miedo",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
    # round 8: being reported or saved by this chat, in Spanish and mixed words, not a legal case
    ("es", "si te digo donde vivo le avisas a migracion?",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
    ("en", "if i tell you my brothers name and where he is, does that get saved somewhere",
     "In plain words: the questions you type here are not kept."),
    ("en", "is it safe to put my real name here o mejor no? mi status no esta arreglado",
     "In plain words: the questions you type here are not kept."),
    # round 10: the list of who took part handed on; real, or a trap?
    ("en", "do you share the list of people who signed with the police",
     "In plain words: the questions you type here are not kept."),
    ("es", "esto es de verdad de amnistía o es una trampa?",
     "En pocas palabras: las preguntas que escribes aquí no se guardan."),
])
async def test_fear_about_the_chat_gets_the_privacy_answer_in_plain_words(bot, catalog, lang, question,
                                                                           opening):
    sim, api = bot
    (answer,) = await sim.user(language_code="en").send(question)
    assert answer.text.startswith(f"{heading(catalog, 'privacy', lang)}\n\n{opening}")
    assert "/forget" in answer.text
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question", "menu"), [
    ("en", ("I want to know the legal requirements "
     "before a country can be called a safe third country"), "🏠 Menu"),
    ("es", "quiero saber los requisitos de la ley para que un pais sea tercer pais seguro, es legal?",
     "🏠 Menú"),
])
async def test_a_weakly_personal_question_on_a_clear_policy_entry_is_asked_back_with_legal_help_and_it(
        bot, catalog, lang, question, menu):
    """Round 5: read as the writer's own case on weak words alone ("legal"),
    the words sure of a policy entry: a wrong legal-help answer is still
    wrong, so the bot asks back with legal help and that entry (one tap)."""
    sim, api = bot
    user = sim.user(language_code="en")
    (asked,) = await user.send(question)
    assert asked.text == (ASKED_BACK_EN if lang == "en" else ASKED_BACK_ES)
    offered = ("legal-help", "ina-requirements")
    assert buttons(asked) == [*((label(catalog, i, lang), button_data(SHOW, i, lang)) for i in offered),
                              (menu, HOME)]
    calls = await user.press(button_data(SHOW, "ina-requirements", lang))
    assert calls[-1].text.startswith(heading(catalog, "ina-requirements", lang))
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question", "policy", "menu"), [
    ("en", "is MPP still going on? my brother is in tijuana waiting for his appointment",
     "migrant-protection-protocols", "🏠 Menu"),
    ("es", "sigue vigente el mpp? mi hermano esta en tijuana esperando su cita", "sent-back-to-mexico",
     "🏠 Menú"),
])
async def test_a_general_question_beside_personal_words_is_asked_back_with_legal_help_and_the_policy(
        bot, catalog, lang, question, policy, menu):
    """Round 7: the rule asked in general ("is MPP still going on?") beside
    a relative's case: legal help first and the policy entry beside it, one
    tap each, not legal help answered."""
    sim, api = bot
    user = sim.user(language_code="en")
    (asked,) = await user.send(question)
    assert asked.text == (ASKED_BACK_EN if lang == "en" else ASKED_BACK_ES)
    offered = ("legal-help", policy)
    assert buttons(asked) == [*((label(catalog, i, lang), button_data(SHOW, i, lang)) for i in offered),
                              (menu, HOME)]
    calls = await user.press(button_data(SHOW, policy, lang))
    assert calls[-1].text.startswith(heading(catalog, policy, lang))
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question"), [
    # round 5: a class, a citation, what one heard: the rules in general, not one's case
    ("en", ("I need the citation: which section lets the attorney general "
     "pick safe third countries for asylum seekers?")),
    ("es", "¿cuánto tiempo tengo para pedir asilo en México? escuché que son 30 días"),
    ("en", "my teacher said Mexico gives people only a month to ask for asylum, is that true?"),
    ("es", "¿por qué debemos pagarle a México con nuestros impuestos para deportar gente?"),
])
async def test_someone_elses_words_or_the_taxpayers_we_is_a_policy_question(bot, catalog, lang, question):
    """"my teacher said…" and "why should we pay…" speak of no one's own case:
    not sent to legal help, nor offered it (round 3); the lexical tier asks
    back or declines them."""
    sim, api = bot
    (asked,) = await sim.user(language_code="en").send(question)
    assert not asked.text.startswith(heading(catalog, 'legal-help', lang))
    assert button_data(SHOW, "legal-help", lang) not in [data for _, data in buttons(asked)]
    assert buttons(asked)[-1][1] == HOME
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question", "opening"), [
    ("en", "who runs this bot? is it the government?",
     "This bot is run by a local group of Amnesty International USA's Urgent Action network, which works on "
     "Urgent Actions:"),
    ("es", "este bot es de amnistia o de voluntarios?",
     "Este bot lo lleva un grupo local de la red de Acciones Urgentes de Amnistía Internacional EE. UU., que "
     "trabaja en Acciones Urgentes:"),
])
async def test_who_runs_the_bot_is_answered_from_the_group_file(bot, catalog, lang, question, opening):
    """Not the privacy answer ("is it the government?" asks who runs it), and
    the group named from content/group.yaml, never typed into the entry."""
    sim, api = bot
    (answer,) = await sim.user(language_code="en").send(question)
    assert answer.text.startswith(f"{heading(catalog, 'about-this-bot', lang)}\n\n{opening}")
    assert catalog.group.name.get(lang) in answer.text
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question"), [
    ("en", "how do I hear about the next case?"),
    ("es", "¿cómo me entero del próximo caso?"),
    ("es", "¿puedo inscribirme para recibir nuevas acciones urgentes?"),
])
async def test_hearing_about_the_next_case_is_answered_with_signing_up(bot, catalog, lang, question):
    """The next case (not this one's news) is still-something-to-do, which says
    /signup; round 6 gave its Spanish the phrasings its English had."""
    sim, api = bot
    (answer,) = await sim.user(language_code="en").send(question)
    assert answer.text.startswith(heading(catalog, "still-something-to-do", lang))
    assert "/signup" in answer.text
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question"), [
    ("en", "how can I follow this case?"),
    ("es", "¿cómo sigo este caso?"),
])
async def test_following_a_case_is_answered_with_how_to_follow_it(bot, catalog, lang, question):
    """Following a case is the case-news entry, which says how (/updates), not
    how-to-help's ways to act (round 3)."""
    sim, api = bot
    (answer,) = await sim.user(language_code="en").send(question)
    assert answer.text.startswith(f"{heading(catalog, 'case-news', lang)}\n\n")
    assert "/updates" in answer.text
    assert api.refusals == []


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_an_answer_resting_on_no_document_shows_no_empty_source_line_or_sources_button(
        bot, catalog, lang):
    """legal-help is about the bot itself (`about: bot`, no sources): no
    "Source:" with nothing after it, and no Sources button to an empty list.
    An answer with sources keeps both."""
    sim, api = bot
    user = sim.user(language_code=lang)
    unsourced = [entry.id for entry in catalog.faq.values()
                 if not entry.sources and entry.answer_from is None]
    assert "legal-help" in unsourced
    for entry_id, sourced in (("legal-help", False), ("non-refoulement", True)):
        (answer,) = await user.send(catalog.faq[entry_id].questions.as_mapping()[lang][0])
        assert answer.text.startswith(heading(catalog, entry_id, lang))
        source_word = "Source" if lang == "en" else "Fuente"
        assert (f"\n\n{source_word}" in answer.text) is sourced, answer.text
        assert (button_data(SOURCES, entry_id, lang) in [data for _, data in buttons(answer)]) is sourced
    assert api.refusals == []
