"""End-to-end: the bot of a group that runs many cases, on the network tree
(tests/data/network): two topics and three cases. UA 150.18 closed in 2018;
UA 101.26 (fictional, another topic, an official who reads Portuguese) is
open on the tests' day, 7 December 2026; UA 120.26 (fictional) is issued on
10 January 2027.

Driven through the real Application: the welcome names only what is open
that day and its channels; Learn lists both topics; "who should I write to?"
and "who is at risk?" answer from UA 101.26's own files and cite its own
source; a letter in Portuguese comes with its translation in the supporter's
interface language; the third case is invisible until its issue date; an
update dated ahead is refused, then sent on its date; a reload adds a fourth
case without a restart, and a reload with a broken file keeps the running
content.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from bot.bot_api.simulator import Simulator
from bot.catalog import load_catalog
from bot.chat.take_action import PICK_CAMPAIGN
from bot.runtime import build_matcher
from tests.chat.test_case_updates import wait_for_broadcasts
from tests.conftest import ORGANIZER_ID, make_services, network_tree, start_bot, stop_bot, texts_of

TODAY = datetime(2026, 12, 7, 12, tzinfo=UTC).timestamp()
UPDATE_DAY = datetime(2026, 12, 20, 9, tzinfo=UTC).timestamp()
ISSUE_DAY_OF_THE_THIRD = datetime(2027, 1, 10, 9, tzinfo=UTC).timestamp()
THE_DAY_BEFORE_IT = datetime(2027, 1, 9, 23, tzinfo=UTC).timestamp()

UA_101_26_EN = "Brazil: Community leader threatened for defending land (fictional)"
UA_120_26_EN = "Kenya: Forest guardian detained (fictional)"
SHEET = "“Community leader threatened for defending land (fictional Urgent Action UA 101/26)”"


@pytest.fixture
def tree(tmp_path):
    return network_tree(tmp_path / "tree")


@pytest.fixture
async def network(tree, settings, clock, store):
    """(simulator, api, services) on the network tree, on the tests' day."""
    content, seeds = tree
    settings = settings.__class__(**{**settings.__dict__, "content_dir": content, "seeds_dir": seeds})
    catalog = load_catalog(content, seeds)
    clock.now = TODAY
    services = make_services(catalog, settings, clock, build_matcher(catalog), store)
    application, api = await start_bot(services)
    yield Simulator(application, api, clock=clock), api, services
    await stop_bot(application)


async def test_the_welcome_names_only_the_case_open_that_day_and_its_channels(network):
    sim, api, _ = network
    (welcome,) = await sim.user(first_name="Ana").send("/start")
    assert welcome.text.endswith(
        f"One Urgent Action is open now: <b>UA 101.26</b>: {UA_101_26_EN}. You can write, email or tweet the "
        "officials it names: press Take action.")
    assert "UA 150.18" not in welcome.text and "UA 120.26" not in welcome.text
    (bienvenida,) = await sim.user(5, "Luz", "es").send("/start")
    assert bienvenida.text.endswith("Puedes escribir, enviar un correo o tuitear a las autoridades que "
                                    "nombra: pulsa Actúa.")
    assert api.refusals == []


async def test_learn_lists_both_topics_then_each_ones_explainers(network):
    sim, _, _ = network
    user = sim.user()
    await user.send("/start")
    calls = await user.press("📚 Learn")
    assert calls[-1].text == "<b>Learn</b>\nChoose a topic:"
    assert calls[-1].button_texts() == ["Safe third country: the US–Mexico talks and US asylum policy",
                                        "Land and environmental defenders (fictional)", "🏠 Menu"]
    calls = await user.press("Land and environmental defenders (fictional)")
    assert calls[-1].text.startswith("<b>Land and environmental defenders (fictional)</b>\nPeople threatened")
    assert calls[-1].button_texts() == ["Why defenders of the land are threatened (fictional)",
                                        "🗂 All topics", "🏠 Menu"]
    calls = await user.press("Why defenders of the land are threatened (fictional)")
    assert f"Source: {SHEET} (advocacy-bot tests (fictional), 20 November 2026)" in calls[-1].text
    assert calls[-1].button_texts()[:4] == ["⬅️ Back", "📄 Sources", "📚 All explainers", "✍️ Take action"]


async def test_who_to_write_to_answers_from_the_open_cases_own_files(network):
    sim, _, _ = network
    (answer,) = await sim.user().send("who should I write to?")
    assert (f"<b>UA 101.26: {UA_101_26_EN}</b>\n"
            "Deadline: 15 January 2027.\n"
            "• Paulo Modelo, Governor of the fictional State of Teste\n"
            "   ✉️ Post: Governador Paulo Modelo, Palácio do Teste, Praça Fictícia 1, 00000-000 Cidade do "
            "Teste, Brasil\n"
            "   📧 Email: governador@example.org\n"
            "   🐦 Twitter: @ExemploGov") in answer.text
    assert "UA 150.18" not in answer.text and "UA 120.26" not in answer.text
    source = answer.text.rsplit("\n\n", 1)[-1]
    assert source.startswith(f"Source: {SHEET}")
    assert "UA 150.18" not in source  # the case's own source, not the first case's Urgent Action


@pytest.mark.parametrize("question", ["who is at risk?", "who is Rita Exemplar?", "quien es Rita Exemplar"])
async def test_who_is_at_risk_answers_from_the_case_and_cites_it(network, question):
    sim, _, _ = network
    (answer,) = await sim.user().send(question)
    assert "Rita Exemplar" in answer.text and "threatened" in answer.text or "amenazas" in answer.text
    assert "Juma Sample" not in answer.text  # the third case is not issued yet
    assert SHEET in answer.text.rsplit("\n\n", 1)[-1]


async def walk_to_the_letter(user) -> list:
    await user.send("/start")
    await user.press("menu:act")
    await user.press("act:off:paulo-modelo")
    await user.press("act:ch:letter")
    for _ in range(2):  # name, city
        await user.press("act:skip")
    await user.press("act:lang:pt")
    return await user.press("act:skip")  # the sentence, asked after the language


async def test_a_letter_in_portuguese_with_its_translation_in_the_interface_language(network):
    sim, api, _ = network
    calls = await walk_to_the_letter(sim.user(language_code="en"))
    letter = "\n".join(texts_of(calls))
    assert "Excelentíssimo Senhor Governador" in letter
    assert "Escrevo a respeito de Rita Exemplar" in letter
    assert "I am writing about Rita Exemplar" in letter  # the translation, in English
    calls = await walk_to_the_letter(sim.user(6, "Luz", "es"))
    carta = "\n".join(texts_of(calls))
    assert "Escrevo a respeito de Rita Exemplar" in carta
    assert "Le escribo por Rita Exemplar" in carta  # the translation, in Spanish
    assert "I am writing about" not in carta
    assert api.refusals == []


async def test_the_third_case_is_invisible_until_its_issue_date(network, clock):
    sim, _, _ = network
    user = sim.user()
    for day in (TODAY, THE_DAY_BEFORE_IT):
        clock.now = day
        (welcome,) = await user.send("/start")
        assert "UA 120.26" not in welcome.text
        calls = await user.press("menu:past")
        assert all("UA 120.26" not in label for label in calls[-1].button_texts())
        (answer,) = await user.send("who is Juma Sample?")
        assert "Juma Sample" not in answer.text
        message, _ = user.find_button("🏠 Menu")
        calls = await user.press_data(message, f"{PICK_CAMPAIGN}ua-120-26")  # a forged button
        assert [c.method for c in calls] == ["answerCallbackQuery"]  # stale: nothing shown
    clock.now = ISSUE_DAY_OF_THE_THIRD
    (welcome,) = await user.send("/start")
    assert "2 Urgent Actions are open now:" in welcome.text
    assert f"• <b>UA 120.26</b>: {UA_120_26_EN} (email)" in welcome.text


async def test_an_update_dated_ahead_is_refused_then_sent_on_its_date(network, clock):
    sim, api, services = network
    follower = sim.user(101, "Ana")
    await follower.send("/updates")
    await follower.press("upd:lon:ua-101-26")
    organizer = sim.user(ORGANIZER_ID, "Olga")
    (refused,) = await organizer.send("/broadcast ua-101-26 1")
    assert refused.text == ("Update 1 of UA 101.26 is dated 20 December 2026: it can be sent from "
                            "20 December 2026 on. Nothing was sent.")
    api.take_calls()
    clock.now = UPDATE_DAY
    preview, question = await organizer.send("/broadcast ua-101-26 1")
    assert question.text.endswith("Send it to <b>1</b> follower?")
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(sim.application, services.store)
    sent = [c for c in api.take_calls() if c.method == "sendMessage" and c.chat_id == 101]
    assert len(sent) == 1 and sent[0].text.startswith("📣 <b>UA 101.26 update (20 December 2026)</b>")


async def test_a_reload_adds_a_case_and_a_broken_reload_keeps_the_running_content(network, tree):
    sim, _, services = network
    content, _ = tree
    user, organizer = sim.user(), sim.user(ORGANIZER_ID, "Olga")
    fourth = content / "campaigns" / "ua-130-26"
    shutil.copytree(content / "campaigns" / "ua-120-26", fourth)
    yaml = fourth / "campaign.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("id: ua-120-26", "id: ua-130-26")
                    .replace("reference: UA 120.26", "reference: UA 130.26")
                    .replace("issued: 2027-01-10", "issued: 2026-12-01"), encoding="utf-8")
    for template in (fourth / "templates").glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        template.write_text(text.replace("Juma Sample", "Juma Sample's colleague"), encoding="utf-8")
    (before,) = await user.send("/start")
    assert "UA 130.26" not in before.text
    (done,) = await organizer.send("/reload")
    assert done.text == ("✅ Content reloaded: content OK: 2 topics, 4 cases, 4 officials, 15 explainers, "
                         f"{len(services.catalog.faq)} FAQ entries.")
    (after,) = await user.send("/start")
    assert "2 Urgent Actions are open now:" in after.text and "<b>UA 130.26</b>" in after.text

    yaml.write_text(yaml.read_text(encoding="utf-8").replace("status: open", "status: opne"),
                    encoding="utf-8")
    (refused,) = await organizer.send("/reload")
    assert refused.text.startswith("⚠️ Content not reloaded, so the running content stays as it was. "
                                   "1 problem:\n<code>")
    assert refused.text.endswith("ua-130-26/campaign.yaml:4: 'status' must be one of open, closed, draft, "
                                 "not 'opne'</code>")
    (still,) = await user.send("/start")
    assert "<b>UA 130.26</b>" in still.text
    (not_allowed,) = await sim.user(55).send("/reload")
    assert not_allowed.text == "This command is for organizers."
