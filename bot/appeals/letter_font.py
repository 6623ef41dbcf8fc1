"""The Unicode font a letter falls back to, and how it is made.

Most letters (English, Spanish) print in Helvetica, a standard PDF font that
is never embedded. A letter with a character outside Windows-1252 (a name in
Cyrillic, Greek, Polish, Vietnamese…) needs an embedded font, and fpdf2
parses that font again for every document: the full DejaVu Sans (6,000
glyphs, with hinting and OpenType layout tables fpdf2 does not use) cost
more than half of each PDF. So the package ships DejaVu Sans cut down to the
scripts below, without hinting or layout tables: about a third of the glyphs
to parse, for the same outlines.

The scripts are those fpdf2 prints correctly glyph by glyph, left to right.
Hebrew and Arabic are left out on purpose: without text shaping and the
bidirectional algorithm (fpdf2 needs HarfBuzz for those) they came out
reversed and unjoined, so a name in them is now refused like Chinese is,
with the same "type it another way" message, rather than printed wrong.

Regenerate after changing SCRIPTS (needs matplotlib, which ships DejaVu):
    python -m bot.appeals.letter_font
tests/appeals/test_letter_pdf.py checks the shipped file against SCRIPTS.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
LETTER_FONT = FONT_DIR / "DejaVuSans-Letter.ttf"
SOURCE_FONT = "DejaVuSans.ttf"

# Unicode blocks kept, inclusive code point ranges.
SCRIPTS: dict[str, tuple[int, int]] = {
    "Basic Latin": (0x0020, 0x007E),
    "Latin-1 Supplement": (0x00A0, 0x00FF),
    "Latin Extended-A": (0x0100, 0x017F),
    "Latin Extended-B": (0x0180, 0x024F),
    "Spacing Modifier Letters": (0x02B0, 0x02FF),  # ʼ (Ukrainian apostrophe), ʻ, ˆ, ˜
    "Combining Diacritical Marks": (0x0300, 0x036F),
    "Greek and Coptic": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "Cyrillic Supplement": (0x0500, 0x052F),
    "Armenian": (0x0530, 0x058F),
    "Georgian": (0x10A0, 0x10FF),
    "Latin Extended Additional": (0x1E00, 0x1EFF),  # Vietnamese
    "General Punctuation": (0x2000, 0x206F),
    "Currency Symbols": (0x20A0, 0x20CF),
    "Letterlike Symbols": (0x2100, 0x214F),  # № in Russian addresses, ™
    "Alphabetic Presentation Forms": (0xFB00, 0xFB06),  # ﬁ ﬂ pasted from PDFs
}


def in_scripts(code_point: int) -> bool:
    return any(low <= code_point <= high for low, high in SCRIPTS.values())


def source_font() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / SOURCE_FONT


def build(destination: Path = LETTER_FONT) -> int:
    """Write the cut-down font; returns how many characters it maps."""
    import shutil

    from fontTools import subset
    from fontTools.ttLib import TTFont

    with TTFont(source_font(), recalcTimestamp=False) as font:
        kept = [cp for cp in font.getBestCmap() if in_scripts(cp)]
        options = subset.Options()
        options.hinting = False
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM"]
        options.notdef_outline = True
        options.glyph_names = True  # post format 2: cheaper for fpdf2 to read than names made up from cmap
        options.name_IDs = ["*"]  # the copyright and licence notices stay with the font
        options.name_languages = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=kept)
        subsetter.subset(font)
        font.save(destination)
    shutil.copyfile(source_font().with_name("LICENSE_DEJAVU"), destination.with_name("LICENSE_DEJAVU"))
    return len(kept)


if __name__ == "__main__":
    count = build()
    print(f"{LETTER_FONT}: {count} characters, {LETTER_FONT.stat().st_size:,} bytes")
