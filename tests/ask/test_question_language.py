"""Reading the language of a question: English or Spanish, per message,
with the interface language only as the fallback."""

from __future__ import annotations

import pytest

from bot.ask.question_language import detect_language, vocabulary_from
from tests.ask.test_faq_matcher import EVAL_FILE, load_eval, load_faq_entries


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, str]:
    return vocabulary_from((lang, text) for _, questions in load_faq_entries()
                           for lang in ("en", "es") for text in questions[lang])


@pytest.mark.parametrize("text, expected", [
    # mixed: the sentence's own words decide, not the names or loan words in it
    ("Hola, what is MPP?", "en"),
    ("what is Quédate en México", "en"),
    ("What is 'Quédate en México'?", "en"),
    ("what is quédate en méxico", "en"),
    ("¿Qué es Remain in Mexico?", "es"),
    ("que es remain in mexico", "es"),
    ("¿Cómo funciona el asylum cooperative agreement?", "es"),
    ("me pueden deportar si pido asylum en la border", "es"),
    ("what does asilo mean", "en"),
    ("is México safe for refugees?", "en"),
    # no accents, no question marks
    ("como puedo ayudar", "es"),
    ("que datos guardan de mi", "es"),
    ("donde consigo un abogado", "es"),
    # short
    ("que es mpp", "es"),
    ("what's mpp", "en"),
    ("hi", "en"),
    ("hola", "es"),
    ("gracias", "es"),
    ("thanks!", "en"),
    ("¿mpp?", "es"),
    # a name alone leans to the language of its words
    ("Quédate en México", "es"),
    ("Remain in Mexico", "en"),
])
@pytest.mark.parametrize("fallback", ["en", "es"])
def test_the_words_decide_whatever_the_interface_language(text: str, expected: str, fallback: str) -> None:
    assert detect_language(text, fallback) == expected


@pytest.mark.parametrize("text, expected", [
    ("asilo", "es"),
    ("asylum", "en"),
    ("deportación", "es"),  # accented: strong evidence even without the FAQ's words
    ("deportations", "en"),
    ("refugio en mexico", "es"),
    ("14,596 claims?", "en"),
    ("acuerdos de cooperación 2019", "es"),
])
@pytest.mark.parametrize("fallback", ["en", "es"])
def test_single_words_lean_on_the_faq_vocabulary(vocabulary, text: str, expected: str, fallback: str) -> None:
    assert detect_language(text, fallback, vocabulary) == expected


@pytest.mark.parametrize("text", ["mpp", "MPP?", "comar?", "2019", "14,596", "150.18", "ok", "OK!!",
                                  "Mexico", "Canada", "", "   ", "🙂", "?!", "COMAR DHS"])
@pytest.mark.parametrize("fallback", ["en", "es"])
def test_nothing_to_tell_by_gives_the_fallback(vocabulary, text: str, fallback: str) -> None:
    assert detect_language(text, fallback, vocabulary) == fallback
    assert detect_language(text, fallback) == fallback


def test_an_unknown_fallback_or_no_text_is_english() -> None:
    assert detect_language("mpp", "fr") == "en"
    assert detect_language("mpp", None) == "en"  # type: ignore[arg-type]
    assert detect_language(None, "es") == "es"  # type: ignore[arg-type]


def test_a_capitalised_accented_word_inside_a_sentence_may_be_a_name() -> None:
    # "México" inside a sentence is a name: it does not outweigh one English word.
    assert detect_language("visa for México", "es") == "en"
    # In lower case it is Spanish spelling, as strong as "for": a tie, the fallback.
    assert detect_language("visa for méxico", "en") == "en"
    assert detect_language("visa for méxico", "es") == "es"
    # First in the message, or alone, it still leans Spanish.
    assert detect_language("México visa", "en") == "es"
    assert detect_language("José", "en") == "es"


def test_a_long_message_is_judged_by_its_start() -> None:
    text = "what is the remain in mexico policy? " * 12 + "que es el programa quedate en mexico " * 300
    assert len(text) > 10_000
    assert detect_language(text, "es") == "en"


def test_the_vocabulary_keeps_only_one_language_words() -> None:
    vocabulary = vocabulary_from([("en", "Is Mexico safe for asylum seekers?"),
                                  ("es", "¿México es seguro para solicitantes de asilo?"),
                                  ("es", "Remain in Mexico: ¿qué es?")])
    assert vocabulary["asylum"] == "en" and vocabulary["seekers"] == "en"
    assert vocabulary["asilo"] == "es" and vocabulary["solicitantes"] == "es"
    assert "mexico" not in vocabulary  # both languages use it
    assert "remain" not in vocabulary  # inside a name
    assert "for" not in vocabulary and "para" not in vocabulary  # cue words already count


@pytest.mark.parametrize("eval_file", ["faq_eval.yaml", "faq_eval_fresh.yaml", "faq_eval_blind.yaml"])
def test_every_evaluation_question_is_read_in_its_language(vocabulary, eval_file: str) -> None:
    """Each of the 601 questions, with the *other* language as the fallback
    (the worst case: a supporter whose interface is in the other language).
    Only questions with nothing to tell by ("comar?", "mpp?") may follow the
    fallback, and they must say nothing either way."""
    items = load_eval(EVAL_FILE.with_name(eval_file))
    misread = []
    for item in items:
        other = "es" if item["lang"] == "en" else "en"
        got = detect_language(item["q"], other, vocabulary)
        if got != item["lang"] and detect_language(item["q"], item["lang"], vocabulary) != other:
            continue  # nothing to tell by: each fallback is kept
        if got != item["lang"]:
            misread.append(item["q"])
    assert misread == []
