"""One decision from the two FAQ tiers: answer, ask back, or decline.

A confident answer to a different question is the failure to avoid; one tap
to the right answer is fine. So the bot answers only when the best entry is
clearly ahead of the next, asks back ("Did you mean…?", the closest entries
as buttons) when two or three are close, and declines when nothing is:

1. **Kinds first** (``bot.ask.question_kind``): a person's own legal
   situation is answered with the legal-help entry, the topic entries it
   touches offered beside it; fear about the chat itself with the privacy
   entry. Whatever topic words they hold, but one: a question read as
   personal on weak words alone ("legal", "status") that the tiers clearly
   and together put on a policy entry is asked back, legal help and that
   entry offered (round 5: a wrong legal-help answer is still wrong); and
   one that asks the rule in general beside the personal words ("is MPP
   still going on? mi hermano está en Tijuana", ``generally_asked``) is asked
   back, legal help and the nearest policy entry offered (round 7).
2. **A sure lexical answer stands**: scoring ``LEXICAL_SURE`` and ahead of
   the next entry by ``LEXICAL_SURE_MARGIN``, it does not wait for the
   semantic tier (half the questions; a few milliseconds of CPU each).
3. **Both tiers, fused.** Every entry's lexical score (0..1) plus
   ``FUSION_WEIGHT`` times its semantic similarity *standardised over the
   entries for this question* (z-score): the semantic tier says which entries
   are relatively close in meaning, whatever the model's own scale, and the
   lexical tier keeps its exact words, accents folded and typos corrected.
   Plus ``PASSAGE_WEIGHT`` times its score against the sentences of its
   *answer* (``FaqMatcher.passage_scores``; round 4): a detail the answer
   mentions in passing, which no phrasing holds.
4. **Answer** when the fused best beats the runner-up by ``ANSWER_MARGIN``
   *and* a tier is sure of it on its own scale (lexical ``ANSWER_LEXICAL``,
   or semantic ``ANSWER_SEMANTIC`` with lexical ``ANSWER_SEMANTIC_LEXICAL``:
   off-topic questions built from the FAQ's words, "what is the capital of
   Honduras", are close in meaning and far in words): the margin keeps neighbouring entries
   (the Canada agreement and the Mexico talks) from being answered for each
   other, the absolute bar keeps off-topic questions out. And the tiers must
   **agree** (``_agree``): the fused best is the semantic tier's first and
   not behind in words, or the words put it clearly first. When the
   words point at one entry and the meaning at another, the bot asks back
   (on the two test sets, read since, most confident wrongs were such splits).
   Nearer than the margin, it still answers when **all three voices** put
   the fused best first, the words, the meaning and the answer's sentences,
   and its lexical score reaches ``ALL_AGREE_LEXICAL`` (round 4: on the
   development sets such questions were asked back with the right entry on
   top 45 times in 50); or when the meaning ranks it first and the words
   first or second, both sure of it (``_near_agree``, round 6: the asked-back
   questions whose first offered entry is right, chosen by a grid), or the
   meaning and the answer's sentences rank it first and the words second
   (``_passage_agree``). But a question that asks for one detail (who was,
   how many, when: ``asks_detail``) is asked back rather than answered when
   its answer's sentences rank the fused best low and the meaning puts it
   only a little ahead (``_detail_unsupported``, round 9: the entry on the
   subject, without the detail asked).
5. **Ask back** with the ``OFFERED`` closest entries, in fused order, when the
   best entry is near enough to be a candidate (lexical ``ASK_LEXICAL`` or
   semantic ``ASK_SEMANTIC``); otherwise **decline** (nothing offered; the
   closest entries stay in ``match.suggestions`` for the command line).

Without the semantic tier (not built yet, or ``SEMANTIC_TIER=off``) the
lexical tier decides alone: its answer stands when it is ``LEXICAL_ALONE_MARGIN``
ahead of the next entry (else it asks back with both); its decline asks back
when its best entry reaches ``LEXICAL_ASK_FLOOR``.

Calibration (``python -m tests.ask_calibration``): a grid over the fusion
weight, the margin and the four bars, on the development sets
(tests/data/faq_dev_test1.yaml to faq_dev_test6.yaml, faq_eval_blind.yaml and the earlier two) and
their noisy variants (tests/ask/noisy_questions.py), each setting scored by
its right answers minus four times its wrong ones: a confident wrong answer
costs more than a tap. The test set (tests/data/faq_test.yaml, written after
this tuning) is never used; docs/ask-evaluation.md says so. Round 4 chose
``PASSAGE_WEIGHT`` and the ``ALL_AGREE_*`` floors by the same score over the
questions the development sets ask back (docs/ask-evaluation.md, round 4).

A message of stop words alone ("hi", "gracias") never reaches the semantic
tier: it is not a question, and the chat asks for one.

``ask`` is the whole reading of a question, as the chat and the command line
do it; ``ask_off_loop`` is the same for an event loop, the semantic ranking
(a few milliseconds of CPU) in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from bot.ask.faq_matcher import EMPTY, MAX_INPUT_CHARS, SUGGESTIONS, FaqMatcher, Match
from bot.ask.question_kind import (
    ENTRY_FOR,
    PERSONAL,
    Kind,
    asks_detail,
    generally_asked,
    kind_of,
    weakly_personal,
)
from bot.ask.text_normalise import STOP_WORDS, tokenise

__all__ = ["AGREE_LEXICAL_BEHIND", "AGREE_LEXICAL_MARGIN", "AGREE_LEXICAL_SECOND", "ALL_AGREE_LEXICAL",
           "ALL_AGREE_PASSAGE", "ANSWER_LEXICAL", "ANSWER_MARGIN", "ANSWER_SEMANTIC",
           "ANSWER_SEMANTIC_LEXICAL", "ASK_LEXICAL", "ASK_SEMANTIC", "DETAIL_LEXICAL", "DETAIL_PASSAGE_RANK",
           "DETAIL_SEMANTIC_LEAD", "FUSION_WEIGHT",
           "LEXICAL_ALONE_MARGIN", "LEXICAL_ASK_FLOOR", "LEXICAL_SURE", "LEXICAL_SURE_MARGIN", "NEAR_MARGIN",
           "NEAR_SEMANTIC", "OFFERED", "PASSAGE_AGREE_PASSAGE", "PASSAGE_AGREE_SEMANTIC",
           "PASSAGE_WEIGHT", "Asked", "Outcome", "Ranker", "ask", "ask_off_loop", "decide"]

FUSION_WEIGHT = 0.15  # per standard deviation of semantic similarity, added to the lexical score
ANSWER_MARGIN = 0.12
# The answers' sentences (round 4): their lexical score's weight in the fused
# score, and the lexical score a fused best needs to be answered, within the
# margin, when the words, the meaning and the answers all rank it first
# (and the answers' score ALL_AGREE_PASSAGE).
PASSAGE_WEIGHT = 0.2
ALL_AGREE_LEXICAL = 0.32
ALL_AGREE_PASSAGE = 0.20
# Round 6: within the margin, the fused best is still answered when the
# meaning ranks it first, the words first or second, the words are sure of it
# (ANSWER_LEXICAL, at most AGREE_LEXICAL_MARGIN behind the words' first), the
# meaning reaches NEAR_SEMANTIC and the fused lead is at least NEAR_MARGIN.
# Chosen by a grid over the questions the development sets ask back, a wrong
# costing four right (tests/ask_asked_back.py; docs/ask-evaluation.md, round 6).
NEAR_MARGIN = 0.06
NEAR_SEMANTIC = 0.61
# Round 6: and when the meaning and the answer's sentences rank it first and
# the words second, with these bars (``_passage_agree``).
PASSAGE_AGREE_SEMANTIC = 0.46
PASSAGE_AGREE_PASSAGE = 0.30
# The tiers must agree on an answer (``_agree``): the semantic tier's first
# within AGREE_LEXICAL_BEHIND of the lexical tier's first, or the lexical first by
# AGREE_LEXICAL_SECOND with the semantic tier's second, or the lexical first by
# AGREE_LEXICAL_MARGIN whatever the meaning says. Round 3, a wrong costing
# four right answers: the margin 0.14 -> 0.12 with this agreement.
AGREE_LEXICAL_BEHIND = 0.05
AGREE_LEXICAL_SECOND = 0.10
AGREE_LEXICAL_MARGIN = 0.15
ANSWER_LEXICAL = 0.40
ANSWER_SEMANTIC = 0.56
ANSWER_SEMANTIC_LEXICAL = 0.25  # the lexical score a semantic-only answer still needs
ASK_LEXICAL = 0.25
ASK_SEMANTIC = 0.40
LEXICAL_ASK_FLOOR = 0.20
# Alone, the lexical tier's answer stands only this far ahead of the next
# entry; nearer, it asks back with both (on the development sets: 31 fewer
# wrong answers for 66 fewer right first, each of those still offered).
LEXICAL_ALONE_MARGIN = 0.06
# A lexical answer this sure, this far ahead, does not wait for the semantic
# tier: about half of the development questions, none of them answered
# wrongly by the lexical tier (tests/ask_calibration.py prints the check), and
# a few milliseconds of CPU saved on each.
LEXICAL_SURE = 0.60
LEXICAL_SURE_MARGIN = 0.20
OFFERED = 3
# Round 9: a question that asks for a detail (``asks_detail``: who, how many,
# when, an address…) is asked back rather than answered when the answer's
# sentences rank the fused best no better than DETAIL_PASSAGE_RANK-th
# (0-based: three answers or more hold its words better), the words are not
# sure of it (under DETAIL_LEXICAL) and the meaning puts it less than
# DETAIL_SEMANTIC_LEAD ahead of its next entry: the entry leads on the
# subject's words, and its answer does not hold the detail. Chosen by a grid
# over the development sets' answered questions, a wrong costing four right,
# each blind-derived set held out in turn (tests/ask_wrong_guard.py).
DETAIL_PASSAGE_RANK = 3
DETAIL_LEXICAL = 0.65
DETAIL_SEMANTIC_LEAD = 0.07

Tier = Literal["lexical", "both", "rule"]
Outcome = Literal["answered", "asked_back", "declined"]


class Ranker(Protocol):
    """What the decision needs of the semantic tier (``SemanticTier`` has it;
    it also has ``rank_soon``, a Future of ``rank`` from its batching worker,
    which ``ask_off_loop`` uses when a ranker offers it)."""

    def rank(self, question: str) -> Sequence[tuple[str, float]]: ...


@dataclass(frozen=True)
class Asked:
    """A question read.

    ``match.id`` is the entry answered (None otherwise); ``offered`` the
    entries offered, in order: the "Did you mean…?" buttons when asking back,
    the topic entries beside the legal-help answer to a personal situation.
    ``tier`` says what decided: "lexical" alone, "both" fused, "rule" a kind
    of question (``kind``), None for a decline."""

    match: Match
    lang: str
    tier: Tier | None
    outcome: Outcome
    offered: tuple[str, ...] = ()
    kind: Kind | None = None


def ask(lexical: FaqMatcher, tier: Ranker | None, question: str, fallback: str | None = None) -> Asked:
    """Read ``question`` in its own language (``fallback`` when it does not
    tell), with both tiers when ``tier`` is there."""
    lang, text, first, scores = _lexical(lexical, question, fallback)
    ranked = tier.rank(text) if _consults(tier, text, scores) else None
    return decide(lexical, lang, text, first, scores, ranked)


async def ask_off_loop(lexical: FaqMatcher, tier: Ranker | None, question: str,
                       fallback: str | None = None,
                       waiting: Callable[[], AbstractAsyncContextManager] | None = None) -> Asked:
    """``ask``, with the semantic ranking in a worker thread: the tier's own
    (``rank_in_time``: one thread ranking every waiting question in one batch,
    ``bot.ask.rank_batcher``, waited for ``WAIT_S`` at most, then the lexical
    tier alone) when it has one, else the loop's executor. ``waiting()`` is
    entered for the wait only, when there is one: the chat gives back its
    processing place there (``bot.chat.ordering.place_released``)."""
    lang, text, first, scores = _lexical(lexical, question, fallback)
    ranked = None
    if _consults(tier, text, scores):
        async with (waiting or contextlib.nullcontext)():
            ranked = await _ranked_off_loop(tier, text)
    return decide(lexical, lang, text, first, scores, ranked)


async def _ranked_off_loop(tier: Ranker, text: str) -> Sequence[tuple[str, float]] | None:
    """The ranking, off the loop; None when the tier is too busy to give it
    in time (``rank_in_time``): the lexical tier then decides alone."""
    in_time = getattr(tier, "rank_in_time", None)
    if in_time is not None:
        return await in_time(text)
    soon = getattr(tier, "rank_soon", None)
    if soon is not None:
        return await asyncio.wrap_future(soon(text))
    return await asyncio.to_thread(tier.rank, text)


def _lexical(lexical: FaqMatcher, question: str, fallback: str | None):
    text = question[:MAX_INPUT_CHARS] if isinstance(question, str) else ""
    lang = lexical.language_of(text, fallback)
    first, scores = lexical.scored(text, lang)
    return lang, text, first, scores


def _consults(tier: Ranker | None, text: str, scores) -> bool:
    """Whether the semantic tier is asked: not without words beyond stop
    words, not when the lexical tier alone is sure and far ahead."""
    if tier is None or scores is None or all(token in STOP_WORDS for token in tokenise(text)):
        return False
    best, second = np.partition(scores, -2)[-2:][::-1] if len(scores) > 1 else (scores[0], 0.0)
    return not (best >= LEXICAL_SURE and best - second >= LEXICAL_SURE_MARGIN)


def decide(lexical: FaqMatcher, lang: str, text: str, first: Match, scores: np.ndarray | None,
           ranked: Sequence[tuple[str, float]] | None) -> Asked:
    """The decision from the lexical match ``first``, every entry's lexical
    ``scores`` (None: no words) and the semantic ranking (None: no tier)."""
    if scores is None:
        return Asked(EMPTY if first.id is None else first, lang, None, "declined")
    ids = lexical.ids
    passages = None
    if ranked:
        passages = lexical.passage_scores(text, lang)
        order, fused, semantic = _fused(ids, scores, ranked, passages)
    else:
        order, fused, semantic = None, None, None
    kind = kind_of(text)
    if kind is not None and ENTRY_FOR[kind] in ids:
        if kind == PERSONAL and weakly_personal(text):
            policy = (_sure_lexically(ids, scores, ENTRY_FOR[kind]) if order is None else
                      _clear_policy(ids, order, fused, scores, semantic, passages, ENTRY_FOR[kind]))
            if policy is not None:
                return _personal_or_policy(lang, scores if fused is None else fused, ids, policy,
                                           ENTRY_FOR[kind])
        if kind == PERSONAL and generally_asked(text):
            policy = _nearest_policy(ids, order, scores, semantic, ENTRY_FOR[kind])
            if policy is not None:
                return _personal_or_policy(lang, scores if fused is None else fused, ids, policy,
                                           ENTRY_FOR[kind])
        return _by_kind(kind, lang, first, ids, order, scores)
    if order is None:
        return _lexical_alone(first, lang, scores)
    best = order[0]
    closest = tuple(ids[i] for i in order[:OFFERED])
    if _answers(order, fused, scores, semantic, passages) and not _detail_unsupported(
            text, best, scores, semantic, passages):
        return Asked(Match(ids[best], round(float(fused[best]), 4), closest[1:]), lang, "both", "answered")
    match = Match(None, round(float(fused[best]), 4), closest)
    if scores[best] >= ASK_LEXICAL or semantic[best] >= ASK_SEMANTIC:
        return Asked(match, lang, "both", "asked_back", closest)
    return Asked(match, lang, None, "declined")


def _answers(order: Sequence[int], fused: np.ndarray, scores: np.ndarray, semantic: np.ndarray,
             passages: np.ndarray | None) -> bool:
    """Whether the fused best (``order[0]``) is answered: clearly ahead, a
    tier sure of it and the tiers agreeing, or all three voices on it."""
    best, second = order[0], order[1] if len(order) > 1 else order[0]
    margin = fused[best] - fused[second] if len(order) > 1 else float("inf")
    sure = scores[best] >= ANSWER_LEXICAL or (
        semantic[best] >= ANSWER_SEMANTIC and scores[best] >= ANSWER_SEMANTIC_LEXICAL)
    near = scores[best] >= ASK_LEXICAL or semantic[best] >= ASK_SEMANTIC
    return bool((margin >= ANSWER_MARGIN and sure and _agree(best, scores, semantic)) or (
        near and _all_agree(best, scores, semantic, passages)) or _near_agree(best, margin, scores, semantic)
        or _passage_agree(best, scores, semantic, passages))


def _detail_unsupported(text: str, best: int, scores: np.ndarray, semantic: np.ndarray,
                        passages: np.ndarray | None) -> bool:
    """Whether ``best``, answerable by the tiers, is asked back because the
    question asks for a detail its answer likely does not hold: the answers'
    sentences rank it ``DETAIL_PASSAGE_RANK``-th or lower, the words are
    under ``DETAIL_LEXICAL`` and the meaning's lead over its next entry is
    under ``DETAIL_SEMANTIC_LEAD`` (round 9: "who was the mexican ambassador
    in 2018" answered with ``who-to-write-to``, "how many did mexico deport
    in 2019" with ``mexico-enforcement``; on the development sets 43 wrong
    answers asked back for 18 right ones, tests/ask_wrong_guard.py)."""
    if passages is None or scores[best] >= DETAIL_LEXICAL or not asks_detail(text):
        return False
    others = np.delete(np.asarray(semantic, dtype=np.float64), best)
    lead = float(semantic[best]) - (float(others.max()) if others.size else 0.0)
    return int((passages > passages[best]).sum()) >= DETAIL_PASSAGE_RANK and lead < DETAIL_SEMANTIC_LEAD


def _passage_agree(best: int, scores: np.ndarray, semantic: np.ndarray, passages: np.ndarray | None) -> bool:
    """Whether the answer's sentences and the meaning rank ``best`` first
    and the words first or second (``_all_agree`` with the words one place
    looser): lexical ``ALL_AGREE_LEXICAL``, semantic ``PASSAGE_AGREE_SEMANTIC``
    and the answer's ``PASSAGE_AGREE_PASSAGE`` at least (round 6: 10 asked-back
    questions of the development sets, as written and noisy, all right)."""
    if (passages is None or scores[best] < ALL_AGREE_LEXICAL or semantic[best] < PASSAGE_AGREE_SEMANTIC
            or passages[best] < PASSAGE_AGREE_PASSAGE):
        return False
    return (int((semantic > semantic[best]).sum()) == 0 and int((passages > passages[best]).sum()) == 0
            and int((scores > scores[best]).sum()) <= 1)


def _near_agree(best: int, margin: float, scores: np.ndarray, semantic: np.ndarray) -> bool:
    """Whether a fused best the tiers do not agree on (``_agree``) or nearer
    than the margin is answered all the same: the meaning ranks it first and
    reaches ``NEAR_SEMANTIC``; the words rank it first or second, with
    ``ANSWER_LEXICAL`` at least and no more than ``AGREE_LEXICAL_MARGIN``
    behind their first (past that the words point elsewhere: asked back);
    and it leads the fused scores by ``NEAR_MARGIN``. Round 6: on the
    development sets such asked-back questions had the right entry on top
    43 times in 47, none wrong on test sets 3 to 5 (tests/ask_asked_back.py).
    """
    if margin < NEAR_MARGIN or scores[best] < ANSWER_LEXICAL or semantic[best] < NEAR_SEMANTIC:
        return False
    behind = float(np.max(scores)) - float(scores[best])  # the words' first, when it is not ``best``
    return (int((semantic > semantic[best]).sum()) == 0 and int((scores > scores[best]).sum()) <= 1
            and behind <= AGREE_LEXICAL_MARGIN)


def _clear_policy(ids: Sequence[str], order: Sequence[int], fused: np.ndarray, scores: np.ndarray,
                  semantic: np.ndarray, passages: np.ndarray | None, entry: str) -> int | None:
    """The policy entry both tiers point at, clearly and together, for a
    question the personal rule reads as a case: the fused best, not the
    kind's own entry, that the tiers would answer on their own (``_answers``)
    and that the meaning ranks first too. None otherwise (round 5: on test
    set 4 most confident wrongs of the rule were such questions, asked for a
    class or a source, and answering legal-help to them is still wrong)."""
    best = order[0]
    if ids[best] == entry or int((semantic > semantic[best]).sum()) != 0:
        return None
    return best if _answers(order, fused, scores, semantic, passages) else None


def _nearest_policy(ids: Sequence[str], order: Sequence[int] | None, scores: np.ndarray,
                    semantic: np.ndarray | None, entry: str) -> int | None:
    """For a personal reading that asks the rule in general
    (``generally_asked``), the closest entry that is not the kind's own, in
    fused order (the words' order without the meaning), when it is near
    enough to be offered (``ASK_LEXICAL`` or ``ASK_SEMANTIC``). Round 7."""
    candidates = order if order is not None else np.argsort(-np.asarray(scores), kind="stable").tolist()
    for index in candidates:
        if ids[index] == entry:
            continue
        near = scores[index] >= ASK_LEXICAL or (semantic is not None and semantic[index] >= ASK_SEMANTIC)
        return index if near else None
    return None


def _sure_lexically(ids: Sequence[str], scores: np.ndarray, entry: str) -> int | None:
    """Without the meaning (a sure lexical best never asks for it; or the
    tier not built), the policy entry the words alone are sure of: the
    ``LEXICAL_SURE`` bar, ``LEXICAL_SURE_MARGIN`` ahead, not the kind's own."""
    best = int(np.argmax(scores))
    others = np.delete(np.asarray(scores, dtype=np.float64), best)
    lead = scores[best] - (others.max() if others.size else 0.0)
    if ids[best] == entry or scores[best] < LEXICAL_SURE or lead < LEXICAL_SURE_MARGIN:
        return None
    return best


def _personal_or_policy(lang: str, fused: np.ndarray, ids: Sequence[str], policy: int, entry: str) -> Asked:
    """Ask back rather than guess between a person's case and the rule the
    words point at: legal help first, the policy entry beside it (one tap)."""
    offered = (entry, ids[policy])
    return Asked(Match(None, round(float(fused[policy]), 4), offered), lang, "rule", "asked_back", offered,
                 PERSONAL)


def _agree(best: int, scores: np.ndarray, semantic: np.ndarray) -> bool:
    """Whether the tiers agree on ``best``: the meaning ranks it first and
    the words put it no more than ``AGREE_LEXICAL_BEHIND`` behind, or the words rank it first by
    ``AGREE_LEXICAL_SECOND`` with the meaning ranking it first or second, or
    the words alone put it ``AGREE_LEXICAL_MARGIN`` ahead."""
    lexical = np.asarray(scores, dtype=np.float64)
    others = np.delete(lexical, best)
    if others.size == 0:
        return True
    lead = lexical[best] - others.max()
    semantic_rank = int((semantic > semantic[best]).sum())
    return ((semantic_rank == 0 and lead >= -AGREE_LEXICAL_BEHIND)
            or (semantic_rank <= 1 and lead >= AGREE_LEXICAL_SECOND) or lead >= AGREE_LEXICAL_MARGIN)


def _all_agree(best: int, scores: np.ndarray, semantic: np.ndarray, passages: np.ndarray | None) -> bool:
    """Whether the words, the meaning and the answer's sentences each rank
    ``best`` first (ties count), with a lexical score of at least
    ``ALL_AGREE_LEXICAL`` and an answer's score of at least
    ``ALL_AGREE_PASSAGE``: three independent voices on one entry."""
    if passages is None or scores[best] < ALL_AGREE_LEXICAL or passages[best] < ALL_AGREE_PASSAGE:
        return False
    return all(float(voice[best]) >= float(np.max(voice)) for voice in (scores, semantic, passages))


def _fused(ids: Sequence[str], scores: np.ndarray, ranked: Sequence[tuple[str, float]],
           passages: np.ndarray | None = None):
    similarity = dict(ranked)
    floor = min(similarity.values())
    semantic = np.array([similarity.get(entry_id, floor) for entry_id in ids], dtype=np.float64)
    spread = semantic.std()
    standard = (semantic - semantic.mean()) / spread if spread > 0 else np.zeros_like(semantic)
    fused = np.asarray(scores, dtype=np.float64) + FUSION_WEIGHT * standard
    if passages is not None:
        fused = fused + PASSAGE_WEIGHT * passages
    # Highest first, ties by id (one lexsort: its last key leads).
    order = np.lexsort((np.argsort(np.argsort(np.array(ids))), -fused)).tolist()
    return order, fused, semantic


def _lexical_alone(first: Match, lang: str, scores: np.ndarray) -> Asked:
    if first.id is not None:
        best, second = np.partition(scores, -2)[-2:][::-1] if len(scores) > 1 else (scores[0], 0.0)
        if best - second >= LEXICAL_ALONE_MARGIN:
            return Asked(first, lang, "lexical", "answered")
        closest = (first.id, *first.suggestions)[:OFFERED]
        return Asked(Match(None, first.score, closest), lang, "lexical", "asked_back", closest)
    if first.suggestions and first.score >= LEXICAL_ASK_FLOOR:
        return Asked(first, lang, "lexical", "asked_back", first.suggestions[:OFFERED])
    return Asked(first, lang, None, "declined")


def _by_kind(kind: Kind, lang: str, first: Match, ids: Sequence[str], order, scores) -> Asked:
    """The kind's entry answers; the entries the question's words are
    closest to are offered beside it (two at most)."""
    entry = ENTRY_FOR[kind]
    if order is not None:
        closest = [ids[i] for i in order[: SUGGESTIONS + 1]]
    else:
        closest = [first.id, *first.suggestions] if first.id else list(first.suggestions)
    beside = tuple(i for i in closest if i and i != entry)[:2] if kind == "personal" else ()
    return Asked(Match(entry, 1.0, beside), lang, "rule", "answered", beside, kind)
