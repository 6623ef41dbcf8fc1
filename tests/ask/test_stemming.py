"""The FAQ's stemmers are Snowball's compiled ones (PyStemmer), which build the
index in about half the time of snowballstemmer's pure-Python ones. Swapping
them must not move a single answer: every word of the content and of the
evaluation sets stems the same with both."""

from __future__ import annotations

import re
import unicodedata

import pytest
import Stemmer
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.spanish_stemmer import SpanishStemmer

from bot.ask.text_normalise import Pipeline
from tests.conftest import ROOT

PURE = {"english": EnglishStemmer, "spanish": SpanishStemmer}


def words() -> list[str]:
    """Each word of the content and the evaluation sets, with and without accents."""
    found: set[str] = set()
    for path in [*(ROOT / "content").rglob("*.yaml"), *(ROOT / "tests" / "data").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8").lower()
        bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        found |= set(re.findall(r"[^\W\d_]+", text)) | set(re.findall(r"[^\W\d_]+", bare))
    return sorted(found)


def test_the_pipeline_uses_the_compiled_stemmers() -> None:
    assert all(isinstance(stemmer, Stemmer.Stemmer) for stemmer in Pipeline()._stemmers.values())


@pytest.mark.parametrize("language", sorted(PURE))
def test_compiled_and_pure_python_stemmers_agree_on_every_word(language: str) -> None:
    vocabulary = words()
    assert len(vocabulary) > 3_000
    compiled, pure = Stemmer.Stemmer(language), PURE[language]()
    assert [compiled.stemWord(w) for w in vocabulary] == [pure.stemWord(w) for w in vocabulary]
