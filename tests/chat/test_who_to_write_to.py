"""End-to-end: "Who should I write to, and how?", the FAQ answer made from the
content on the day it is asked (`answer_from: open_cases`, bot/ask/faq_answers.py).

Driven through the real Application on the bot's clock: while UA 150.18 runs
(both officials, every contact the case offers), after its deadline, once it
has closed and today (no case open: Past cases and the Urgent Action
contact), with the fictional second case (two cases, soonest deadline first,
only the channels that case offers), with an official out of office, with
enough cases to need several messages, and with markup characters in the
content. The command line's `ask` says the same, in plain text.

Also "Can I still act after the deadline?", which opens with where each case
stands on the day it is asked (`answer_from: case_status`), by the same rule:
open with its deadline (the deadline day itself still in time), open with the
deadline passed, closed from its closing update's day, or no one left to
write to.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ask.faq_answers import GENERATORS
from bot.bot_api.transport import MAX_TEXT
from bot.catalog import load_catalog
from bot.catalog.schema import AnswerGenerator
from tests.conftest import ROOT, make_services, start_bot, stop_bot, texts_of, two_case_tree

QUESTION_EN = "Who should I write to, and how?"
QUESTION_ES = "¿A quién le escribo, y cómo?"
INTRO_EN = ("To the officials named by each Urgent Action that is open for action today. The bot lists "
            "them from its case files as they stand today, with the contacts each case offers. Press Take "
            "action to prepare a letter, an email, a call script or a tweet with the appeal's asks and "
            "salutation.")
UA_150_18_EN = "\n".join([
    "<b>UA 150.18: US–Mexico asylum deal would put many at risk</b>",
    "Deadline: 27 September 2018.",
    "• Luis Videgaray, Mexican Minister of Foreign Affairs",
    "   ✉️ Post: Luis Videgaray, Plaza Juárez No. 20, Piso 22, Delegación Cuauhtémoc, 06010 CDMX, México",
    "   📧 Email: canciller@sre.gob.mx",
    "   🐦 Twitter: @LVidegaray",
    "• Gerónimo Gutiérrez, Ambassador of Mexico to the United States",
    "   ✉️ Post: Gerónimo Gutiérrez, Embassy of Mexico, 1911 Pennsylvania Ave. NW, "
    "Washington, DC 20006, USA",
    "   📧 Email: mexembusa@sre.gob.mx",
    "   📞 Phone: +1 202 728 1600",
    "   🐦 Twitter: @GERONIMO__GF",
])
SOURCE_EN = ("Source: “US-Mexico asylum deal would put many at risk (Urgent Action 150.18)” "
             "(Amnesty International USA, August 2018)")
WHEN_EMPTY_EN = "Past cases (/cases) shows each earlier case, how it ended and whom it named."
# From content/group.yaml, never typed into an answer.
CONTACT_EN = ("Questions about the cases: Amnesty International USA's Urgent Action network, "
              "uan@aiusa.org, (212) 807-8400.")


def at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, 12, tzinfo=UTC).timestamp()


@pytest.fixture
async def chat_on(settings, clock, matcher, store):
    """`await chat_on(catalog, day)`: a started bot on that catalog and day, as
    (simulator, api); stopped at the end of the test."""
    from bot.bot_api.simulator import Simulator

    started = []

    async def start(catalog, day: float):
        clock.now = day
        application, api = await start_bot(make_services(catalog, settings, clock, matcher, store))
        started.append(application)
        return Simulator(application, api, clock=clock), api

    yield start
    for application in started:
        await stop_bot(application)


async def ask(sim, question: str, lang: str = "en"):
    calls = await sim.user(language_code=lang).send(question)
    return [c for c in calls if c.method == "sendMessage"]


# ---------------------------------------------------------------- the shipped case

async def test_while_ua_150_18_runs_both_officials_are_listed_with_every_contact(chat_on, catalog):
    sim, api = await chat_on(catalog, at(2018, 9, 15))
    (answer,) = await ask(sim, QUESTION_EN)
    assert answer.text == (f"<b>{QUESTION_EN}</b>\n\n{INTRO_EN}\n\n{UA_150_18_EN}\n\n{CONTACT_EN}\n\n"
                           f"{SOURCE_EN}")
    assert "Information as of" not in answer.text  # about the bot as it runs: not dated
    assert answer.button_texts() == [
        "What can I do to help?", "How do I write a good appeal to an official?",
        "Can I still act after the deadline?", "📄 Sources", "✍️ Take action", "🏠 Menu"]
    assert api.refusals == []


async def test_the_spanish_answer_uses_the_spanish_titles_and_labels(chat_on, catalog):
    sim, _ = await chat_on(catalog, at(2018, 9, 15))
    (answer,) = await ask(sim, "a quien le escribo", "es")
    assert answer.text.startswith(f"<b>{QUESTION_ES}</b>\n\nA las autoridades que nombra cada Acción Urgente")
    assert ("<b>UA 150.18: Un acuerdo de asilo entre EE. UU. y México pondría a muchas personas en "
            "riesgo</b>\n"
            "Fecha límite: 27 de septiembre de 2018.\n"
            "• Luis Videgaray, secretario de Relaciones Exteriores de México\n"
            "   ✉️ Correo postal: Luis Videgaray, Plaza Juárez No. 20, Piso 22, Delegación Cuauhtémoc, "
            "06010 CDMX, México\n"
            "   📧 Correo electrónico: canciller@sre.gob.mx\n"
            "   🐦 Twitter: @LVidegaray\n"
            "• Gerónimo Gutiérrez, embajador de México en Estados Unidos\n") in answer.text
    assert "   📞 Teléfono: +1 202 728 1600\n" in answer.text


async def test_after_the_deadline_the_open_case_is_listed_with_the_deadline_passed(chat_on, catalog):
    sim, _ = await chat_on(catalog, at(2018, 9, 28))  # the day after; the case closes on 30 October
    (answer,) = await ask(sim, QUESTION_EN)
    assert ("<b>UA 150.18: US–Mexico asylum deal would put many at risk</b>\n⚠️ The appeal deadline was "
            "27 September 2018. Before sending, check with the organizers that it is still useful: "
            "uan@aiusa.org.\n• Luis Videgaray") in answer.text


@pytest.mark.parametrize("day, shown", [((2018, 10, 30), "30 October 2018"),   # the closing update's day
                                        ((2026, 11, 29), "29 November 2026")])  # today
async def test_with_no_case_open_it_says_so_dated_and_points_to_past_cases(chat_on, catalog, day, shown):
    sim, api = await chat_on(catalog, at(*day))
    (answer,) = await ask(sim, QUESTION_EN)
    assert answer.text == (f"<b>{QUESTION_EN}</b>\n\n{INTRO_EN}\n\n"
                           f"No case is open for action today ({shown}).\n\n{WHEN_EMPTY_EN}\n\n"
                           f"{CONTACT_EN}\n\n{SOURCE_EN}")
    assert "Videgaray" not in answer.text and "Gutiérrez" not in answer.text
    assert answer.button_texts()[-4:] == ["📄 Sources", "🗄 Past cases", "✍️ Take action", "🏠 Menu"]
    calls = await sim.user().press("🗄 Past cases")
    assert calls[-1].text.startswith("<b>Past cases</b>")
    assert calls[-1].button_texts()[0] == "UA 150.18: US–Mexico asylum deal would put many at risk"
    assert api.refusals == []


async def test_today_in_spanish(chat_on, catalog):
    sim, _ = await chat_on(catalog, at(2026, 11, 29))
    (answer,) = await ask(sim, QUESTION_ES, "es")
    assert ("\n\nHoy, 29 de noviembre de 2026, no hay ningún caso abierto para actuar.\n\n"
            "En Casos anteriores (/cases) puedes ver") in answer.text
    assert ("Preguntas sobre los casos: la red de Acciones Urgentes de Amnistía Internacional EE. UU., "
            "uan@aiusa.org, (212) 807-8400.") in answer.text
    assert "🗄 Casos anteriores" in answer.button_texts()


async def test_the_sources_button_and_a_related_button_open(chat_on, catalog):
    sim, api = await chat_on(catalog, at(2018, 9, 15))
    user = sim.user()
    await user.send(QUESTION_EN)
    calls = await user.press("📄 Sources")
    assert calls[-1].text.startswith(f"<b>Sources: {QUESTION_EN}</b>")
    # the cases' and the officials' own passages: the contacts listed are quoted where they come from
    assert "Email: canciller@sre.gob.mx Twitter: @LVidegaray" in calls[-1].text
    calls = await user.press("⬅️ Back")  # back to the answer, made again from the cases
    assert texts_of(calls)[-1].startswith(f"<b>{QUESTION_EN}</b>\n\n{INTRO_EN}\n\n<b>UA 150.18")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert api.refusals == []


# ------------------------------------------------------------- other content trees

async def test_two_open_cases_are_listed_soonest_deadline_first(chat_on, two_case_catalog):
    sim, api = await chat_on(two_case_catalog, at(2018, 9, 15))
    (answer,) = await ask(sim, QUESTION_EN)
    fictional = ("<b>UA 999.99: TEST CASE (fictional): free the made-up journalist Sam Sample</b>\n"
                 "Deadline: 20 September 2018.\n"
                 "• Alex Example, Minister of Examples of Testland (fictional)\n"
                 "   📧 Email: minister@example.org\n"
                 "   🐦 Twitter: @ExampleMinister")  # the case offers email and tweet only
    fictional_source = "“A fictional case for advocacy-bot's tests” (advocacy-bot tests, 1 September 2018)"
    assert answer.text == (f"<b>{QUESTION_EN}</b>\n\n{INTRO_EN}\n\n{fictional}\n\n{UA_150_18_EN}\n\n"
                           f"{CONTACT_EN}\n\nSource: {fictional_source}; "
                           f"{SOURCE_EN.removeprefix('Source: ')}")
    assert api.refusals == []


async def test_once_the_fictional_case_closes_only_ua_150_18_is_left(chat_on, two_case_catalog):
    sim, _ = await chat_on(two_case_catalog, at(2018, 10, 1))  # its closing update's day
    (answer,) = await ask(sim, QUESTION_EN)
    assert "UA 999.99" not in answer.text and "Alex Example" not in answer.text
    passed = ("⚠️ The appeal deadline was 27 September 2018. Before sending, check with the organizers that "
              "it is still useful: uan@aiusa.org.")
    assert f"\n\n{UA_150_18_EN.replace('Deadline: 27 September 2018.', passed)}\n\n" in answer.text


def _tree_with(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of the shipped content with `{relative path: (old, new)}` applied."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for relative, (old, new) in edits.items():
        path = content / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return content


async def test_an_official_out_of_office_is_not_listed(chat_on, tmp_path):
    # Luis Videgaray's term ends on 1 September 2018 in this tree; the ambassador's does not.
    content = _tree_with(tmp_path, {"officials.yaml": ("    until: 2018-11-30\n", "    until: 2018-09\n")})
    sim, _ = await chat_on(load_catalog(content, ROOT / "seeds"), at(2018, 9, 15))
    (answer,) = await ask(sim, QUESTION_EN)
    assert "Videgaray" not in answer.text
    assert "Deadline: 27 September 2018.\n• Gerónimo Gutiérrez, Ambassador of Mexico" in answer.text


def _many_cases_tree(tmp_path: Path, count: int) -> Path:
    """The two-case tree plus `count - 1` more copies of the fictional case, with
    markup characters in the fictional official's title and the case's title, and
    a phone number for the official that these cases (email and tweet) do not offer."""
    content = two_case_tree(tmp_path)
    case = content / "campaigns" / "test-ua-999-99"
    yaml_path = case / "campaign.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(
        "free the made-up journalist Sam Sample", "free <Sam> & the made-up journalist Sam Sample"),
        encoding="utf-8")
    officials = content / "officials.yaml"
    officials.write_text(officials.read_text(encoding="utf-8").replace(
        "en: Minister of Examples of Testland (fictional)", "en: Minister of <Examples> & Tests (fictional)")
        .replace("  email: minister@example.org\n",
                 '  email: minister@example.org\n  phone: "+1 555 0100"\n'),
        encoding="utf-8")
    for n in range(1, count):
        copy = content / "campaigns" / f"test-ua-{n}-99"
        shutil.copytree(case, copy)
        text = (copy / "campaign.yaml").read_text(encoding="utf-8")
        (copy / "campaign.yaml").write_text(text.replace("id: test-ua-999-99", f"id: test-ua-{n}-99")
                                            .replace("reference: UA 999.99", f"reference: UA {n}.99"),
                                            encoding="utf-8")
        for template in (copy / "templates").glob("*.j2"):  # each case's own (check refuses copies)
            own = f"{{#- copy {n} -#}}" + template.read_text(encoding="utf-8")
            template.write_text(own, encoding="utf-8")
    return content


async def test_many_open_cases_go_out_in_several_messages_within_telegram_s_limit(chat_on, tmp_path):
    content = _many_cases_tree(tmp_path, count=30)
    sim, api = await chat_on(load_catalog(content, ROOT / "seeds"), at(2018, 9, 15))
    messages = await ask(sim, QUESTION_EN)
    assert len(messages) >= 2 and all(len(m.text) <= MAX_TEXT for m in messages)
    assert [bool(m.buttons()) for m in messages] == [False] * (len(messages) - 1) + [True]
    whole = "\n\n".join(m.text for m in messages)
    for n in [*range(1, 30), 999]:
        assert whole.count(f"<b>UA {n}.99: TEST CASE (fictional): free &lt;Sam&gt; &amp; the made-up") == 1
    assert whole.count("• Alex Example, Minister of &lt;Examples&gt; &amp; Tests (fictional)") == 30
    assert "555 0100" not in whole  # a channel the case does not offer is not listed
    assert whole.endswith(SOURCE_EN.removeprefix("Source: ")) and whole.count("<b>UA 150.18") == 1
    assert api.refusals == []


# ---------------------------------------------------------------- the command line

def run_ask(tmp_path, *args: str) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(CONTENT_DIR=str(ROOT / "content"), SEEDS_DIR=str(ROOT / "seeds"),
               DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    return subprocess.run([sys.executable, "-m", "bot", "ask", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)


def test_the_command_line_lists_the_same_officials_in_plain_text(tmp_path):
    result = run_ask(tmp_path, "who do i write to", "--as-of", "2018-09-15")
    assert result.returncode == 0, result.stderr
    plain = UA_150_18_EN.replace("<b>", "").replace("</b>", "")
    assert result.stdout.startswith(f"[who-to-write-to] (score 1.00)\n\n{INTRO_EN}\n\n{plain}\n\n"
                                    f"{CONTACT_EN}\n\nSources:\n")
    spanish = run_ask(tmp_path, "a quien le escribo", "--lang", "es", "--as-of", "2026-11-29").stdout
    assert "\n\nHoy, 29 de noviembre de 2026, no hay ningún caso abierto para actuar.\n\n" in spanish
    assert "Videgaray" not in spanish


# ------------------------------------------------- where each case stands (case_status)

DEADLINE_EN = "Can I still act after the deadline?"
HISTORY_EN = "Each Urgent Action asks supporters to act by a deadline, and its organizers say when"
LATE = ("UA 150.18: open, but its appeal deadline was 27 September 2018. Before sending, check with the "
        "organizers that it is still useful: uan@aiusa.org.")


@pytest.mark.parametrize("day, shown, line", [
    ((2018, 9, 27), "27 September 2018", "UA 150.18: open for action; deadline 27 September 2018."),
    ((2018, 9, 28), "28 September 2018", LATE),
    ((2018, 10, 29), "29 October 2018", LATE),
    ((2018, 10, 30), "30 October 2018", "UA 150.18: closed since 30 October 2018."),
    ((2026, 11, 29), "29 November 2026", "UA 150.18: closed since 30 October 2018."),
])
async def test_the_deadline_answer_opens_with_where_the_case_stands_that_day(chat_on, catalog, day, shown,
                                                                             line):
    sim, api = await chat_on(catalog, at(*day))
    (answer,) = await ask(sim, "is it too late to write to the officials?")
    assert answer.text.startswith(f"<b>{DEADLINE_EN}</b>\n\n<b>Where each case stands today ({shown}):</b>\n"
                                  f"• {line}\n\n{HISTORY_EN}")
    assert "this case is closed" not in answer.text
    assert ("🗄 Past cases" in answer.button_texts()) == ("closed" in line)  # when nothing is open
    assert api.refusals == []


async def test_the_deadline_answer_in_spanish(chat_on, catalog):
    sim, _ = await chat_on(catalog, at(2018, 9, 10))
    (answer,) = await ask(sim, "¿ya pasó el plazo para escribir?", "es")
    assert ("<b>Dónde está cada caso hoy (10 de septiembre de 2018):</b>\n"
            "• UA 150.18: abierto para actuar; fecha límite: 27 de septiembre de 2018.\n\n"
            "Cada Acción Urgente pide actuar antes de una fecha límite") in answer.text


async def test_past_the_deadline_the_spanish_answer_gives_the_network_s_contact(chat_on, catalog):
    """The late line used to say "check with the organizers" with no way to reach them."""
    sim, _ = await chat_on(catalog, at(2018, 10, 1))
    (answer,) = await ask(sim, "¿ya pasó el plazo para escribir?", "es")
    assert ("• UA 150.18: abierto, pero la fecha límite del llamamiento fue el 27 de septiembre de 2018. "
            "Antes de enviarlo, consulta con las personas organizadoras si todavía sirve: uan@aiusa.org.\n\n"
            ) in answer.text


async def test_open_cases_come_first_then_the_most_recently_ended(chat_on, two_case_catalog):
    sim, _ = await chat_on(two_case_catalog, at(2018, 10, 1))  # the fictional case's closing day
    (answer,) = await ask(sim, DEADLINE_EN)
    assert (f"<b>Where each case stands today (1 October 2018):</b>\n• {LATE}\n"
            "• UA 999.99: closed since 1 October 2018.\n\n") in answer.text


async def test_a_case_whose_officials_all_left_has_no_one_left_to_write_to(chat_on, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    officials = content / "officials.yaml"
    text = officials.read_text(encoding="utf-8")
    assert text.count("    until: 2018-11-30\n") == text.count("    until: 2018-12\n") == 1
    text = text.replace("    until: 2018-11-30\n", "    until: 2018-09\n")
    officials.write_text(text.replace("    until: 2018-12\n", "    until: 2018-09\n"), encoding="utf-8")
    sim, _ = await chat_on(load_catalog(content, ROOT / "seeds"), at(2018, 10, 15))
    (answer,) = await ask(sim, DEADLINE_EN)
    gone = "• UA 150.18: no one left to write to: the officials it names have left their posts.\n\n"
    assert gone in answer.text


def test_every_generator_name_check_accepts_has_a_function():
    assert set(AnswerGenerator.__args__) == set(GENERATORS)


# ------------------------------------------------ the questions every case raises

@pytest.mark.parametrize("day, deadline_line", [
    ((2018, 9, 27), "Deadline: 27 September 2018."),  # the deadline day itself
    ((2018, 10, 5), "⚠️ The appeal deadline was 27 September 2018. Before sending, check with the "
                    "organizers that it is still useful: uan@aiusa.org."),
    ((2026, 12, 7), None),  # closed: the most recent case, with no deadline to meet
])
async def test_what_the_appeal_asks_comes_from_the_case_on_every_day(chat_on, catalog, day, deadline_line):
    sim, api = await chat_on(catalog, at(*day))
    (answer,) = await ask(sim, "what does the urgent action ask for?")
    assert "The appeal asks:\n• Mexican authorities should refuse to sign" in answer.text
    # "who was it addressed to?" is answered by the same entry, on every day
    assert ("It is addressed to:\n• Luis Videgaray, Mexican Minister of Foreign Affairs\n"
            "• Gerónimo Gutiérrez, Ambassador of Mexico to the United States") in answer.text
    assert (deadline_line is not None) == ("Deadline" in answer.text or "deadline was" in answer.text)
    if deadline_line:
        assert deadline_line in answer.text
    else:
        assert "• UA 150.18: closed since 30 October 2018." in answer.text
    assert answer.text.rsplit("\n\n", 1)[-1] == SOURCE_EN
    (spanish,) = await ask(sim, "¿qué pide la acción urgente?", "es")
    assert "El llamamiento pide:\n• Que las autoridades mexicanas se nieguen a firmar" in spanish.text
    assert api.refusals == []


@pytest.mark.parametrize("question, opening", [
    ("who is at risk in this case?", "In August 2018 Amnesty International USA reported"),
    ("any news on the case?", "Latest update (30 October 2018): No further action needed"),
])
async def test_who_is_at_risk_and_what_happened_since_come_from_the_case(chat_on, catalog, question, opening):
    sim, _ = await chat_on(catalog, at(2026, 12, 7))
    (answer,) = await ask(sim, question)
    assert opening in answer.text and "closed since 30 October 2018" in answer.text
