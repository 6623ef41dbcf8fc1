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
