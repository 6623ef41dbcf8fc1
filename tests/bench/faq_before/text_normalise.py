# FROZEN COPY of bot/ask/text_normalise.py as it was before the speed-up (commit 4b2e1d9), the
# baseline tests/bench/test_bench_faq.py times the matcher against in the same run.
# Not used by the bot; do not edit (only its import of text_normalise was changed).
"""Text pipeline shared by the FAQ index and the questions supporters type.

Supporters write the way people chat: no accents, odd capitals, "EE.UU." next
to "USA", English and Spanish in the same sentence. The FAQ matcher only works
if a question and an FAQ phrasing that mean the same thing end up as the same
tokens, so both go through exactly this pipeline:

1. NFKD folding, combining marks removed, casefold ("Quédate" -> "quedate").
   Accents go *before* stemming so that a question typed without accents
   stems the same way as the accented FAQ text.
2. Split on anything that is not a letter or digit (punctuation is dropped).
3. Synonyms: multi-word names of the same thing become one token ("Estados
   Unidos", "U.S." and "USA" all become ``usa``). This runs before stop
   words are dropped because several names contain stop words ("Remain *in*
   Mexico").
4. Stop words of both languages are dropped (people mix languages).
5. Snowball stemming with the stemmer of the text's language (given, or
   guessed from its stop words). Synonym tokens are never stemmed.

Everything here is pure data plus pure functions: nothing is mutated at run
time, so the matcher can call it from any thread.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import snowballstemmer

__all__ = [
    "Analysed",
    "CANONICAL_TOKENS",
    "STOP_WORDS",
    "analyse",
    "char_ngrams",
    "detect_language",
    "Pipeline",
    "fold",
    "tokenise",
]

LANGUAGES = ("en", "es")


def _wordset(text: str) -> frozenset[str]:
    """Whitespace-separated words: keeps the lists below readable as prose."""
    return frozenset(text.split())


# Stop words: short on purpose. Only words that say nothing about *which* FAQ
# entry is meant (articles, prepositions, pronouns, "to be", the generic
# "what is"). Modal and helper verbs stay: "what can I do?" is a whole FAQ
# entry in those words, and the matcher's idf already discounts them.
# Interrogatives that carry intent ("who", "why", "when", "cuando", "quien")
# are kept: "who signs it?" and "when is it signed?" are different entries.
# Written without accents because they are compared after folding.
STOP_WORDS_EN = _wordset(
    """
    a an the and or but if of to in on at by for with from as into about than then
    is are was were be been being am
    i me my we us our you your he him his she her it its they them their this that
    these those there here what which whats s t d ll re ve m
    so just also very too any some such own both each few more most other
    all only even yet already actually exactly really especially again once
    one ones someone anyone something anything mine yours myself itself
    don doesn didn isn aren wasn weren hasn haven hadn wouldn couldn shouldn
    hi hello please thanks thank tell
    """
)
STOP_WORDS_ES = _wordset(
    """
    el la los las un una unos unas lo al del de en y e o u a ante con
    desde hacia hasta para por segun sobre tras entre
    es son era eran ser sido siendo esta estan estaba estar este esto estos estas
    ese esa eso esos esas aquel aquella
    yo me mi mis tu tus te su sus se nos nuestro nuestra le les ellos ellas ella usted ustedes
    que cual cuales muy mas pero tambien ya aun aunque sino cada tan tanto asi
    algo alguien algun alguna alguno nada nadie todo toda todos todas
    otro otra otros otras mismo misma exactamente realmente incluso
    hola gracias
    """
)
STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_ES

# Synonyms: the names of one institution or policy, in both languages, with
# their abbreviations, become one canonical token. Keys are folded token
# sequences; the longest match wins. Keep canonical tokens short and distinct
# from any real English or Spanish word.
_SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "usa": (
        "usa", "u s", "u s a", "the us", "united states", "united states of america",
        "ee uu", "eeuu", "e e u u", "eua", "estados unidos", "estados unidos de america",
        "estadounidense", "estadounidenses",
    ),
    "mpp": (
        "mpp", "remain in mexico", "quedate en mexico", "quedese en mexico",
        "quedarse en mexico", "permanecer en mexico", "migrant protection protocols",
        "migrant protection protocol", "migration protection protocols",
        "protocolos de proteccion a migrantes", "protocolos de proteccion al migrante",
        "protocolos de proteccion de migrantes", "protocolos de proteccion migrante",
    ),
    "stca": (
        "stca", "safe third country agreement", "safe third country agreements",
        "safe third country", "safe 3rd country", "third safe country",
        "tercer pais seguro", "3er pais seguro", "3 pais seguro", "acuerdo de tercer pais seguro",
        "pais tercero seguro", "terceros paises seguros", "tercer pais", "third country",
    ),
    "comar": (
        "comar", "comision mexicana de ayuda a refugiados",
        "mexican commission for refugee assistance", "mexican refugee commission",
        "mexico s refugee agency", "mexican refugee agency",
    ),
    "ina": (
        "ina", "immigration and nationality act", "ley de inmigracion y nacionalidad",
    ),
    "unhcr": (
        "unhcr", "acnur", "onu refugee agency", "onu s refugee agency",
        "united nations refugee agency", "united nations high commissioner for refugees",
        "alto comisionado de las naciones unidas para los refugiados",
        "agencia de la onu para los refugiados", "agencia de la onu para refugiados",
    ),
    "dhs": (
        "dhs", "department of homeland security", "homeland security",
        "departamento de seguridad nacional",
    ),
    "inm": (
        "inm", "instituto nacional de migracion", "national migration institute",
        "national institute of migration", "mexico s immigration agency",
    ),
    "cbp": ("cbp", "customs and border protection", "border patrol", "patrulla fronteriza"),
    "ice": ("immigration and customs enforcement",),
    "amlo": ("amlo", "lopez obrador", "andres manuel lopez obrador"),
    "onu": ("onu", "united nations", "naciones unidas"),
    "child": ("child", "children", "kid", "kids"),
    "uaction": ("urgent action", "accion urgente", "ua 150 18", "ua 150"),
}
SYNONYMS: dict[tuple[str, ...], str] = {
    tuple(phrase.split()): canonical
    for canonical, phrases in _SYNONYM_GROUPS.items()
    for phrase in phrases
}
CANONICAL_TOKENS = frozenset(_SYNONYM_GROUPS)
_LONGEST_SYNONYM = max(len(key) for key in SYNONYMS)

# "US" and "UN" in capitals are the country and the organisation; in lower
# case they are the English pronoun and the Spanish article. So these two are
# recognised on the original text, before casefolding loses the difference.
_CAPITALS = (
    (re.compile(r"(?<![^\W\d_])U\.?\s?S\.?(?:\s?A\.?)?(?![^\W\d_])"), " usa "),
    (re.compile(r"(?<![^\W\d_])U\.?N\.?(?![^\W\d_])"), " onu "),
)
_WORD = re.compile(r"[^\W_]+")

# Spanish-only letters and punctuation: a strong hint for language guessing.
_SPANISH_MARKS = re.compile(r"[ñáéíóúü¿¡]", re.IGNORECASE)

_STEMMERS = {"en": "english", "es": "spanish"}


class Analysed(NamedTuple):
    """One text after the pipeline.

    ``words`` and ``stems`` are aligned: ``stems[i]`` is the stem of
    ``words[i]`` (the folded surface word). The matcher needs the surface word
    to correct typos and to build character n-grams.
    """

    words: tuple[str, ...]
    stems: tuple[str, ...]
    lang: str


def fold(text: str) -> str:
    """NFKD, drop combining marks (accents), casefold."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokenise(text: str) -> list[str]:
    """Folded words with synonyms collapsed; stop words still present."""
    for pattern, replacement in _CAPITALS:
        text = pattern.sub(replacement, text)
    raw = _WORD.findall(fold(text))
    out: list[str] = []
    i = 0
    while i < len(raw):
        for size in range(min(_LONGEST_SYNONYM, len(raw) - i), 0, -1):
            canonical = SYNONYMS.get(tuple(raw[i : i + size]))
            if canonical is not None:
                out.append(canonical)
                i += size
                break
        else:
            out.append(raw[i])
            i += 1
    return out


def detect_language(tokens: list[str], original: str, hint: str | None = None) -> str:
    """Guess en/es from stop words and Spanish-only characters.

    The hint (the supporter's chosen language) decides ties: people who picked
    Spanish sometimes type a question that is all English loan words.
    """
    en = sum(1 for t in tokens if t in STOP_WORDS_EN and t not in STOP_WORDS_ES)
    es = sum(1 for t in tokens if t in STOP_WORDS_ES and t not in STOP_WORDS_EN)
    es += 2 * len(_SPANISH_MARKS.findall(original))
    if en != es:
        return "en" if en > es else "es"
    return hint if hint in LANGUAGES else "en"


class Pipeline:
    """The pipeline with its Snowball stemmers and a bounded stem cache.

    Snowball stemmer objects keep state while stemming, so each matcher owns
    its own pipeline instead of sharing module-level stemmers; nothing at
    module level is mutated after import. Not for use from several threads
    at once (the bot handles one update at a time per matcher).
    """

    def __init__(self, cache_size: int = 8192) -> None:
        self._stemmers = {
            lang: snowballstemmer.stemmer(name) for lang, name in _STEMMERS.items()
        }
        self._cache: dict[tuple[str, str], str] = {}
        self._cache_size = cache_size

    def stem(self, word: str, lang: str) -> str:
        """Snowball stem of one folded word; synonym tokens and numbers unchanged."""
        key = (word, lang)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if word in CANONICAL_TOKENS or word.isdigit():
            result = word
        else:
            result = self._stemmers.get(lang, self._stemmers["en"]).stemWord(word)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()  # crude but bounded; refills with the common words
        self._cache[key] = result
        return result

    def analyse(self, text: str, lang: str | None = None, max_tokens: int = 80) -> Analysed:
        """Run the whole pipeline. ``lang`` is a hint; at most ``max_tokens`` kept."""
        tokens = tokenise(text)
        detected = detect_language(tokens, text, lang)
        words = tuple(t for t in tokens if t not in STOP_WORDS)[:max_tokens]
        return Analysed(words, tuple(self.stem(w, detected) for w in words), detected)


def analyse(text: str, lang: str | None = None) -> Analysed:
    """Convenience for one-off use (tests, scripts): a fresh pipeline each call."""
    return Pipeline(cache_size=64).analyse(text, lang)


def char_ngrams(words: tuple[str, ...] | list[str], n: int = 3) -> list[str]:
    """Character n-grams of each word padded with spaces (" asy", "asy", ...).

    Padding per word (rather than across the whole text) keeps word order out
    of it and makes the first and last letters count, which is where people
    least often mistype.
    """
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams
