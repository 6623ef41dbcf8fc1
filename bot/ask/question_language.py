"""Which language a question is written in: English or Spanish, per message.

The bot answers in the language of the question, whatever language the
supporter chose for the menus, so every question is read on its own. People
write short, unaccented, half-and-half messages ("Hola, what is MPP?", "que es
remain in mexico", "asilo"), so the decision weighs evidence in two tiers and
falls back to the interface language only when there is none:

1. Strong evidence, one point each: function words and question words that
   belong to one language only ("the", "does", "how" / "el", "que", "cómo",
   "puedo"), English contractions ("what's", "don't"), a word spelled with a
   letter English does not use (ñ, á, é, í, ó, ú, ü), and the marks ¿ ¡.
   Words both languages use ("me", "no", "a", "he", "son") count for neither.
2. Weak evidence, looked at only when the strong evidence ties: endings
   typical of one language ("-ción", "-mente", "-ando" / "-ing", "-tion",
   "-ness"), the FAQ's own vocabulary (a word its phrasings use in one
   language only: "asilo", "asylum"), and the words inside names.
3. Still a tie (numbers, "mpp?", "ok"): the fallback, the interface language.

Names of programmes and bodies ("Remain in Mexico", "Quédate en México",
"Estados Unidos", "safe third country") are set apart first: people use
them whatever language they write in, so "what is Quédate en México" is
English and "¿qué es remain in mexico?" Spanish. Their words only count as
weak evidence (a message that is nothing but a Spanish name leans Spanish).

Pure functions over constant data: safe from any thread, no Telegram here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from bot.ask.text_normalise import LANGUAGES, NAMES, fold

__all__ = ["Vocabulary", "detect_language", "vocabulary_from"]

Vocabulary = Mapping[str, str]  # folded word -> the one language the FAQ uses it in


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Written folded (no accents, lower case): they are compared after folding.
# A word belongs here only if the other language never uses it as a word.
ENGLISH_WORDS = _words(
    """
    the an and or of to in on at by for with from into about than then
    is are was were be been being am do does did done doing
    don doesn didn isn aren wasn weren hasn haven hadn won wouldn couldn shouldn can cannot
    could will would should shall may might must have has had having get gets got getting
    i my mine we our ours you your yours he him his she her hers it its they them their theirs
    this that these those there here
    what whats which who whom whose why when where how hows
    s t ll re ve m d
    if so just also very too any some all only even still yet already again ever never
    not yes hi hello hey thanks thank please sorry
    after before because while since until without within against between through thru
    many much more most less few every each other another same
    someone anyone something anything somebody anybody everyone nothing nobody
    go going goes went want wants need needs know knows think say says said tell told
    help make makes made take takes give gives send sent ask asks asked find found
    now today tomorrow yesterday ago new old really actually mean means meaning
    people person way thing things
    """
)
SPANISH_WORDS = _words(
    """
    el la los las un una unos unas lo al del de y en es
    que cual cuales cuando como donde adonde quien quienes cuanto cuanta cuantos cuantas
    porque por para pero sino aunque pues entonces segun sobre hasta desde hacia tras entre sin con
    hay ha han habia hubo haber he has hemos
    esta estan estoy estas estamos estaba estaban estar este esto estos ese esa eso esos esas aquel
    soy eres somos fue fueron era eran ser sido siendo sera
    puedo puede pueden podemos podria poder tengo tiene tienen tenemos tener tenia
    hago hace hacen hacer hizo quiero quiere quieren necesito necesita sirve sigue siguen
    pasa paso pasan sabe saber se sabes dice dicen decir dijo voy va van vamos ir
    mi mis tu tus su sus nos les le yo usted ustedes ellos ellas nosotros
    si muy mas tambien tampoco ya aun todavia solo siempre nunca
    algo alguien algun alguna alguno nada nadie todo toda todos todas otro otra otros otras mismo misma
    ahora hoy ayer manana aqui alla alli ahi ahorita luego despues antes
    hola gracias buenas buenos dias tardes noches porfa favor oye
    pa pal pos ke xq q
    gente persona personas cosa cosas verdad cierto
    """
)
_SPANISH_LETTERS = re.compile(r"[ñáéíóúü]")
_SPANISH_MARKS = re.compile(r"[¿¡]")
_ENGLISH_CONTRACTION = re.compile(r"[a-z]['’](?:s|t|re|ve|ll|d|m)\b")
_RAW_WORD = re.compile(r"[^\W\d_]+")
_ENDINGS = {
    "es": ("cion", "ciones", "mente", "ando", "iendo", "dad", "dades", "ados", "adas", "idos", "idas"),
    "en": ("ing", "tion", "tions", "ness", "ship", "ful", "ly"),
}
# The longest name first, as the pipeline's synonyms do.
_NAMES = sorted((key for key in NAMES if len(key) > 1), key=len, reverse=True)
_LONGEST_NAME = max(len(name) for name in _NAMES)
_NAME_SET = frozenset(_NAMES)
MAX_CHARS = 500  # as the matcher: a longer message is judged by its start


def detect_language(text: str, fallback: str = "en", vocabulary: Vocabulary | None = None) -> str:
    """'en' or 'es' for ``text``; ``fallback`` (the interface language) when
    nothing in it tells. ``vocabulary`` (see ``vocabulary_from``) adds the FAQ's
    one-language words as weak evidence."""
    fallback = fallback if fallback in LANGUAGES else "en"
    if not isinstance(text, str):
        return fallback
    evidence = _evidence(text[:MAX_CHARS])
    if evidence.strong is not None:
        return evidence.strong
    weak = dict(evidence.weak)
    if vocabulary is not None:
        for word in evidence.words:
            if word in vocabulary:
                weak[vocabulary[word]] += 1
    if weak["en"] != weak["es"]:
        return "en" if weak["en"] > weak["es"] else "es"
    return fallback


class _Evidence(NamedTuple):
    """What a text says of its language before any FAQ vocabulary: the
    language its strong evidence gives (None: a tie), else the words outside
    names and the weak evidence's counts without the vocabulary."""

    strong: str | None
    words: tuple[str, ...]
    weak: tuple[tuple[str, int], ...]


# One question is read by both FAQ indexes (phrasings and answers), each with
# its own vocabulary: the evidence that needs none is kept for the last texts
# and read once. Bounded and thread-safe (``lru_cache`` locks); immutable.
@functools.lru_cache(maxsize=64)
def _evidence(text: str) -> _Evidence:
    return _read(text)


def _read(text: str) -> _Evidence:
    """``_evidence`` itself, uncached."""
    raw = _RAW_WORD.findall(text)
    words, names = _set_names_apart([fold(word) for word in raw])
    # An accented word counts as strong evidence, unless capitalised inside a
    # sentence: then it may be a name ("is México safe?", "José").
    accented = {fold(word) for i, word in enumerate(raw)
                if _SPANISH_LETTERS.search(word.lower()) and (i == 0 or not word[0].isupper())}
    accented_names = {fold(word) for word in raw if _SPANISH_LETTERS.search(word.lower())} - accented
    strong = {"en": 0, "es": len(_SPANISH_MARKS.findall(text))}
    strong["en"] += len(_ENGLISH_CONTRACTION.findall(text.lower().replace("’", "'")))
    for word in words:
        lang = _cue(word) or ("es" if word in accented else None)
        if lang:
            strong[lang] += 1
    if strong["en"] != strong["es"]:
        return _Evidence("en" if strong["en"] > strong["es"] else "es", (), ())
    weak = {"en": 0, "es": 0}
    for word in words:
        for lang in LANGUAGES:
            if len(word) > 4 and word.endswith(_ENDINGS[lang]):
                weak[lang] += 1
        if word in accented_names:
            weak["es"] += 1
    for word in names:
        lang = _cue(word) or ("es" if word in accented or word in accented_names else None)
        if lang:
            weak[lang] += 1
    return _Evidence(None, tuple(words), tuple(weak.items()))


def _cue(word: str) -> str | None:
    """The language a folded word belongs to by the lists above, if only one."""
    english, spanish = word in ENGLISH_WORDS, word in SPANISH_WORDS
    if english != spanish:
        return "en" if english else "es"
    return None


def _set_names_apart(words: list[str]) -> tuple[list[str], list[str]]:
    """(the words outside names, the words inside them)."""
    outside: list[str] = []
    inside: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_NAME, len(words) - i), 1, -1):
            if tuple(words[i : i + size]) in _NAME_SET:
                inside.extend(words[i : i + size])
                i += size
                break
        else:
            outside.append(words[i])
            i += 1
    return outside, inside


def vocabulary_from(phrasings: Iterable[tuple[str, str]]) -> dict[str, str]:
    """From ``(lang, text)`` pairs (the FAQ's phrasings): each folded word of
    four letters or more that the phrasings use in one language only, with that
    language. Words in names and the cue words above are left out."""
    seen: dict[str, set[str]] = {}
    for lang, text in phrasings:
        words, _ = _set_names_apart([fold(word) for word in _RAW_WORD.findall(text.lower())])
        for word in words:
            if len(word) >= 4 and word not in ENGLISH_WORDS and word not in SPANISH_WORDS:
                seen.setdefault(word, set()).add(lang)
    return {word: next(iter(langs)) for word, langs in sorted(seen.items()) if len(langs) == 1}
