"""Compare quoted passages with the seed texts they cite.

The seeds were extracted from web pages and PDFs: hard line breaks fall
mid-sentence and quotes and apostrophes come curly or straight. A quote is
found when it matches after both sides are normalised the same way.
"""

import re
import unicodedata

_QUOTE_MARKS = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u00b4": "'", "\u0060": "'",
    "\u2013": "-", "\u2014": "-", "\u00a0": " ",
})
_SPACES = re.compile(r"\s+")


def normalise_passage(text: str) -> str:
    """Whitespace collapsed, quote marks and dashes made plain, NFC."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS)
    return _SPACES.sub(" ", text).strip()
