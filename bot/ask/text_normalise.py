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
5. Snowball stemming with the stemmer of the text's language (decided by the
   caller: the FAQ's phrasings have theirs, a question's is read by
   ``bot.ask.question_language``). Synonym tokens are never stemmed.

Everything here is pure data plus pure functions (bounded, thread-safe
``functools.lru_cache``s aside: typed-name look-ups, and the last texts'
tokens, since one question is read by several parts), so the matcher can
call it from any thread.
"""

from __future__ import annotations

import functools
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
    "content_words",
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
# Written without accents because they are compared after folding. Chat
# spellings of these words count too ("waht", "q", "porfa"): left unknown,
# they cost a short question its answer.
STOP_WORDS_EN = _wordset(
    """
    a an the and or but if of to in on at by for with from as into about than then
    is are was were be been being am
    i me my we us our you your he him his she her it its they them their this that
    these those there here what which whats s t d ll re ve m
    so just also very too any some such own both each few other
    all only even yet already actually exactly really again once
    one ones someone anyone something anything mine yours myself itself
    don doesn didn isn aren wasn weren hasn haven hadn wouldn couldn shouldn
    hi hello please thanks thank tell placename
    waht wat wht whta teh pls plz thx
    """
)
STOP_WORDS_ES = _wordset(
    """
    el la los las un una unos unas lo al del de en y e o u a ante con
    desde hacia hasta para por segun sobre tras entre
    es son era eran ser sido siendo esta estan estaba estar este esto estos estas
    ese esa eso esos esas aquel aquella
    yo me mi mis tu tus te su sus se nos nuestro nuestra le les ellos ellas ella usted ustedes
    que cual cuales muy pero tambien ya aun aunque sino cada tan tanto asi
    algo alguien algun alguna alguno nada nadie todo toda todos todas
    otro otra otros otras mismo misma exactamente realmente incluso
    hola gracias placename
    q qe qeu ke k xq xk pq porfa xfa
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
    "uaction": ("urgent action", "accion urgente", "ua 150 18", "ua 150"),
}
# Word families: the words of both languages (and their common inflections)
# for one thing the FAQ is asked about, which the stemmers do not join
# ("kidnapped", "secuestran"; "Canadian", "canadiense"; "minors", "niños").
# Only families whose words mean the same in every entry that uses them: a
# family that merged words two neighbouring entries tell apart ("deport" and
# "send back", "risk" and "danger") would blur them.
_WORD_FAMILY_GROUPS: dict[str, tuple[str, ...]] = {
    "child": (
        "child", "children", "kid", "kids", "minor", "minors", "menor", "menores", "nino", "ninos",
        "nina", "ninas", "infancia", "adolescente", "adolescentes", "teen", "teens", "teenager",
        "teenagers",
    ),
    "canada": ("canada", "canadian", "canadians", "canadiense", "canadienses"),
    "honduras": ("honduras", "honduran", "hondurans", "hondureno", "hondurenos", "hondurena", "hondurenas"),
    "salvador": (
        "el salvador", "salvador", "salvadoran", "salvadorans", "salvadoreno", "salvadorenos",
        "salvadorena", "salvadorenas",
    ),
    "guatemala": (
        "guatemala", "guatemalan", "guatemalans", "guatemalteco", "guatemaltecos", "guatemalteca",
        "guatemaltecas",
    ),
    "kidnap": (
        "kidnap", "kidnaps", "kidnapped", "kidnapping", "kidnappings", "abducted", "secuestro",
        "secuestros", "secuestran", "secuestrar", "secuestrado", "secuestrados", "secuestrada",
        "secuestradas", "secuestraron", "plagio", "plagios",
    ),
    "extort": (
        "extort", "extorts", "extorted", "extortion", "extortions", "extorsion", "extorsiones",
        "extorsionan", "extorsionar", "extorsionado", "extorsionados", "bribe", "bribes", "mordida",
        "mordidas", "soborno", "sobornos",
    ),
    "rob": (
        "rob", "robs", "robbed", "robbery", "robberies", "mugged", "assault", "assaulted",
        "assaults", "robo", "robos", "roban", "robar", "robaron", "asalto", "asaltos", "asaltan",
        "asaltar", "asaltado", "asaltados", "agreden", "agresion", "agresiones",
    ),
    "kill": (
        "kill", "kills", "killed", "killing", "killings", "murder", "murders", "murdered", "matan",
        "matar", "mataron", "asesinan", "asesinato", "asesinatos", "asesinado", "asesinados",
        "homicidio", "homicidios",
    ),
    "police": ("police", "policeman", "policemen", "cops", "policia", "policias", "policiaco"),
    "lgbt": (
        "lgbt", "lgbtq", "lgbti", "lgbtiq", "gay", "gays", "lesbian", "lesbians",
        "lesbiana", "lesbianas", "trans", "transgender", "transgenero", "transexual", "queer",
        "homosexual", "homosexuales", "bisexual", "bisexuales",
    ),
    "women": ("woman", "women", "mujer", "mujeres"),
    "lawyer": ("lawyer", "lawyers", "attorney", "attorneys", "abogado", "abogados", "abogada", "abogadas"),
    "survey": (
        "survey", "surveys", "surveyed", "poll", "questionnaire", "encuesta", "encuestas",
        "encuestados", "sondeo",
    ),
    "tariff": ("tariff", "tariffs", "arancel", "aranceles", "impuestos a las importaciones"),
    "email": ("email", "emails", "e mail", "e mails", "mail", "correo", "correos", "correo electronico",
              "correos electronicos"),
    "ambassador": ("ambassador", "ambassadors", "embajador", "embajadores", "embajadora"),
    "fminister": (
        "foreign minister", "foreign secretary", "minister of foreign affairs",
        "secretary of foreign affairs", "canciller", "cancilleria", "secretario de relaciones exteriores",
        "secretaria de relaciones exteriores", "relaciones exteriores",
    ),
    "deadline": ("deadline", "deadlines", "fecha limite", "fechas limite", "plazo", "plazos"),
    "backlog": ("backlog", "backlogs", "backlogged", "rezago", "rezagos", "atraso", "atrasos"),
    "lawsuit": ("lawsuit", "lawsuits", "demanda", "demandas"),
    # Towns, cities and states the FAQ never names: where someone is says
    # nothing about which entry they mean ("my cousin in Tapachula", "from
    # Texas"), so they become a stop word instead of an unknown word, which
    # would count against every entry. The countries the FAQ is about are not
    # here, and neither is any place a phrasing names (tests check it).
    "placename": (
        "tapachula", "tijuana", "reynosa", "matamoros", "nuevo laredo", "ciudad juarez", "juarez",
        "mexicali", "nogales", "piedras negras", "acuna", "monterrey", "guadalajara", "cancun", "oaxaca",
        "chiapas", "tabasco", "veracruz", "sonora", "chihuahua", "coahuila", "tamaulipas",
        "nuevo leon", "baja california", "puebla", "mexico city", "ciudad de mexico", "cdmx",
        "el paso", "laredo", "brownsville", "mcallen", "san diego", "san ysidro", "yuma", "tucson",
        "phoenix", "houston", "dallas", "san antonio", "los angeles", "chicago", "new york", "miami",
        "texas", "california", "arizona", "new mexico", "nuevo mexico", "florida", "illinois",
        "toronto", "montreal", "vancouver", "quebec", "ontario",
        "tegucigalpa", "san pedro sula", "san salvador", "guatemala city", "ciudad de guatemala",
        "managua", "caracas",
    ),
    "return": (
        "return", "returns", "returned", "returning", "returnee", "returnees", "devolver", "devuelven",
        "devuelve", "devolvieron", "devuelto", "devueltos", "devuelta", "devueltas", "devolucion",
        "devoluciones", "devolverme", "devolverlos", "regresar", "regresan", "regresa", "regresaron",
        "regresado", "regresados", "regresada", "regresadas", "regresarme", "regresarlos", "regreso",
        "de regreso", "de vuelta", "pa tras", "pa atras", "para atras",
    ),
    "barrier": (
        "barrier", "barriers", "obstacle", "obstacles", "hurdle", "hurdles", "barrera", "barreras",
        "obstaculo", "obstaculos", "traba", "trabas",
    ),
    # Greetings and small talk say nothing about which entry is meant ("good
    # morning" is not a "good appeal"): they become a stop word.
    "hola": (
        "hi", "hello", "hey", "good morning", "good afternoon", "good evening", "good night",
        "how are you", "how are you doing", "hola", "buenos dias", "buen dia", "buenas tardes",
        "buenas noches", "buenas", "como estas", "como esta usted", "que tal",
    ),
}
# A Spanish number's thousands point or an English one's comma: "14,596" and
# "14.596" are the same number (a decimal like "150.18" keeps its two parts).
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")
SYNONYMS: dict[tuple[str, ...], str] = {
    tuple(phrase.split()): canonical
    for groups in (_SYNONYM_GROUPS, _WORD_FAMILY_GROUPS)
    for canonical, phrases in groups.items()
    for phrase in phrases
}
# Names of programmes and bodies (not word families): the language reader
# sets them apart, since people use them whatever language they write in.
NAMES = frozenset(tuple(phrase.split()) for phrases in _SYNONYM_GROUPS.values() for phrase in phrases)
CANONICAL_TOKENS = frozenset(_SYNONYM_GROUPS) | frozenset(_WORD_FAMILY_GROUPS)
_LONGEST_SYNONYM = max(len(key) for key in SYNONYMS)
# Only a word that starts some synonym can start a match: most words are
# passed over with one set look-up instead of one per possible length.
_SYNONYM_STARTS = frozenset(key[0] for key in SYNONYMS)

# Typed names: one slip in a long word of a multi-word name ("safe third
# counttry", "tercer pais segyro") still makes the name, if another of its
# words is exact. Without this, the name's words stay loose, and loose they
# are rare in the FAQ (its phrasings hold the name's token): the most basic
# question was declined for one typo. Single-word names are never corrected
# ("comer" is not COMAR), nor words under five letters.
_FUZZY_MIN = 5
_NAME_WORDS = frozenset(w for key in SYNONYMS if len(key) > 1 for w in key if len(w) >= _FUZZY_MIN)
_NAME_WORD_DELETIONS: dict[str, frozenset[str]] = {}
for _word in _NAME_WORDS:
    for _variant in {_word} | {_word[:i] + _word[i + 1:] for i in range(len(_word))}:
        _NAME_WORD_DELETIONS[_variant] = _NAME_WORD_DELETIONS.get(_variant, frozenset()) | {_word}
_MULTI_WORD_KEYS = frozenset(key for key in SYNONYMS if len(key) > 1)


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter dropped, added, replaced,
    or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@functools.lru_cache(maxsize=16384)
def _name_word(word: str) -> str | None:
    """The one name word ``word`` is a slip of (None: none, or several)."""
    if len(word) < _FUZZY_MIN - 1 or word in _NAME_WORDS:
        return None
    found = set(_NAME_WORD_DELETIONS.get(word, ()))
    for i in range(len(word)):
        found |= _NAME_WORD_DELETIONS.get(word[:i] + word[i + 1:], frozenset())
    found = {w for w in found if _one_slip(word, w)}
    return found.pop() if len(found) == 1 else None


def _fuzzy_name(raw: list[str], i: int, slips_of: list[str | None]) -> tuple[str, int] | None:
    """A multi-word name at ``raw[i:]`` with one typed slip: (token, words used).
    ``slips_of[k]`` is ``_name_word(raw[k])``, read once per text (not once
    per window that holds the word)."""
    longest = min(_LONGEST_SYNONYM, len(raw) - i)
    slips = slips_of[i : i + longest]
    if not any(slips):  # the common case: no word near a name word, nothing to try
        return None
    for size in range(longest, 1, -1):
        window = raw[i : i + size]
        fixed = [slip or w for slip, w in zip(slips[:size], window, strict=True)]
        if fixed == window or all(f != w for f, w in zip(fixed, window, strict=True)):
            continue
        canonical = SYNONYMS.get(tuple(fixed))
        if canonical is not None and tuple(fixed) in _MULTI_WORD_KEYS:
            return canonical, size
    return None


# "US" and "UN" in capitals are the country and the organisation; in lower
# case they are the English pronoun and the Spanish article. So these two are
# recognised on the original text, before casefolding loses the difference.
_CAPITALS = (
    (re.compile(r"(?<![^\W\d_])U\.?\s?S\.?(?:\s?A\.?)?(?![^\W\d_])"), " usa "),
    (re.compile(r"(?<![^\W\d_])U\.?N\.?(?![^\W\d_])"), " onu "),
)
_WORD = re.compile(r"[^\W_]+")

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
    if text.isascii():  # nothing to decompose: the common case, made cheap
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokenise(text: str) -> list[str]:
    """Folded words with synonyms collapsed; stop words still present."""
    return list(_tokens(text))


# One question is read by several parts on the event loop (the phrasings'
# index, the answers' index, the combined matcher's "only stop words?"): the
# pipeline is pure, so the last texts' readings are kept and each question is
# tokenised once. Bounded, and safe from any thread (``lru_cache`` locks);
# tuples, so no caller can change what another is given.
_READINGS_KEPT = 64


@functools.lru_cache(maxsize=_READINGS_KEPT)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_tokenise(text))


@functools.lru_cache(maxsize=_READINGS_KEPT)
def content_words(text: str, max_tokens: int = 80) -> tuple[str, ...]:
    """The words of ``text`` the matcher reads: tokens without stop words,
    at most ``max_tokens``. Needs no language (only stemming does)."""
    return tuple(t for t in _tokens(text) if t not in STOP_WORDS)[:max_tokens]


def _tokenise(text: str) -> list[str]:
    """``tokenise`` itself, uncached."""
    for pattern, replacement in _CAPITALS:
        text = pattern.sub(replacement, text)
    text = _THOUSANDS.sub("", text)
    raw = _WORD.findall(fold(text))
    slips = [_name_word(w) for w in raw]
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] not in _SYNONYM_STARTS:
            fuzzy = _fuzzy_name(raw, i, slips) if len(raw) - i > 1 else None
            if fuzzy is not None:
                out.append(fuzzy[0])
                i += fuzzy[1]
                continue
            out.append(raw[i])
            i += 1
            continue
        for size in range(min(_LONGEST_SYNONYM, len(raw) - i), 0, -1):
            canonical = SYNONYMS.get(tuple(raw[i : i + size]))
            if canonical is not None:
                # A longer name with one slip beats a shorter exact one
                # ("tercer pais segro" is the whole name, not "tercer pais").
                fuzzy = _fuzzy_name(raw, i, slips) if size < _LONGEST_SYNONYM else None
                if fuzzy is not None and fuzzy[1] > size:
                    canonical, size = fuzzy
                out.append(canonical)
                i += size
                break
        else:
            fuzzy = _fuzzy_name(raw, i, slips)
            if fuzzy is not None:
                out.append(fuzzy[0])
                i += fuzzy[1]
                continue
            out.append(raw[i])
            i += 1
    return out


class Pipeline:
    """The pipeline with its Snowball stemmers and a bounded stem cache.

    `snowballstemmer.stemmer` gives PyStemmer's compiled stemmers when that
    is installed (it is a dependency), its own pure-Python ones otherwise:
    the same algorithms, the same stems. Stemmer objects keep state while
    stemming, so each matcher owns its own pipeline instead of sharing
    module-level stemmers; nothing at module level is mutated after import. Not for use from several threads
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
        """Run the whole pipeline, stemming in ``lang`` (English if it is
        neither language); at most ``max_tokens`` words kept."""
        lang = lang if lang in LANGUAGES else "en"
        words = content_words(text, max_tokens)
        return Analysed(words, tuple(self.stem(w, lang) for w in words), lang)


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
