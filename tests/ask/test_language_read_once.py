"""A question's language is read once, not twice (`FaqMatcher.language_of`
keeps its last reading for the scoring that follows): the same language and
the same answer as reading it again, for every question of the evaluation
sets, as written and noisy, with either interface language."""

from __future__ import annotations

import yaml

from bot.ask import combined_matcher, faq_matcher
from bot.ask.question_language import detect_language
from tests.ask.noisy_questions import variants
from tests.conftest import ROOT


def questions() -> list[str]:
    items = []
    for name in ("faq_eval.yaml", "faq_eval_fresh.yaml", "faq_eval_blind.yaml"):
        written = yaml.safe_load((ROOT / "tests" / "data" / name).read_text("utf-8"))
        items += written + variants(written)
    return [item["q"] for item in items] + ["", "ok", "¿?", "Hola, what is a tercer país seguro"]


def test_the_language_is_read_once_and_answers_as_reading_it_twice(matcher, monkeypatch):
    texts = questions()
    assert len(texts) > 500
    readings = [0]

    def counted(text, fallback="en", vocabulary=None):
        readings[0] += 1
        return detect_language(text, fallback, vocabulary)

    monkeypatch.setattr(faq_matcher, "detect_language", counted)
    asked = [((text, ui), combined_matcher.ask(matcher, None, text, ui))
             for text in texts for ui in ("en", "es")]
    assert readings[0] == len(asked)  # one reading per question
    once = dict(asked)

    def read_anew(self, text, fallback=None):
        return detect_language(text, fallback or "en", self._vocabulary)

    monkeypatch.setattr(faq_matcher.FaqMatcher, "language_of", read_anew)
    for (text, ui), asked in once.items():
        assert combined_matcher.ask(matcher, None, text, ui) == asked, (text, ui)


def test_a_kept_reading_is_for_that_very_text_and_given_once(matcher):
    """Another question, or the same one asked again with another fallback,
    is read anew; a reading is given back once."""
    spanish, english = "que es un tercer pais seguro", "what is a safe third country"
    assert matcher.language_of(spanish, "en") == "es"
    assert matcher.language_of(english, "es") == "en"  # not the kept "es"
    neither = "ok"
    assert matcher.language_of(neither, "es") == "es"
    assert matcher.language_of(neither, "en") == "en"  # another fallback: read again
    assert matcher.language_of(neither, "en") == "en"  # given back once...
    assert matcher._last_read is None  # ...and not kept after
