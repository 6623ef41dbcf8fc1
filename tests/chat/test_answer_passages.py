"""End-to-end, through the Application with the real semantic tier: a
question about a detail that only an entry's *answer* mentions (a sum, a
figure, an office), in no phrasing, is answered or offered first with that
entry (issue 25, round 4: the answers' sentences are indexed too,
bot/ask/faq_matcher.py, and weigh in the fused score, bot/ask/combined_matcher.py).
"""

from __future__ import annotations

from concurrent.futures import Future

import pytest

from bot.ask.semantic_matcher import MISSING, SemanticTier
from bot.bot_api.simulator import Simulator
from bot.chat.ask import SHOW, button_data
from tests.chat.test_ask_back import ASKED_BACK_EN, ASKED_BACK_ES, buttons, heading
from tests.conftest import start_bot, stop_bot

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))


@pytest.fixture(scope="module")
def tier(tmp_path_factory) -> SemanticTier:
    from tests.ask.test_faq_matcher import load_faq_entries

    return SemanticTier.build(load_faq_entries(), cache_dir=tmp_path_factory.mktemp("semantic"))


@pytest.fixture
async def bot_with_tier(services, tier):
    ready: Future = Future()
    ready.set_result(tier)
    services.semantic = ready
    application, api = await start_bot(services)
    try:
        yield Simulator(application, api, clock=services.clock), api
    finally:
        await stop_bot(application)


# The $20 million the State Department was to move to DHS is in the answer of
# us-funding-deportations only; no phrasing of any entry names the sum or the transfer.
async def test_a_detail_only_an_answer_holds_is_answered_in_spanish(bot_with_tier, catalog):
    sim, api = bot_with_tier
    user = sim.user(language_code="es")
    (answer,) = await user.send("¿cuánto dinero pasó el Departamento de Estado al DHS?")
    entry = "us-funding-deportations"
    assert answer.text.startswith(f"{heading(catalog, entry, 'es')}\n\n"
                                  f"{catalog.faq[entry].answer.es.strip()[:60]}")
    assert api.refusals == []


@pytest.mark.parametrize(("lang", "question", "first"), [
    ("en", "how much money did the state department move to dhs", "us-funding-deportations"),
    # the National Guard's size (25,000) is in mexico-enforcement's answer alone
    ("es", "¿de cuántos elementos era la Guardia Nacional que México mandó al sur?", "mexico-enforcement"),
])
async def test_a_detail_only_an_answer_holds_puts_its_entry_first_when_asking_back(
        bot_with_tier, lang, question, first):
    sim, api = bot_with_tier
    user = sim.user(language_code=lang)
    (asked,) = await user.send(question)
    assert asked.text == (ASKED_BACK_EN if lang == "en" else ASKED_BACK_ES)
    assert buttons(asked)[0][1] == button_data(SHOW, first, lang)
    assert api.refusals == []
