"""One decision from the two FAQ tiers: the lexical matcher answers when it is
sure; otherwise the semantic tier may answer, but only when it is sure too;
otherwise both tiers' closest entries become suggestions.

A wrong legal answer does more harm than "I don't know", so a semantic
near-miss stays a suggestion: the semantic tier answers only when its best
entry's similarity reaches ``SEMANTIC_THRESHOLD`` *and* beats the runner-up
by ``SEMANTIC_MARGIN``. The threshold is what keeps off-topic questions out
(it sits above every off-topic calibration question), the margin what keeps
a question between two neighbouring entries ("the US-Canada agreement" vs
"its loophole") from being answered with the wrong one.

Calibration, on the even-numbered items of tests/data/faq_eval.yaml only (the
odd half and tests/data/faq_eval_fresh.yaml were never used to choose
anything). The semantic tier was scored *alone* there, as if the lexical tier
had declined every question: the lexical tier leaves it only 2 of the 80
on-topic calibration questions, far too few to calibrate on, and the gate has
to be safe on whatever reaches it. For each best-phrasing weight (0, 0.1 ..
1): the threshold is the lowest 0.01 step above the best similarity of every
off-topic calibration question (so none of them is answered on similarity
alone); the margin (0 .. 0.10) the one answering most questions right with at
most one wrong of 80. The weight answering most right wins, ties to the
higher threshold: 0.8, 0.63, 0.02 (79% right, 1 wrong, every off-topic
question declined, for the semantic tier alone on the calibration half).
Held-out figures are in README.md, "Semantic tier". Re-run the sweep
(``python -m tests.semantic_calibration``) after a large FAQ edit or any
change of model.

Suggestions when declining alternate between the two tiers, semantic first
(each catches paraphrases the other misses), up to three. Semantic
suggestions below ``SUGGESTION_FLOOR`` are dropped, so that a greeting or a
keyboard mash is not offered three random topics.

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

from bot.faq_matcher import MAX_INPUT_CHARS, SUGGESTIONS, FaqMatcher, Match
from bot.text_normalise import tokenise

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SEMANTIC_MARGIN", "SEMANTIC_THRESHOLD", "SUGGESTION_FLOOR", "Asked", "Ranker", "ask",
           "ask_off_loop", "combine"]

SEMANTIC_THRESHOLD = 0.63
SEMANTIC_MARGIN = 0.02
# Between the lowest similarity of a right entry in the semantic top three on
# the calibration half (0.37) and the most that greetings and keyboard mashes
# reached in our tries ("hola", "ok", "asdfgh qwerty": 0.21-0.30).
SUGGESTION_FLOOR = 0.33


class Ranker(Protocol):
    """What ``combine`` needs of the semantic tier (``SemanticTier`` has it)."""

    def rank(self, question: str) -> Sequence[tuple[str, float]]: ...


def combine(lexical: Match, tier: Ranker | None, question: str) -> Match:
    """The answer to ``question`` given the lexical tier's ``Match`` for it.

    Returns the lexical match itself when it answers, when there is no tier,
    or when the question has no words (the chat then asks for a question).
    A semantic answer carries the similarity as its score and the semantic
    runners-up as suggestions; a decline keeps the lexical score.
    """
    if lexical.id is not None or tier is None or not isinstance(question, str):
        return lexical
    text = question[:MAX_INPUT_CHARS]
    if not tokenise(text):
        return lexical
    ranked = list(tier.rank(text))
    if not ranked:
        return lexical
    best_id, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else float("-inf")
    if best >= SEMANTIC_THRESHOLD and best - second >= SEMANTIC_MARGIN:
        runners_up = tuple(entry_id for entry_id, _ in ranked[1 : 1 + SUGGESTIONS])
        return Match(best_id, round(best, 4), runners_up)
    closest = [entry_id for entry_id, score in ranked[:SUGGESTIONS] if score >= SUGGESTION_FLOOR]
    return Match(None, lexical.score, _alternate(closest, lexical.suggestions))


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
    """A question read: the decision, the language to answer in, and the tier
    whose entry is the answer ("lexical" or "semantic"; None when declining)."""

    match: Match
    lang: str
    tier: Literal["lexical", "semantic"] | None


def ask(lexical: FaqMatcher, tier: Ranker | None, question: str, fallback: str | None = None) -> Asked:
    """Read ``question``: in its own language (``fallback`` when it does not
    tell), lexically, then through ``tier`` when the lexical tier is unsure."""
    lang, first = _lexical(lexical, question, fallback)
    return _asked(first, combine(first, tier, question), lang)


async def ask_off_loop(lexical: FaqMatcher, tier: Ranker | None, question: str,
                       fallback: str | None = None) -> Asked:
    """``ask``, with the semantic tier (when it is consulted) in a worker thread."""
    lang, first = _lexical(lexical, question, fallback)
    if first.id is not None or tier is None:
        return _asked(first, first, lang)  # combine would return `first` itself
    return _asked(first, await asyncio.to_thread(combine, first, tier, question), lang)


def _lexical(lexical: FaqMatcher, question: str, fallback: str | None) -> tuple[str, Match]:
    lang = lexical.language_of(question if isinstance(question, str) else "", fallback)
    return lang, lexical.match(question, lang)


def _asked(lexical: Match, final: Match, lang: str) -> Asked:
    if final.id is None:
        return Asked(final, lang, None)
    return Asked(final, lang, "lexical" if final is lexical else "semantic")
