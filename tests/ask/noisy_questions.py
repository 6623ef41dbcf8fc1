"""Noisy variants of evaluation questions: the way people type into a chat.

The development set's questions were written carefully; people type fast, on
a phone, half in one language. These variants let the matcher be tuned on
typed noise without looking at the test set. Deterministic (seeded per
question), so a figure measured on them can be measured again:

* ``plain``: lower case, accents and ¿¡ dropped, no final punctuation
  ("que es un tercer pais seguro").
* ``typo``: one slip in one longer word (a letter dropped, doubled, swapped
  with its neighbour, or replaced by a key next to it), plus ``plain``.
* ``mixed``: a few common words swapped for the other language's and a
  greeting or filler of the other language ("hola", "pls", "oye"), the way
  bilingual people write.
"""

from __future__ import annotations

import random
import re
import unicodedata

__all__ = ["KINDS", "noisy", "variants"]

KINDS = ("plain", "typo", "mixed")

_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et",
    "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}

# Words bilingual people swap, both ways; only words whose swap keeps the meaning.
_TO_SPANISH = {
    "mexico": "méxico", "asylum": "asilo", "country": "país", "safe": "seguro", "deal": "acuerdo",
    "agreement": "acuerdo", "us": "eeuu", "government": "gobierno", "migrants": "migrantes",
    "children": "niños", "border": "frontera", "help": "ayuda", "lawyer": "abogado",
}
_TO_ENGLISH = {
    "méxico": "mexico", "asilo": "asylum", "país": "country", "seguro": "safe", "acuerdo": "deal",
    "eeuu": "US", "gobierno": "government", "migrantes": "migrants", "niños": "kids",
    "frontera": "border", "ayuda": "help", "abogado": "lawyer", "estados unidos": "the US",
}
_FILLERS = {
    "en": ("hola ", "oye ", "buenas, ", "", " porfa", " gracias"),
    "es": ("hi ", "hey ", "ok so ", "", " pls", " thanks"),
}


def _plain(text: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    folded = folded.replace("¿", "").replace("¡", "").lower().strip()
    return re.sub(r"[?.!]+$", "", folded).strip()


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("drop", "double", "swap", "near"))
    if slip == "drop":
        word = word[:at] + word[at + 1:]
    elif slip == "double":
        word = word[:at] + word[at] + word[at:]
    elif slip == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    else:
        word = word[:at] + rng.choice(_NEIGHBOURS.get(word[at], word[at])) + word[at + 1:]
    words[i] = word
    return " ".join(words)


def _mixed(text: str, lang: str, rng: random.Random) -> str:
    lang = lang if lang in _FILLERS else "es"  # already mixed: swap its Spanish words, English fillers
    table = _TO_SPANISH if lang == "en" else _TO_ENGLISH
    out = text
    swappable = [w for w in table if re.search(rf"\b{re.escape(w)}\b", out, re.IGNORECASE)]
    for word in rng.sample(swappable, min(2, len(swappable))):
        out = re.sub(rf"\b{re.escape(word)}\b", table[word], out, count=1, flags=re.IGNORECASE)
    filler = rng.choice(_FILLERS[lang])
    return f"{filler}{out}" if filler.endswith(" ") else f"{out}{filler}"


def noisy(text: str, lang: str, kind: str) -> str:
    """``text`` (in ``lang``) as typed with the noise ``kind`` (see KINDS)."""
    rng = random.Random(f"{kind}:{text}")
    if kind == "plain":
        return _plain(text)
    if kind == "typo":
        return _typo(_plain(text), rng)
    if kind == "mixed":
        return _mixed(text, lang, rng)
    raise ValueError(kind)


def variants(items: list[dict], kinds: tuple[str, ...] = KINDS) -> list[dict]:
    """Each item once per noise kind, with its labels and ``noise`` set."""
    return [{**item, "q": noisy(item["q"], item["lang"], kind), "noise": kind}
            for kind in kinds for item in items]
