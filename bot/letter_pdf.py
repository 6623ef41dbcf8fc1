"""The letter as an A4 PDF a supporter can print and post.

Uses fpdf2 with DejaVu Sans, the Unicode font matplotlib ships (so no system
font is needed). DejaVu covers Latin, Greek, Cyrillic, Arabic and Hebrew
letters and more, but not every script (no Chinese, for one): a name it
cannot show is refused before the letter is made, never printed as boxes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


@cache
def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font_dir() / FONT_FILES[""], lazy=True) as font:
        return frozenset(font.getBestCmap())


def unsupported_characters(text: str) -> list[str]:
    """Characters the PDF font has no glyph for (spaces and newlines are fine)."""
    covered = _covered()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})


def render_letter_pdf(text: str, title: str) -> bytes:
    """A4, 25 mm margins, the letter's own line breaks kept, long lines wrapped.

    CPU-bound (about 10–30 ms): call it through asyncio.to_thread from the bot.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(title)
    pdf.set_creator("advocacy-bot")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    for style, filename in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(font_dir() / filename))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    for paragraph in text.rstrip("\n").split("\n"):
        if paragraph.strip():
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(5.5)
    return bytes(pdf.output())
