"""The letter as a PDF a supporter can print, sign and post.

Fonts, chosen per letter:
- Helvetica, one of the standard PDF fonts every viewer and printer has,
  when the whole letter is in Windows-1252 (English, Spanish, most Western
  European text): nothing to parse, subset or embed.
- Otherwise DejaVu Sans, cut down to the scripts listed in
  `bot/appeals/letter_font.py` and embedded (regular face only, subset by fpdf2 to
  the glyphs used). A character neither can show (Chinese, emoji, Hebrew,
  Arabic) is refused before the letter is made (`unsupported_characters`),
  never printed as a box.

Lines are laid out here rather than by fpdf2's `multi_cell`, whose line
breaking measured each line again for every character it added (a fifth of
the old cost, and most of a Helvetica letter's): each distinct character is
measured once, words are summed from those widths.

The text block is 160 mm wide and centred on both papers, so a letter made
for Letter prints whole on A4 and the reverse; the supporter chooses the
paper (bot/chat/letter_paper.py). Between
the closing and the typed name a space is left for a handwritten signature
(see `find_closing`), and a page break never parts the closing from the name.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Literal

from bot.appeals.letter_font import LETTER_FONT

Paper = Literal["A4", "Letter"]
PAPERS: tuple[Paper, ...] = ("A4", "Letter")

STANDARD_FONT = "Helvetica"
STANDARD_ENCODING = "cp1252"  # what the PDF's WinAnsiEncoding means for the standard fonts
UNICODE_FAMILY = "DejaVuSans"
FONT_SIZE_PT = 11
LINE_MM = 5.5
TEXT_WIDTH_MM = 160.0  # A4 less two 25 mm margins; Letter gets 27.95 mm margins
MARGIN_MM = 25.0  # top and bottom
SIGNATURE_SPACE_MM = 22.0  # four lines of room to sign by hand
MAX_SIGNATURE_LINES = 4  # lines under the closing: the name, the city, perhaps more

# Closings the signature follows ("Yours sincerely," / "Atentamente,"), compared
# case-insensitively without the trailing comma. A closing not listed is still
# found when it ends with a comma and starts the letter's last paragraph.
CLOSINGS = frozenset({
    # English
    "yours sincerely", "sincerely", "sincerely yours", "yours faithfully", "faithfully",
    "yours truly", "respectfully", "respectfully yours", "yours respectfully", "kind regards",
    "best regards", "warm regards", "regards", "with respect", "with thanks", "with gratitude",
    # Spanish
    "atentamente", "muy atentamente", "le saluda atentamente", "cordialmente", "saludos cordiales",
    "un cordial saludo", "reciba un cordial saludo", "respetuosamente", "sinceramente",
    "con respeto", "un saludo", "saludos",
    # Portuguese
    "atenciosamente", "respeitosamente", "cordiais saudações", "saudações cordiais",
    "com os melhores cumprimentos", "com os meus cumprimentos", "melhores cumprimentos",
    # French
    "cordialement", "bien cordialement", "respectueusement", "salutations distinguées",
})
# Closing formulas that are a whole sentence (French: "Je vous prie d'agréer,
# Monsieur le Ministre, l'expression de ma haute considération."), known by
# how they begin.
CLOSING_OPENINGS: tuple[str, ...] = (
    "je vous prie d'agréer", "veuillez agréer", "je vous prie de recevoir", "veuillez recevoir",
    "je vous prie de croire", "veuillez croire",
)
_OPEN_CLOSING_MAX = 40  # an unlisted closing is a short line

# Territories whose everyday paper is US Letter, from the Unicode CLDR
# (supplementalData.xml, paperSize "US-Letter"); everywhere else uses A4. The
# supporter's territory decides (bot/chat/letter_paper.py), not the official's.
LETTER_TERRITORIES = frozenset({"BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV",
                                "US", "VE"})


@cache
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(LETTER_FONT, lazy=True) as font:
        # The cut-down DejaVu maps every Windows-1252 character too (a test checks).
        return frozenset(font.getBestCmap())


def unsupported_characters(text: str) -> list[str]:
    """Characters no letter font has a glyph for (spaces and newlines are fine)."""
    covered = _covered()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})


def fits_standard_font(text: str) -> bool:
    """Whether the letter prints in Helvetica, with no font embedded."""
    try:
        text.encode(STANDARD_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def letter_filename(official_id: str, lang: str, day: date) -> str:
    """"letter-luis-videgaray-es-2018-09-15-3f9a2c.pdf": who, which language,
    the letter's date and six random hex digits, so a second letter to the
    same official is another file rather than one a download folder renames
    or overwrites. Built from content ids only, never from what was typed."""
    readable = re.sub(r"[^a-z0-9]+", "-", f"{official_id}-{lang}".lower()).strip("-")
    return f"letter-{readable}-{day.isoformat()}-{secrets.token_hex(3)}.pdf"


def _closing_phrase(line: str) -> str:
    return " ".join(line.casefold().replace("\u2019", "'").strip().rstrip(",.;:!").split())


def _is_closing(line: str) -> bool:
    phrase = _closing_phrase(line)
    return phrase in CLOSINGS or phrase.startswith(CLOSING_OPENINGS)


def find_closing(lines: Sequence[str]) -> int | None:
    """The index of the closing line the signature follows, or None.

    Looked for in the letter's last paragraph, with one to
    MAX_SIGNATURE_LINES lines under it: the first line that is a listed
    closing, else the paragraph's first line when it is short and ends with
    a comma ("Cheers,\\nAna"). Scanning from the top of that paragraph means
    a supporter who types "Sincerely" as a name is not taken for the closing.
    """
    last = len(lines) - 1
    while last >= 0 and not lines[last].strip():
        last -= 1
    start = last
    while start > 0 and lines[start - 1].strip():
        start -= 1
    for index in range(max(start, last - MAX_SIGNATURE_LINES), last):
        if _is_closing(lines[index]):
            return index
    opening = lines[start].strip() if last >= 0 else ""
    if (0 < last - start <= MAX_SIGNATURE_LINES and opening.endswith(",")
            and len(opening) <= _OPEN_CLOSING_MAX):
        return start
    return None


class _Typesetter:
    """Lines down the page, left-aligned, a new page when one would pass the bottom margin."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.left = (pdf.w - TEXT_WIDTH_MM) / 2
        self.bottom = pdf.h - MARGIN_MM
        # The baseline where fpdf2's cells put it: mid-line, lowered by 0.3 of the font size.
        self.baseline = LINE_MM / 2 + 0.3 * FONT_SIZE_PT * 25.4 / 72
        self.widths: dict[str, float] = {}
        self.y = MARGIN_MM

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = MARGIN_MM

    def width(self, text: str) -> float:
        # No kerning in either font as fpdf2 sets them, so widths add up.
        widths = self.widths
        for ch in text:
            if ch not in widths:
                widths[ch] = self.pdf.get_string_width(ch)
        return sum(widths[ch] for ch in text)

    def wrap(self, paragraph: str) -> list[str]:
        """The paragraph in lines that fit the text block, broken at spaces
        (a word longer than a line is cut where it reaches the edge)."""
        space = self.width(" ")
        lines: list[str] = []
        current, current_width = "", 0.0
        for n, word in enumerate(paragraph.split(" ")):
            word_width = self.width(word)
            if n and current_width + space + word_width <= TEXT_WIDTH_MM:
                current, current_width = f"{current} {word}", current_width + space + word_width
                continue
            if n:
                lines.append(current)
            while word_width > TEXT_WIDTH_MM:
                cut = self._fitting_prefix(word)
                lines.append(word[:cut])
                word = word[cut:]
                word_width = self.width(word)
            current, current_width = word, word_width
        lines.append(current)
        return lines

    def _fitting_prefix(self, word: str) -> int:
        used = 0.0
        for index, ch in enumerate(word):
            used += self.widths[ch]
            if used > TEXT_WIDTH_MM:
                return max(index, 1)
        return len(word)

    def line(self, text: str) -> None:
        if self.y + LINE_MM > self.bottom:
            self.new_page()
        if text:
            self.pdf.text(self.left, self.y + self.baseline, text)
        self.y += LINE_MM

    def paragraph(self, text: str) -> None:
        if not text.strip():
            if self.y > MARGIN_MM:  # no blank line at the top of a page
                self.y += LINE_MM
            return
        for line in self.wrap(text):
            self.line(line)

    def signature_block(self, closing: str, signature: Sequence[str]) -> None:
        """The closing, room to sign, the typed name: kept together on one page."""
        closing_lines = self.wrap(closing)
        signature_lines = [line for text in signature for line in (self.wrap(text) if text.strip() else [""])]
        needed = (len(closing_lines) + len(signature_lines)) * LINE_MM + SIGNATURE_SPACE_MM
        if self.y + needed > self.bottom and needed <= self.bottom - MARGIN_MM and self.y > MARGIN_MM:
            self.new_page()
        for line in closing_lines:
            self.line(line)
        self.y += SIGNATURE_SPACE_MM
        for line in signature_lines:
            self.line(line)


def render_letter_pdf(text: str, title: str, paper: Paper = "A4") -> bytes:
    """The letter on `paper` ("A4" or "Letter").

    `text` is the letter as its template renders it: lines separated by
    "\\n", a blank line between paragraphs, the last paragraph being the
    closing and the signature ("Atentamente,\\nAna López\\nTijuana"). The
    letter's line breaks are kept and long lines wrapped; the signature space
    goes after the closing `find_closing` finds (none if it finds none).
    Raises ValueError for a character no font here can show: check names
    with `unsupported_characters` first.

    CPU-bound (a few ms in Helvetica, about ten times that with the embedded
    font; README, Performance): call it through asyncio.to_thread from the bot.
    """
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    if missing := unsupported_characters(text):
        raise ValueError(f"no letter font can show {' '.join(missing[:10])}")
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=paper)
    pdf.set_title(title)
    pdf.set_creator("advocacy-bot")
    pdf.set_auto_page_break(False)  # pages are broken by _Typesetter, to keep the signature whole
    if fits_standard_font(text):
        pdf.core_fonts_encoding = STANDARD_ENCODING
        pdf.set_font(STANDARD_FONT, size=FONT_SIZE_PT)
    else:
        pdf.add_font(UNICODE_FAMILY, "", LETTER_FONT)
        pdf.set_font(UNICODE_FAMILY, size=FONT_SIZE_PT)

    lines = text.rstrip("\n").split("\n")
    closing = find_closing(lines)
    page = _Typesetter(pdf)
    page.new_page()
    for line in lines if closing is None else lines[:closing]:
        page.paragraph(line)
    if closing is not None:
        page.signature_block(lines[closing], lines[closing + 1:])
    return bytes(pdf.output())
