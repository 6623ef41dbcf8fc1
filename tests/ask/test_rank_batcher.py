"""The semantic tier under load: one worker ranks every waiting question in one
batch, each question getting what it gets alone, and BLAS held to one thread.

The batcher's own behaviour (what goes in a batch, errors, the worker coming
and going) is pinned with a ranking function that waits on an event; what a
batch gives each question is checked with the real encoder on every question
of the development set.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest
import yaml

from bot.ask.combined_matcher import _lexical, ask, ask_off_loop, decide
from bot.ask.faq_matcher import FaqMatcher
from bot.ask.rank_batcher import RankBatcher
from bot.ask.semantic_matcher import MISSING, SemanticTier
from tests.ask.test_faq_matcher import Entries, load_faq_entries
from tests.conftest import ROOT

needs_semantic = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))


def eval_items(name: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "data" / name).read_text("utf-8"))


class Gated:
    """rank_many that notes each batch and holds the first one until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[int] = set()
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, questions: Sequence[str]) -> list[str]:
        self.batches.append(list(questions))
        self.threads.add(threading.get_ident())
        self.started.set()
        assert self.release.wait(5)
        return [f"ranked {q}" for q in questions]


def test_a_question_alone_is_ranked_at_once_in_a_batch_of_one() -> None:
    gated = Gated()
    gated.release.set()
    batcher = RankBatcher(gated)
    assert batcher.submit("alone").result(timeout=5) == "ranked alone"
    assert gated.batches == [["alone"]] and list(batcher.batches) == [1]


def test_questions_waiting_while_a_batch_runs_go_in_the_next_one_each_with_its_own_result() -> None:
    gated = Gated()
    batcher = RankBatcher(gated, max_batch=4)
    first = batcher.submit("q0")
    assert gated.started.wait(5)  # q0 is being ranked; these six wait
    waiting = [batcher.submit(f"q{n}") for n in range(1, 7)]
    gated.release.set()
    assert first.result(timeout=5) == "ranked q0"
    assert [f.result(timeout=5) for f in waiting] == [f"ranked q{n}" for n in range(1, 7)]
    assert gated.batches == [["q0"], ["q1", "q2", "q3", "q4"], ["q5", "q6"]]  # in order, at most max_batch
    assert len(gated.threads) == 1 and threading.get_ident() not in gated.threads


def test_an_error_reaches_every_question_of_its_batch_and_the_worker_goes_on() -> None:
    calls = []

    def failing(questions: Sequence[str]) -> list[str]:
        calls.append(list(questions))
        if len(calls) == 1:
            raise ValueError("model broke")
        return list(questions)

    batcher = RankBatcher(failing)
    with pytest.raises(ValueError, match="model broke"):
        batcher.submit("a").result(timeout=5)
    assert batcher.submit("b").result(timeout=5) == "b"


def test_an_idle_worker_goes_away_and_the_next_question_starts_one() -> None:
    gated = Gated()
    gated.release.set()
    batcher = RankBatcher(gated, idle_s=0.05, name="rank-idle-test")
    assert batcher.submit("a").result(timeout=5) == "ranked a"
    deadline = time.monotonic() + 5
    while any(t.name == "rank-idle-test" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(t.name == "rank-idle-test" for t in threading.enumerate())
    assert batcher.submit("b").result(timeout=5) == "ranked b"



def test_a_question_arriving_within_the_gathering_window_joins_its_batch() -> None:
    gated = Gated()
    gated.release.set()
    batcher = RankBatcher(gated, gather_s=30, max_batch=2)
    first = batcher.submit("q0")
    time.sleep(0.2)  # the worker has taken q0 long before (ordering, not a measure): it gathers
    second = batcher.submit("q1")
    assert (first.result(timeout=10), second.result(timeout=10)) == ("ranked q0", "ranked q1")
    assert gated.batches == [["q0", "q1"]] and list(batcher.batches) == [2]


def test_a_full_batch_is_ranked_at_once_without_waiting_out_the_window() -> None:
    gated = Gated()
    gated.release.set()
    batcher = RankBatcher(gated, gather_s=60, max_batch=2)
    futures = [batcher.submit(f"q{n}") for n in range(2)]
    assert [f.result(timeout=10) for f in futures] == ["ranked q0", "ranked q1"]  # not after 60 s
    assert gated.batches == [["q0", "q1"]]


# ------------------------------------------------ a wait with a budget (busy tier)


async def test_a_question_waits_its_budget_at_most_then_goes_without_and_is_never_ranked() -> None:
    gated = Gated()
    batcher = RankBatcher(gated)
    first = batcher.submit("q0")
    assert gated.started.wait(5)  # the worker is busy with q0
    try:
        late = await asyncio.wait_for(batcher.rank_within("q1", 0.05), 5)
    finally:
        gated.release.set()
    assert late is None and batcher.late == 1
    assert first.result(timeout=5) == "ranked q0"
    assert await asyncio.wait_for(batcher.rank_within("q2", None), 5) == "ranked q2"  # no limit: waits
    assert await batcher.rank_within("q3", 5) == "ranked q3" and batcher.late == 1
    assert gated.batches == [["q0"], ["q2"], ["q3"]]  # q1 given up before its batch: not ranked


def diagonal_tier(encoder) -> SemanticTier:
    """A SemanticTier of two entries on a two-dimensional 'model': how-to-help
    along x, about-this-bot along y; ``encoder`` decides where questions go."""
    vectors = np.eye(2, dtype=np.float32)
    return SemanticTier(("how-to-help", "about-this-bot"), np.arange(2), vectors, encoder)


class GatedEncoder:
    """Every question on how-to-help's axis, once ``release`` is set."""

    version = "gated-test-encoder"

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += texts
        self.started.set()
        assert self.release.wait(5)
        return np.tile(np.array([1.0, 0.0], dtype=np.float32), (len(texts), 1))


async def test_the_tier_s_ranking_in_time_or_none_when_it_is_busy_and_it_counts_them() -> None:
    encoder = GatedEncoder()
    tier = diagonal_tier(encoder)
    tier.wait_s = 0.05
    busy = tier.rank_soon("first")
    assert encoder.started.wait(5)
    try:
        assert await asyncio.wait_for(tier.rank_in_time("second"), 5) is None
    finally:
        encoder.release.set()
    assert busy.result(timeout=5)[0][0] == "how-to-help"
    assert (await tier.rank_in_time("third"))[0] == ("how-to-help", 1.0)
    assert tier.late == 1 and encoder.texts == ["first", "third"]


# ------------------------------------------------------- with the real model


@pytest.fixture(scope="module")
def entries() -> Entries:
    return load_faq_entries()


@pytest.fixture(scope="module")
def tier(entries: Entries, tmp_path_factory) -> SemanticTier:
    if MISSING is not None:
        pytest.skip(MISSING)
    return SemanticTier.build(entries, cache_dir=tmp_path_factory.mktemp("cache"))


@needs_semantic
def test_a_batch_gives_each_question_the_vector_and_the_answer_it_gets_alone(tier: SemanticTier,
                                                                             entries: Entries) -> None:
    """Batched, the encoder's products run over more rows, so the vectors may
    differ in the last float bits (~1e-7) and a similarity in its fourth
    decimal; what the supporter gets (answered, asked back or declined, which
    entry, which are offered) must not change."""
    lexical = FaqMatcher.build(entries)
    items = eval_items("faq_eval_blind.yaml")
    questions = [(item["q"], item["lang"]) for item in items]
    texts = [q for q, _ in questions]
    encoder = tier._encoder
    alone = np.vstack([encoder.encode([text]) for text in texts])
    batched = np.vstack([encoder.encode(texts[i:i + 16]) for i in range(0, len(texts), 16)])
    np.testing.assert_allclose(batched, alone, rtol=0, atol=1e-6)
    ranked_together = [r for i in range(0, len(texts), 16) for r in tier.rank_many(texts[i:i + 16])]
    for (question, lang), together in zip(questions, ranked_together, strict=True):
        lang_, text, first, scores = _lexical(lexical, question, lang)
        one = decide(lexical, lang_, text, first, scores, tier.rank(question))
        many = decide(lexical, lang_, text, first, scores, together)
        assert (many.outcome, many.match.id, many.offered, many.kind) == (
            one.outcome, one.match.id, one.offered, one.kind), question


@needs_semantic
async def test_the_chat_path_ranks_questions_asked_at_once_in_batches_off_the_loop(
        tier: SemanticTier, entries: Entries, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tier, "wait_s", None)  # a busy test machine must not send one to the lexical tier
    lexical = FaqMatcher.build(entries)
    items = eval_items("faq_eval_blind.yaml")[:48]
    before = len(tier.batch_sizes)
    together = await asyncio.gather(*(ask_off_loop(lexical, tier, item["q"], item["lang"]) for item in items))
    for item, asked in zip(items, together, strict=True):
        alone = ask(lexical, tier, item["q"], item["lang"])
        assert (asked.outcome, asked.match.id, asked.offered) == (
            alone.outcome, alone.match.id, alone.offered), item["q"]
    sizes = tier.batch_sizes[before:]
    assert sizes and max(sizes) > 1  # asked at once, ranked together
    assert threading.current_thread().name != "semantic-rank"


@needs_semantic
def test_blas_runs_on_one_thread_once_the_model_is_loaded(tier: SemanticTier) -> None:
    """USE limits BLAS only inside its own call; the ranking's products ran on
    OpenBLAS's whole pool, whose spinning threads cost ~4x the CPU per question
    on two cores (docs/ask-evaluation.md, "Speed and memory")."""
    from threadpoolctl import threadpool_info

    tier.rank("is mexico safe")
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
