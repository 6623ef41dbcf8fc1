"""One question is read once per ask (issue 25, the load's p99): tokenised,
read for its language and cut into 3-grams once, although the phrasings'
index, the answers' index and the combined matcher's "only stop words?" each
read it. The pipeline is pure, so the last texts' readings are kept
(bounded ``lru_cache``s in bot/ask/text_normalise.py, question_language.py and
faq_matcher.py). Counted by calls, not by time: the uncached functions run
once per question. That the answers are the same as reading it every time is
what tests/ask/test_faq_matcher.py (scores to the last bit against plain
loops) and the evaluation sets' outcomes check."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.ask import combined_matcher, faq_matcher, question_language, text_normalise
from bot.ask.text_normalise import tokenise

QUESTIONS = (
    "can they send my cousin back to mexico after he asks for asylum",
    "que pasa si ya cruzo y pide asilo en canada",
    "is the acuerdo de tercer pais seguro signed yet?",
    "what does the letter ask the foreign minister to do",
)


class Ranker:
    """A semantic tier that always has a ranking (the fused decision, which
    reads the answers' index too), the same for every question."""

    def __init__(self, ids) -> None:
        self._ranked = [(entry, 0.5 - 0.01 * (i % 9)) for i, entry in enumerate(ids)]

    def rank(self, question: str):
        return self._ranked


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """How often each uncached reading runs, from a cold start."""
    counted: Counter = Counter()
    for module, name in ((text_normalise, "_tokenise"), (question_language, "_read"),
                         (faq_matcher, "_count_grams"), (faq_matcher.FaqMatcher, "passage_scores")):
        real = getattr(module, name)

        def wrapper(*args, _real=real, _name=name):
            counted[_name] += 1
            return _real(*args)

        monkeypatch.setattr(module, name, wrapper)
    for cache in (text_normalise._tokens, text_normalise.content_words, question_language._evidence,
                  faq_matcher._gram_counts):
        cache.cache_clear()
    return counted


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("fallback", ["en", "es"])
def test_a_question_is_read_once_by_both_indexes_and_the_decision(matcher, calls, question, fallback):
    assert matcher.answers_indexed
    asked = combined_matcher.ask(matcher, Ranker(matcher.ids), question, fallback)
    assert calls["passage_scores"] == 1, asked  # the answers' index read it too
    assert calls == {"_tokenise": 1, "_read": 1, "_count_grams": 1, "passage_scores": 1}


def test_another_question_is_read_anew(matcher, calls):
    for question in QUESTIONS:
        combined_matcher.ask(matcher, Ranker(matcher.ids), question, "en")
    assert calls["_tokenise"] == calls["_read"] == calls["_count_grams"] == len(QUESTIONS)


def test_a_kept_reading_cannot_be_changed_by_a_caller():
    first = tokenise("what is a safe third country")
    first.append("changed")
    assert tokenise("what is a safe third country") == ["what", "is", "a", "stca"]
