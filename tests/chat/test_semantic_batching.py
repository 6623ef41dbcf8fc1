"""Many people asking at once, through the real Application with the real
semantic tier: their questions are ranked together in batches
(bot/ask/rank_batcher.py), and each person gets exactly the reply, buttons
included, that the same question gets when it is asked alone.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Future

import pytest
import yaml
from telegram import Update

from bot.ask.semantic_matcher import MISSING, SemanticTier
from bot.bot_api.simulator import Simulator
from tests.conftest import ROOT, start_bot, stop_bot

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))

AT_ONCE = 24


@pytest.fixture(scope="module")
def tier(tmp_path_factory) -> SemanticTier:
    from tests.ask.test_faq_matcher import load_faq_entries

    return SemanticTier.build(load_faq_entries(), cache_dir=tmp_path_factory.mktemp("semantic"))


def questions() -> list[tuple[str, str]]:
    """Development questions that the lexical tier alone is not sure of (so
    they reach the semantic tier), in both languages."""
    items = yaml.safe_load((ROOT / "tests" / "data" / "faq_eval_blind.yaml").read_text("utf-8"))
    return [(item["q"], item["lang"]) for item in items[::7]][:AT_ONCE]


def replies(calls, chat_id: int) -> list[tuple[str, list]]:
    """(text, buttons' data) of every message sent to the chat, in order."""
    out = []
    for call in calls:
        if call.method == "sendMessage" and int(call.params["chat_id"]) == chat_id:
            markup = call.params.get("reply_markup") or {}
            if isinstance(markup, str):
                markup = json.loads(markup)
            rows = markup.get("inline_keyboard", [])
            out.append((call.params["text"], [b.get("callback_data") for row in rows for b in row]))
    return out


def message_update(sim: Simulator, user_id: int, lang: str, text: str, update_id: int) -> Update:
    profile = {"id": user_id, "is_bot": False, "first_name": "Ana", "language_code": lang}
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": 100, "date": int(sim.clock()), "chat": {"id": user_id, "type": "private"},
        "from": profile, "text": text}}, sim.application.bot)


async def test_people_asking_at_once_are_ranked_together_and_each_gets_the_reply_alone_gives(
        services, tier: SemanticTier) -> None:
    ready: Future = Future()
    ready.set_result(tier)
    services.semantic = ready
    application, api = await start_bot(services)
    try:
        sim = Simulator(application, api, clock=services.clock)
        asked = questions()
        alone = {}
        for n, (question, lang) in enumerate(asked):
            user = sim.user(900_000 + n, language_code=lang)
            calls = await user.send(question)
            alone[n] = replies(calls, user.id)
            assert alone[n], question
        before = len(tier.batch_sizes)
        api.take_calls()
        updates = [message_update(sim, 950_000 + n, lang, question, 5_000 + n)
                   for n, (question, lang) in enumerate(asked)]
        await asyncio.gather(*(application.process_update(update) for update in updates))
        calls = api.take_calls()
        for n in range(len(asked)):
            assert replies(calls, 950_000 + n) == alone[n], asked[n][0]
        together = tier.batch_sizes[before:]
        assert sum(together) >= len(asked) // 2  # most of them reached the semantic tier
        assert max(together) > 1 and len(together) < sum(together), together  # in batches, not one by one
    finally:
        await stop_bot(application)
