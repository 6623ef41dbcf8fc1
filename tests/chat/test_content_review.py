"""The second content review (issue 28): each high and medium finding, as a
supporter meets it, through the real Application and the in-memory Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.catalog.cases import status_of


def at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, 12, tzinfo=UTC).timestamp()


async def test_can_i_still_take_action_says_where_each_case_stands_when_none_is_open(bot, clock):
    """how-to-help used to answer "Choose an open case" when none was open."""
    clock.now = at(2026, 11, 29)
    sim, api = bot
    user = sim.user()
    (asked,) = await user.send("Can I still take action?")
    # two entries answer it (how-to-help, still-something-to-do): the bot asks back
    assert {"What can I do to help?", "Is there anything I can still do?"} <= set(asked.button_texts())
    (answer,) = [c for c in await user.press("What can I do to help?") if c.method == "sendMessage"]
    assert answer.text.startswith("<b>What can I do to help?</b>\n\n<b>Where each case stands today "
                                  "(29 November 2026):</b>\n• UA 150.18: closed since 30 October 2018.\n\n"
                                  "When a case is open, use \"Take action\" in this bot")
    assert "Choose an open case" not in answer.text
    assert 'When no case is open, "Take action" says so' in answer.text
    assert api.refusals == []


async def test_the_archive_gives_the_last_day_in_office_where_it_is_public(bot, clock):
    """Videgaray left office on 30 November 2018 (the new government took office
    on 1 December); Gutiérrez's last day is not public, only that he had left
    by December 2018."""
    clock.now = at(2018, 12, 15)
    sim, _ = bot
    user = sim.user()
    await user.send("/cases")
    calls = await user.press("arch:case:ua-150-18")
    assert ("• <b>Luis Videgaray</b> was Mexican Minister of Foreign Affairs until 30 November 2018, the "
            "last day in office, and no longer holds that post, so the bot does not offer appeals to them."
            ) in calls[-1].text
    assert ("• <b>Gerónimo Gutiérrez</b>, Ambassador of Mexico to the United States, had left that post by "
            "December 2018, so the bot does not offer appeals to them.") in calls[-1].text
    assert "until December 2018" not in calls[-1].text


async def test_the_last_day_in_office_in_spanish(bot, clock):
    clock.now = at(2018, 12, 15)
    sim, _ = bot
    user = sim.user(language_code="es")
    await user.send("/cases")
    calls = await user.press("arch:case:ua-150-18")
    assert ("• <b>Luis Videgaray</b> fue secretario de Relaciones Exteriores de México hasta el 30 de "
            "noviembre de 2018, su último día en el cargo, y ya no lo ocupa") in calls[-1].text


def test_on_his_last_day_the_minister_could_still_be_written_to(catalog):
    case = catalog.campaigns["ua-150-18"]
    last_day = status_of(case, catalog.officials, datetime(2018, 11, 30).date())
    assert "luis-videgaray" not in [t.official for t in last_day.departed]
    after = status_of(case, catalog.officials, datetime(2018, 12, 1).date())
    assert [t.official for t in after.departed] == ["luis-videgaray", "geronimo-gutierrez"]


@pytest.mark.parametrize("lang, question, says, not_says", [
    ("en", "What does the US law say about who designates a safe third country?",
     ['citing "US Code S 1158 2 (A)" (the provision is 8 U.S.C. § 1158(a)(2)(A))',
      '"pursuant to a bilateral or multilateral agreement"',
      "An agreement is a requirement, not just usual."],
     ["The two sources differ"]),
    ("es", "¿Quién decide qué país es un tercer país seguro según la ley de EE. UU.?",
     ["(la disposición es 8 U.S.C. § 1158(a)(2)(A))", "El acuerdo es un requisito, no solo algo habitual."],
     ["Las dos fuentes difieren"]),
])
async def test_who_designates_gives_the_statute_and_its_requirement(bot, lang, question, says, not_says):
    sim, _ = bot
    (answer,) = await sim.user(language_code=lang).send(question)
    assert answer.text.startswith("<b>Who decides") or answer.text.startswith("<b>¿Quién")
    for words in says:
        assert words in answer.text
    for words in not_says:
        assert words not in answer.text


@pytest.mark.parametrize("lang, says", [
    ("en", "The bot's sources stop in early 2020: they do not say what became of these agreements "
           "after that."),
    ("es", "Las fuentes del bot llegan hasta comienzos de 2020: no dicen qué fue de estos acuerdos después."),
])
def test_the_canada_answer_says_its_sources_stop_in_2020(catalog, lang, says):
    assert says in catalog.faq["us-canada-agreement"].answer.get(lang)


@pytest.mark.parametrize("explainer, later", [
    ("migrant-protection-protocols", ["21 January 2021", "August 2022", "21 January 2025"]),
    ("transit-bar-rule", ["30 June 2020"]),
])
def test_explainers_say_what_changed_after_their_2019_sources_as_the_faq_does(catalog, explainer, later):
    """how-current promises that answers about rules that changed later say
    what changed: the explainers now agree with the FAQ answers."""
    (item,) = [e for e in catalog.explainers if e.id == explainer]
    body, faq = item.body.en, catalog.faq[explainer].answer.en
    for day in later:
        assert day in body and day in faq
    assert "The Supreme Court allowed the rule to take effect" not in body


@pytest.mark.parametrize("lang, question, limbs", [
    ("en", "Does a Canadian visa make me an exception to the Canada-US agreement?",
     ["people who hold a valid visa or other valid admission document issued by that country (not a transit "
      "visa)", "people who need no visa for that country but do need one for the country they came from"]),
    ("es", "¿Tener visa de Canadá me hace excepción al acuerdo con EE. UU.?",
     ["quienes tienen una visa válida u otro documento de admisión válido emitido por ese país (que no sea "
      "una visa de tránsito)",
      "quienes no necesitan visa para ese país pero sí la necesitan para el país del que vienen"]),
])
async def test_the_canada_exceptions_give_both_limbs_of_the_visa_exception(bot, lang, question, limbs):
    """The agreement (Article 4) exempts holders of a valid visa or admission
    document other than for transit, and people who need no visa for the
    country where they claim but needed one for the country they left: the
    answer used to give only the first, without the transit proviso."""
    sim, _ = bot
    (answer,) = await sim.user(language_code=lang).send(question)
    assert answer.text.startswith("<b>Who is exempt") or answer.text.startswith("<b>¿Quiénes están exentos")
    for limb in limbs:
        assert limb in answer.text


# ------------------------------------------------ the items left from the last stop

@pytest.mark.parametrize("official, lang, block", [
    ("luis-videgaray", "en",
     "Luis Videgaray\nMexican Minister of Foreign Affairs\nPlaza Juárez No. 20, Piso 22\n"),
    ("luis-videgaray", "es", "Luis Videgaray\nSecretario de Relaciones Exteriores de México\nPlaza Juárez"),
    ("geronimo-gutierrez", "en", "Gerónimo Gutiérrez\nAmbassador of Mexico to the United States\n"
                                 "Embassy of Mexico\n1911 Pennsylvania Ave. NW\n"),
    ("geronimo-gutierrez", "es",
     "Gerónimo Gutiérrez\nEmbajador de México en Estados Unidos\nEmbassy of Mexico\n"),
])
def test_each_address_block_carries_the_officials_title_in_the_letters_language(catalog, official, lang,
                                                                                block):
    """The Urgent Action heads each block with the title ("Mexican Minister of
    Foreign Affairs", "Ambassador Gerónimo Gutiérrez, Embassy of Mexico"); the
    letters had the name alone. The title comes from officials.yaml, in the
    letter's language, so the Spanish letter carries no English line."""
    from datetime import date

    from bot.appeals.render import AppealRenderer, SupporterDetails

    letter = AppealRenderer(catalog).render(catalog.campaigns["ua-150-18"], catalog.officials[official],
                                            "letter", lang, SupporterDetails(), date(2018, 9, 15))
    assert block in letter.body


def test_the_ministry_is_named_as_the_secretaria_de_relaciones_exteriores(catalog):
    minister = catalog.officials["luis-videgaray"]
    assert minister.organisation.es == "Secretaría de Relaciones Exteriores"
    assert "(Secretaría de Relaciones Exteriores)" in minister.organisation.en


@pytest.mark.parametrize("lang, question, says, source", [
    ("en", "How did the US–Mexico safe third country talks become public?",
     "Through the press, according to Amnesty International USA's Urgent Action of August 2018.",
     "(Amnesty International, 30 October 2018)"),
    ("es", "¿Cómo se supo de las negociaciones de tercer país seguro entre EE. UU. y México?",
     "Por la prensa, según la Acción Urgente de Amnistía Internacional EE. UU. de agosto de 2018.",
     "(Amnistía Internacional, 30 de octubre de 2018)"),
])
async def test_the_urgent_action_is_amnesty_international_usas_and_publishers_read_in_spanish(
        bot, lang, question, says, source):
    """UA 150.18 was issued by Amnesty International USA (its seed's
    publisher); the update of 30 October 2018 by Amnesty International, as its
    sources are published; a Spanish reader sees the publisher's Spanish name."""
    sim, _ = bot
    user = sim.user(language_code=lang)
    (answer,) = await user.send(question)
    assert says in answer.text
    assert "Amnesty International's Urgent Action" not in answer.text
    calls = await user.press({"en": "📄 Sources", "es": "📄 Fuentes"}[lang])
    (view,) = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    assert source in view.text


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_the_welcome_does_not_say_urgent_action_twice(bot, clock, lang):
    clock.now = at(2018, 9, 10)
    sim, _ = bot
    (welcome, *_) = await sim.user(language_code=lang).send("/start")
    assert "Urgent Action <b>UA" not in welcome.text and "Acción Urgente <b>UA" not in welcome.text
    assert {"en": "One Urgent Action is open now: <b>UA 150.18</b>:",
            "es": "Hay una Acción Urgente abierta ahora, la <b>UA 150.18</b>:"}[lang] in welcome.text


# Headings over figures of 2016-18 read as history, not as today's facts.
DATED_HEADINGS = {
    "mexico-dangers": ("Was Mexico safe? Dangers to refugees and migrants in 2018",
                       "¿Era México seguro? Riesgos para personas refugiadas y migrantes en 2018"),
    "mexico-asylum-gaps": ("Gaps in Mexico's asylum system in 2018",
                           "Las fallas del sistema de asilo de México en 2018"),
    "asylum-claims-mexico": ("How many people sought asylum in Mexico in 2016 and 2017?",
                             "¿Cuántas personas pidieron asilo en México en 2016 y 2017?"),
    "us-funding-merida": ("The 2018 US plan to fund deportations from Mexico",
                          "El plan de EE. UU. de 2018 para financiar deportaciones desde México"),
    "us-mexico-talks": ("The US–Mexico talks on a deal (2018)",
                        "Las negociaciones entre Estados Unidos y México (2018)"),
}
DATED_QUESTIONS = {
    "is-mexico-safe": "Was Mexico safe for refugees and asylum seekers in 2018?",
    "asylum-claims-mexico": "How many asylum claims did Mexico receive in 2016 and 2017, and from where?",
    "mexico-asylum-system": "How well did Mexico's asylum system (COMAR) work in 2018?",
    "border-numbers": "How many people crossed Mexico's southern border, and how many might have needed "
                      "protection (2018 figures)?",
    "right-to-seek-asylum-informed":
        "Were migrants told of their right to seek asylum in Mexico (2018 survey)?",
    "merida-initiative": "What was the Merida Initiative in 2018, and how was it related?",
    "mexico-enforcement": "What did Mexico do in 2019 to stop migrants traveling north?",
}


def test_headings_over_old_figures_are_dated_or_in_the_past(catalog):
    titles = {e.id: (e.title.en, e.title.es) for e in catalog.explainers}
    for explainer, both in DATED_HEADINGS.items():
        assert titles[explainer] == both
    for entry, heading in DATED_QUESTIONS.items():
        assert catalog.faq[entry].questions.en[0] == heading


async def test_an_answer_over_2018_figures_is_headed_as_history(bot):
    sim, _ = bot
    (answer,) = await sim.user().send("Is Mexico safe for refugees?")
    assert answer.text.startswith("<b>Was Mexico safe for refugees and asylum seekers in 2018?</b>\n\n")


def test_a_quoted_english_title_is_translated_in_spanish_with_the_original_beside_it(catalog):
    texts = [e.body.es for e in catalog.explainers] + [f.answer.es for f in catalog.faq.values()]
    quoted = [t for t in texts if "Mexico is the wall" in t]
    assert len(quoted) >= 4
    for text in quoted:
        assert text.count('"Mexico is the wall"') == text.count('"México es el muro" ("Mexico is the wall")')
