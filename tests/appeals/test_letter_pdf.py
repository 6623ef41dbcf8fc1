"""The letter as a PDF: the exact letter text comes back out of it (Helvetica
for English and Spanish, the embedded Unicode font for other scripts), the
paper follows the address, a space is left to sign, and each letter gets its
own file name, down to the document sent through the real Application."""

from __future__ import annotations

import html
import io
import re
import unicodedata
from datetime import date

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from bot.appeals.letter_font import LETTER_FONT, SCRIPTS, in_scripts, source_font
from bot.appeals.letter_pdf import (
    LINE_MM,
    SIGNATURE_SPACE_MM,
    TEXT_WIDTH_MM,
    find_closing,
    fits_standard_font,
    letter_filename,
    render_letter_pdf,
    unsupported_characters,
)
from bot.appeals.render import AppealRenderer, SupporterDetails
from bot.chat.letter_paper import paper_for_language
from tests.chat.test_take_action import choose, complete

DAY = date(2018, 9, 15)
PT = 72 / 25.4  # points per millimetre
PAGE_SIZES_PT = {"A4": (595.28, 841.89), "Letter": (612, 792)}
FILENAME = re.compile(r"letter-(?P<who>[a-z0-9-]+)-2018-09-15-[0-9a-f]{6}\.pdf")


def letter(catalog, official="luis-videgaray", lang="es", **details) -> str:
    campaign = catalog.campaigns["ua-150-18"]
    return AppealRenderer(catalog).render(campaign, catalog.officials[official], "letter", lang,
                                          SupporterDetails(**details), DAY).body


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def same_text(pdf: bytes, text: str) -> bool:
    """Every character of the letter, in order, with only line breaks moved (wrapping)
    and blank lines gone (extraction has no empty lines)."""
    return pdf_text(pdf).split() == text.split()


def placed_lines(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """(page, x mm from the left, baseline mm from the top, text) of every line shown."""
    lines = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, number=number, height=height):
            if text.strip():
                lines.append((number, round(tm[4] / PT, 2), round((height - tm[5]) / PT, 2), text))
        page.extract_text(visitor_text=visit)
    return lines


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """(base font, embedded?) of every font the pages use."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.add((str(font["/BaseFont"]), embedded))
    return sorted(found)


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


# -- the text, in the right font ----------------------------------------------

def test_an_english_letter_is_its_exact_text_in_helvetica(catalog):
    # ’ “ ” – € … are Windows-1252 but not Latin-1: the encoding must be cp1252 all through.
    text = letter(catalog, "geronimo-gutierrez", "en", name="Ana O’Brien", city="San Diego",
                  sentence="“Safe” it is not – €5 bribes, threats… Please act.")
    pdf = render_letter_pdf(text, "Gerónimo Gutiérrez", "Letter")
    assert same_text(pdf, text)
    assert "Ana O’Brien" in pdf_text(pdf) and "“Safe” it is not – €5 bribes, threats…" in pdf_text(pdf)
    assert fonts_of(pdf) == [("/Helvetica", False)]
    assert b"/FontFile" not in pdf  # nothing embedded at all


def test_a_spanish_letter_keeps_its_accents_and_punctuation(catalog):
    text = letter(catalog, name="Begoña Núñez", city="Cancún",
                  sentence="¿Por qué «tercer país seguro»? ¡No lo firmen, señor!")
    pdf = render_letter_pdf(text, "Luis Videgaray", "Letter")
    assert same_text(pdf, text)
    assert "¿Por qué «tercer país seguro»? ¡No lo firmen, señor!" in pdf_text(pdf)
    assert "Begoña Núñez\nCancún" in pdf_text(pdf)
    assert fonts_of(pdf) == [("/Helvetica", False)]


@pytest.mark.parametrize("name", ["Анна Петрова", "Ελένη Παπαδοπούλου", "Łukasz Żółć", "Nguyễn Thị Minh",
                                  "Mykolaʼ Шевченко", "Արամ Խաչատրյան"])
def test_other_scripts_embed_one_cut_down_unicode_face(catalog, name):
    text = letter(catalog, name=name, city="Київ")
    assert not fits_standard_font(text)
    pdf = render_letter_pdf(text, "Luis Videgaray", "A4")
    assert same_text(pdf, text)
    assert f"{name}\nКиїв" in pdf_text(pdf)
    ((font, embedded),) = fonts_of(pdf)
    assert embedded and font.endswith("+DejaVuSansBook"), font
    assert pdf.count(b"/FontFile2") == 1  # one face embedded, used or not: the regular, no bold
    assert len(pdf) < 30_000  # only the glyphs used are embedded


@pytest.mark.parametrize("typed", ["李小龙", "🙂", "שרה", "محمد", "Ana 日本"])
def test_characters_no_font_shows_are_refused_before_the_letter(catalog, typed):
    assert unsupported_characters(typed)
    text = letter(catalog, name=typed)
    with pytest.raises(ValueError, match="no letter font can show"):
        render_letter_pdf(text, "Luis Videgaray")


def test_spaces_and_every_windows_1252_character_are_supported():
    cp1252 = "".join(ch for ch in bytes(range(0x20, 0x100)).decode("cp1252", errors="ignore")
                     if unicodedata.category(ch) != "Cc")  # DEL
    assert unsupported_characters(cp1252 + " \n\u00a0") == []
    assert fits_standard_font(cp1252)


def test_the_shipped_font_is_dejavu_cut_to_the_listed_scripts():
    with TTFont(source_font(), lazy=True) as source, TTFont(LETTER_FONT, lazy=True) as shipped:
        wanted = {cp for cp in source.getBestCmap() if in_scripts(cp)}
        assert set(shipped.getBestCmap()) == wanted  # regenerate: python -m bot.appeals.letter_font
        assert shipped["OS/2"].usWeightClass == 400
        assert "GPOS" not in shipped and "fpgm" not in shipped  # nothing fpdf2 would parse for naught
    assert len(SCRIPTS) > 10 and (LETTER_FONT.parent / "LICENSE_DEJAVU").exists()


# -- paper --------------------------------------------------------------------

@pytest.mark.parametrize("language_code, paper", [
    ("en-US", "Letter"), ("es-MX", "Letter"), ("es_US", "Letter"), ("fr-CA", "Letter"), ("en-ph", "Letter"),
    ("en", "A4"), ("es", "A4"), ("en-GB", "A4"), ("pt-BR", "A4"), ("es-ES", "A4"), ("", "A4"), (None, "A4"),
])
def test_paper_follows_the_territory_in_the_supporters_telegram_language(language_code, paper):
    assert paper_for_language(language_code) == paper


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_both_papers_carry_the_same_centred_text_block(catalog, paper):
    text = letter(catalog)
    pdf = render_letter_pdf(text, "Luis Videgaray", paper)
    assert page_size(pdf) == PAGE_SIZES_PT[paper]
    width_mm = PAGE_SIZES_PT[paper][0] / PT
    lines = placed_lines(pdf)
    assert {x for _, x, _, _ in lines} == {round((width_mm - TEXT_WIDTH_MM) / 2, 2)}
    a4 = [t for *_, t in placed_lines(render_letter_pdf(text, "Luis Videgaray", "A4"))]
    assert [t for *_, t in lines] == a4  # same line breaks on either paper


def test_an_unknown_paper_is_an_error(catalog):
    with pytest.raises(ValueError, match="paper must be one of A4, Letter"):
        render_letter_pdf(letter(catalog), "x", "Legal")


# -- room to sign -------------------------------------------------------------

@pytest.mark.parametrize("lines, closing", [
    (["Dear X,", "", "Text.", "", "Yours sincerely,", "Ana", "Tijuana"], 4),
    (["Text.", "", "Atentamente,", "Una persona que apoya a Amnistía Internacional"], 2),
    (["Text.", "", "Kind regards,", "Ana", "", ""], 2),  # trailing blank lines
    (["Text.", "Thank you.", "Sincerely,", "Ana"], 2),  # no blank line before the closing
    (["Text.", "", "Yours sincerely,", "Sincerely", "Tijuana"], 2),  # a name that is a closing
    (["Text.", "", "Cheers,", "Ana"], 2),  # not listed: a short last paragraph opening with a comma
    (["Text.", "", "Ana", "Tijuana"], None),
    (["Text.", "", "Yours sincerely,"], None),  # nothing under it
    (["Sincerely, I think this is wrong, and I would like you to reconsider it.", "Ana"], None),
    (["Yours sincerely,", "1", "2", "3", "4", "5"], None),  # too far from the end to be the closing
    ([], None), ([""], None),
])
def test_find_closing(lines, closing):
    assert find_closing(lines) == closing


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("official", ["luis-videgaray", "geronimo-gutierrez"])
@pytest.mark.parametrize("name", ["Ana López", ""])
@pytest.mark.parametrize("city", ["Tijuana", ""])
def test_every_shipped_letter_template_has_a_closing_found(catalog, lang, official, name, city):
    lines = letter(catalog, official, lang, name=name, city=city, sentence="Sincerely.").rstrip().split("\n")
    closing = find_closing(lines)
    assert closing is not None, "\n".join(lines[-4:])  # add the template's closing to CLOSINGS
    signer = name or {"en": "A supporter of Amnesty International",
                      "es": "Una persona que apoya a Amnistía Internacional"}[lang]
    assert lines[closing + 1:] == [signer, city] if city else [signer]


def test_the_signature_space_is_between_the_closing_and_the_name(catalog):
    text = letter(catalog, name="Ana López", city="Tijuana")
    lines = placed_lines(render_letter_pdf(text, "Luis Videgaray", "Letter"))
    where = {t: (page, y) for page, _, y, t in lines}
    gaps = [round(b[2] - a[2], 1) for a, b in zip(lines, lines[1:], strict=False)]
    assert gaps.count(LINE_MM + SIGNATURE_SPACE_MM) == 1
    assert where["Ana López"][1] - where["Atentamente,"][1] == pytest.approx(LINE_MM + SIGNATURE_SPACE_MM,
                                                                            abs=0.02)
    assert where["Tijuana"][1] - where["Ana López"][1] == pytest.approx(LINE_MM, abs=0.02)
    assert set(gaps) == {LINE_MM, 2 * LINE_MM, LINE_MM + SIGNATURE_SPACE_MM}


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_page_break_never_parts_the_closing_from_the_name(catalog, paper):
    base = letter(catalog, name="Ana López", city="Tijuana")
    bottom = PAGE_SIZES_PT[paper][1] / PT - 25
    moved = 0
    for n in range(48):  # padding lines walk the closing through every place on page one
        text = base.replace("Atentamente,", "".join(f"Line {k}.\n" for k in range(n)) + "Atentamente,")
        pdf = render_letter_pdf(text, "Luis Videgaray", paper)
        assert same_text(pdf, text)
        lines = placed_lines(pdf)
        assert all(y <= bottom for _, _, y, _ in lines)
        where = {t: (page, y) for page, _, y, t in lines}
        page, y = where["Atentamente,"]
        assert where["Ana López"] == (page, pytest.approx(y + LINE_MM + SIGNATURE_SPACE_MM, abs=0.02)), n
        assert where["Tijuana"][0] == page
        before = lines[[t for *_, t in lines].index("Atentamente,") - 1]
        if before[0] < page and before[2] + 2 * LINE_MM <= bottom:
            moved += 1  # the closing alone would have fitted on the page before
    assert moved >= 4


def measure(font: str):
    """The width in mm of a line in that font, measured by fpdf2 on its own."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm")
    pdf.core_fonts_encoding = "cp1252"
    if font == "unicode":
        pdf.add_font("U", "", LETTER_FONT)
    pdf.set_font("Helvetica" if font == "standard" else "U", size=11)
    return pdf.get_string_width


@pytest.mark.parametrize("name, font", [("Ana López", "standard"), ("Анна Петрова", "unicode")])
def test_lines_are_filled_up_to_the_text_width_and_no_further(catalog, name, font):
    text = letter(catalog, name=name, sentence="Por favor, " * 30 + "escuche.")
    lines = [t for *_, t in placed_lines(render_letter_pdf(text, "Luis Videgaray"))]
    width = measure(font)
    assert max(width(line) for line in lines) <= TEXT_WIDTH_MM
    paragraphs = text.split("\n")
    wrapped = 0
    for line, following in zip(lines, lines[1:], strict=False):
        if any(f"{line} {following}" in paragraph for paragraph in paragraphs):
            wrapped += 1  # the next word did not fit on this line
            assert width(f"{line} {following.split(' ')[0]}") > TEXT_WIDTH_MM, line
    assert wrapped >= 8


def test_a_word_longer_than_a_line_is_cut_at_the_margin(catalog):
    word = "ñ" * 200 + "Ж" * 100
    text = letter(catalog, sentence=word)
    pdf = render_letter_pdf(text, "Luis Videgaray")
    assert "".join(pdf_text(pdf).split()) == "".join(text.split())
    cut = [t for *_, t in placed_lines(pdf) if set(t) <= set("ñЖ")]
    assert len(cut) >= 3 and "".join(cut) == word


# -- file names ---------------------------------------------------------------

def test_file_names_are_readable_safe_and_distinct():
    names = {letter_filename("luis-videgaray", "es", DAY) for _ in range(200)}
    assert len(names) == 200
    assert all(FILENAME.fullmatch(n)["who"] == "luis-videgaray-es" for n in names)
    odd = letter_filename("../Odd Id/ñ", "ES", DAY)
    assert FILENAME.fullmatch(odd)["who"] == "odd-id-es", odd


# -- through the bot ----------------------------------------------------------

def _delivered(calls, caption: str | None = None) -> tuple[str, str, bytes]:
    """(letter as shown in the chat, file name, PDF) of one delivery."""
    (shown,) = [c for c in calls if c.method == "sendMessage" and "✉️" in (c.text or "")]
    (document,) = [c for c in calls if c.method == "sendDocument"]
    filename, pdf, mime = document.files["document"]
    assert mime == "application/pdf"
    if caption is not None:  # then the report prompt, which the PDF carries (issue 29)
        said, prompt = document.text.split("\n\n")
        assert said == caption
        assert prompt.startswith(("Did you post the letter?", "¿Enviaste la carta?"))
    return html.unescape(shown.text.split("\n\n", 1)[1]), filename, pdf


async def test_two_letters_to_the_same_official_are_two_files(bot):
    sim, api = bot
    user = sim.user(language_code="es")
    first = _delivered(await complete(user, "luis-videgaray", lang="es", name="Ana López"))
    second = _delivered(await complete(user, "luis-videgaray", lang="es", name="Ana López"))
    assert first[1] != second[1]
    for text, filename, pdf in (first, second):
        assert FILENAME.fullmatch(filename)["who"] == "luis-videgaray-es"
        assert same_text(pdf, text) and text.endswith("Atentamente,\nAna López\nTijuana")
    assert api.refusals == []


async def test_the_paper_follows_the_supporter_not_the_officials_address(bot):
    """Writing to Washington (a US Letter address) from a Telegram set to
    "en": A4, the paper of most of the world; set to "en-US": US Letter."""
    sim, _ = bot
    for user_id, language_code, paper, label in ((1, "en", "A4", "A4"), (2, "en-US", "Letter", "US Letter")):
        user = sim.user(user_id=user_id, language_code=language_code)
        # the official reads Spanish: the bot asks which language, then the sentence
        calls = await complete(user, "geronimo-gutierrez", name="Ana López", letter_lang=None)
        calls = await choose(user, "en")
        text, _, pdf = _delivered(calls, f"Your letter as a PDF, ready to print on {label} paper, with room "
                                         "to sign above your name.")
        assert page_size(pdf) == PAGE_SIZES_PT[paper]
        assert same_text(pdf, text)
        assert fonts_of(pdf) == [("/Helvetica", False)]


async def test_a_cyrillic_name_comes_in_the_embedded_font(bot):
    sim, _ = bot
    calls = await complete(sim.user(language_code="es"), "luis-videgaray", lang="es", name="Анна Петрова",
                           city="Київ")
    text, _, pdf = _delivered(calls, "Tu carta en PDF, lista para imprimir en papel A4, con "
                                     "espacio para firmar sobre tu nombre.")
    assert text.endswith("Atentamente,\nАнна Петрова\nКиїв")
    assert same_text(pdf, text)
    ((font, embedded),) = fonts_of(pdf)
    assert embedded and font.endswith("+DejaVuSansBook")
