"""Read a case sheet's text into a `Sheet`, in the formats the network has
published: the 2006–2014 sheets ("UA 219/06", "PLEASE SEND APPEALS BEFORE …"),
the 2015–2020 sheets ("UA: 150/18 Index: … Date: …", "TAKE ACTION: WRITE AN
APPEAL …", "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: …"), the Spanish
sheets ("ACCIÓN URGENTE", "Tratamiento: …", "ENVÍEN LLAMAMIENTOS ANTES DEL …")
and the US section's pages and PDFs ("Contact these officials by …", a
sample letter).

Each field is taken from one recognisable line and kept with that line (or
sentence) as its passage; a field whose line is not there stays None. Nothing
is guessed: a sheet that does not say the language to write in leaves it
empty for the organizer.
"""

from __future__ import annotations

import re

from bot.importer.countries import country_of, find_country
from bot.importer.dates import find_date
from bot.importer.officials_block import read_block
from bot.importer.sheet import Found, OfficialBlock, Sheet

FORMAT_2006 = "2006–2014 sheet"
FORMAT_2015 = "2015–2020 sheet"
FORMAT_SPANISH = "Spanish sheet (ACCIÓN URGENTE)"
FORMAT_WEB = "US section web page"


class UnknownFormat(ValueError):
    """The text is not a case sheet in a format the importer knows."""


_REFERENCES = (
    re.compile(r"\b(?:UA|AU)\s*:?\s*(\d{1,4})\s*/\s*(\d{2})\b"),
    re.compile(r"\b(?:UA|AU)\s+(\d{1,4})\.(\d{2})\b"),
    re.compile(r"\b(?:Urgent Action|Acci[oó]n Urgente)\s+(\d{1,4})\.(\d{2})\b", re.IGNORECASE),
)
_FURTHER = re.compile(
    r"further information on (?:UA|urgent action)|"
    r"(?:m[aá]s|informaci[oó]n complementaria) (?:informaci[oó]n )?sobre (?:la )?(?:AU|acci[oó]n urgente)",
    re.IGNORECASE,
)
_CLOSED = re.compile(
    r"no further (?:action|appeals)[^.]*?(?:is|are) (?:needed|requested|required)|"
    r"no (?:se requieren|se necesitan|es necesario enviar|hace falta enviar) "
    r"m[aá]s (?:acciones|llamamientos)",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^(URGENT ACTION|ACCI[OÓ]N URGENTE)\s*$", re.IGNORECASE)
_HEADER_LINE = re.compile(
    r"^(?:First |Further information on )?(?:UA|AU)\s*:?\s*\d|"
    r"(?:AI )?Index:|[IÍ]ndice:|(?:Issue )?Date:|Fecha:|PUBLIC\b|"
    r"(?:M[AÁ]S|INFORMACI[OÓ]N COMPLEMENTARIA)\b.*\bAU\b",
    re.IGNORECASE,
)
_ISSUED = re.compile(r"(?:Issue Date|Date|Fecha)\s*:\s*(.+)$", re.IGNORECASE)
_COUNTRY = (
    re.compile(
        r"(?:Index|[IÍ]ndice)\s*:\s*[A-Z]{3}\s*\d+/\d+/\d{4}\s+(.+?)\s+(?:Issue\s+)?(?:Date|Fecha)\s*:",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:Country|Pa[ií]s)\s*:\s*(.+)$", re.IGNORECASE),
)
_INDEX = re.compile(r"(?:Index|[IÍ]ndice)\s*:\s*([A-Z]{3}\s*\d+/\d+/\d{4})", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-–•·*▪]|o(?=\s))\s*(.+)$")
_ACTION_INTRO = re.compile(
    r"(write|appeal|llamamiento|escriban|recommended action|acci[oó]n recomendada|"
    r"tweet|call)[^:]*:\s*$",
    re.IGNORECASE,
)
_OFFICIALS_START = (
    re.compile(r"^Contact (?:these|this|the following) (?:\w+ )?officials? by (.+?):?$", re.IGNORECASE),
    re.compile(r"^PLEASE SEND APPEALS BEFORE (.+?)(?: TO)?:?$", re.IGNORECASE),
    re.compile(r"^ENV[IÍ]EN LLAMAMIENTOS ANTES DEL? (.+?)(?: A)?:?$", re.IGNORECASE),
    re.compile(r"^(?:APPEALS TO|LLAMAMIENTOS A)\s*:?$", re.IGNORECASE),
    re.compile(
        r"^TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER\s*$", re.IGNORECASE
    ),
)
_OFFICIALS_END = re.compile(
    r"^(Also send copies to|COPIES TO|And copies to|Y copia a|Env[ií]en (?:tambi[eé]n )?copias? a|"
    r"Copias? a|Please check with|Consulten con|AIUSA|\d\) LET US KNOW|ADDITIONAL INFORMATION|"
    r"INFORMACI[OÓ]N ADICIONAL|Sample letter|Dear |Estimad[oa] |Señor |PREFERRED LANGUAGE|"
    r"PLEASE TAKE ACTION|PLEASE SEND APPEALS|URGENT ACTION|ACCI[OÓ]N URGENTE|Name:|Nombre:)",
    re.IGNORECASE,
)
_DEADLINES = (
    re.compile(r"PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL\s*:?\s*(.+)$", re.IGNORECASE),
    re.compile(r"if sending appeals after (?:the )?(.+)$", re.IGNORECASE),
    re.compile(r"ACT[UÚ]EN LO ANTES POSIBLE Y NO M[AÁ]S TARDE DEL?\s*:?\s*(.+)$", re.IGNORECASE),
)
_LANGUAGE = (
    re.compile(r"PREFERRED LANGUAGE TO ADDRESS TARGETS?\s*:\s*(\w+)", re.IGNORECASE),
    re.compile(r"IDIOMA PREFERIDO[^:]*:\s*(\w+)", re.IGNORECASE),
    re.compile(r"\bin (English|Spanish|Portuguese|French) or your own language", re.IGNORECASE),
    re.compile(r"\ben (ingl[eé]s|espa[nñ]ol|portugu[eé]s|franc[eé]s) o en su propio idioma", re.IGNORECASE),
)
LANGUAGE_CODES = {
    "english": "en",
    "inglés": "en",
    "ingles": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "portuguese": "pt",
    "portugués": "pt",
    "portugues": "pt",
    "french": "fr",
    "francés": "fr",
    "frances": "fr",
}
_LETTER_START = re.compile(
    r"^(Dear\b.+|Estimad[oa]\b.+|Señor(?:a)?\b[^.]{0,60}):\s*$|^(Dear\b[^.]{0,80}),\s*$"
)
_LETTER_END = re.compile(
    r"^(Yours sincerely|Sincerely|Yours faithfully|Atentamente|Best regards)\b", re.IGNORECASE
)
_SECOND_PERSON = re.compile(
    r"\b(urge you|call on you|call upon you|ask you to|request that you|"
    r"le (?:insto|pido|solicito|exhorto))\b",
    re.IGNORECASE,
)
# The 2006–2014 reference line: "UA 219/06 Fear for safety 16 August 2006".
_OLD_UA_LINE = re.compile(r"^(?:Further information on )?UA \d{1,4}/\d{2}\s+(.+)$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’)])\s+")
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*$")


def _clean(line: str) -> str:
    """A line as a value: bookmarks left by the document converter removed,
    runs of spaces (a PDF's justified text) made one."""
    return " ".join(_BOOKMARK.sub("", line).split())


class _Lines:
    def __init__(self, text: str, wrapped: bool = False):
        self.raw = text.splitlines()
        self.lines = [_clean(line) for line in self.raw]
        # A PDF's text is wrapped at the page's width: a paragraph ends at a blank
        # line only, not at a line that happens to end with a full stop.
        self.wrapped = wrapped

    def continues(self, line: str, following: str) -> bool:
        if not following:
            return False
        return self.wrapped or not _SENTENCE_END.search(line)

    def find(self, pattern: re.Pattern, start: int = 0, stop: int | None = None):
        for index in range(start, len(self.lines) if stop is None else stop):
            if match := pattern.search(self.lines[index]):
                return index, match
        return None, None

    def paragraph(self, start: int) -> tuple[int, str] | tuple[None, None]:
        """The paragraph starting at the first non-empty line from `start`,
        joined across hard line breaks until a line ends a sentence."""
        index = start
        while index < len(self.lines) and not self.lines[index]:
            index += 1
        if index >= len(self.lines):
            return None, None
        parts = [self.lines[index]]
        while index + 1 < len(self.lines) and self.continues(parts[-1], self.lines[index + 1]):
            index += 1
            parts.append(self.lines[index])
        return index, " ".join(parts)


def _detect(text: str, web: bool) -> tuple[str, str]:
    spanish = bool(
        re.search(
            r"ACCI[OÓ]N URGENTE|Tratamiento:|ENV[IÍ]EN LLAMAMIENTOS|^AU:? ?\d|"
            r"M[AÁ]S INFORMACI[OÓ]N SOBRE",
            text,
            re.MULTILINE,
        )
    )
    if web:
        return FORMAT_WEB, "es" if spanish else "en"
    if spanish:
        return FORMAT_SPANISH, "es"
    if re.search(
        r"TAKE ACTION: WRITE AN APPEAL|PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL|"
        r"Preferred language to address target|^Contact (?:these|this) .*officials? by",
        text,
        re.IGNORECASE | re.MULTILINE,
    ):
        return FORMAT_2015, "en"
    if re.search(
        r"PLEASE SEND APPEALS BEFORE|RECOMMENDED ACTION|^APPEALS TO|^UA \d{1,4}/\d{2}\b",
        text,
        re.IGNORECASE | re.MULTILINE,
    ):
        return FORMAT_2006, "en"
    header = re.search(
        r"^(?:Further information on )?UA:? ?\d{1,4}/(\d{2})\b", text, re.IGNORECASE | re.MULTILINE
    )
    if header and re.search(r"^URGENT ACTION\s*$", text, re.MULTILINE):
        return (FORMAT_2015 if int(header[1]) >= 15 else FORMAT_2006), "en"
    raise UnknownFormat(
        'no Urgent Action layout found (no "URGENT ACTION" sheet with its appeals '
        "section, and not a US section page)"
    )


def _reference(lines: _Lines) -> Found:
    for pattern in _REFERENCES:
        index, match = lines.find(pattern)
        if match:
            number, year = int(match[1]), match[2]
            return Found(f"UA {number}.{year}", _sentence_with(lines.lines[index], match))
    raise UnknownFormat('no Urgent Action reference (such as "UA 150/18") found')


def _title(lines: _Lines, sheet: Sheet, web: bool) -> int | None:
    """Sets the title; returns the line it was found on."""
    if web:
        for index, line in enumerate(lines.lines[:3]):
            if line:
                value = re.sub(r"\s*\|.*$", "", line)
                value = re.sub(r"^Urgent Action:\s*", "", value)
                value = re.sub(r"\s*\([^)]*\b(?:UA|Urgent Action)\b[^)]*\)\s*$", "", value).strip()
                sheet.title = Found(value, line) if value else None
                return index
        return None
    heading, _ = lines.find(_HEADING)
    if heading is not None:
        for index in range(heading + 1, len(lines.lines)):
            line = lines.lines[index]
            if line and not _HEADER_LINE.match(line):
                sheet.title = Found(line, line)
                return index
    index, match = lines.find(_OLD_UA_LINE)
    if match:
        rest = re.sub(r"\([^)]*\)", "", match[1]).strip()
        dated = find_date(rest)
        value = rest[: rest.index(dated[1])].strip() if dated else rest.strip()
        sheet.title = Found(value, lines.lines[index]) if value else None
        return index
    return None


def _summary_from(lines: _Lines, after: int) -> Found | None:
    index = after + 1
    while index < len(lines.lines):
        line = lines.lines[index]
        if line and not _HEADER_LINE.match(line) and (len(line) >= 80 or _SENTENCE_END.search(line)):
            _, text = lines.paragraph(index)
            return Found(text, text)
        index += 1
    return None


def sentences(text: str) -> list[str]:
    """A paragraph's sentences (a dot inside "150.18" or "No. 20" followed by no space does not end one)."""
    return [part.strip() for part in _SENTENCE_BREAK.split(text) if part.strip()]


def _sentence_with(text: str, match: re.Match) -> str:
    position = 0
    for sentence in sentences(text):
        start = text.index(sentence, position)
        if start <= match.start() < start + len(sentence):
            return sentence
        position = start + len(sentence)
    return text


def _asks(lines: _Lines, stop: int | None) -> list[Found]:
    asks: list[Found] = []
    index, _ = lines.find(_ACTION_INTRO, 0, stop)
    while index is not None:
        following = index + 1
        items: list[str] = []
        while following < len(lines.lines):
            line = lines.lines[following]
            bullet = _BULLET.match(line)
            if bullet:
                items.append(bullet[1])
            elif items and lines.continues(items[-1], line) and not line.endswith(":"):
                items[-1] += " " + line  # the bullet wrapped onto the next line
            elif line or items:
                break
            following += 1
        if items:
            for item in items:
                value = re.sub(r"(?:;|,|\.)?\s*(?:and|y)?\s*$", "", item).rstrip(";,. ")
                asks.append(Found(value, value))
            return asks
        index, _ = lines.find(_ACTION_INTRO, index + 1, stop)
    return asks


def _officials(lines: _Lines, sheet: Sheet) -> int | None:
    """Officials' blocks; sets the deadline given with them. Returns where they start."""
    for pattern in _OFFICIALS_START:
        start, match = lines.find(pattern)
        if match is not None:
            break
    else:
        return None
    if match.groups() and (dated := find_date(match[1])):
        sheet.deadline = Found(dated[0], lines.lines[start])
    blocks: list[list[str]] = [[]]
    index = start + 1
    while index < len(lines.lines):
        line = lines.lines[index]
        if _OFFICIALS_END.match(line):
            break
        if not line:
            blocks.append([])
        else:
            blocks[-1].append(line)
            if re.match(r"^(Salutation|Tratamiento)\s*:", line, re.IGNORECASE):
                blocks.append([])
        index += 1
    if index < len(lines.lines) and re.match(
        r"^(Also send copies to|COPIES TO|And copies to|Y copia a|"
        r"Env[ií]en (?:tambi[eé]n )?copias? a|Copias? a)",
        lines.lines[index],
        re.IGNORECASE,
    ):
        sheet.copies.append(lines.lines[index])
    for block in blocks:
        if block and (official := read_block(block, sheet.lang)) is not None:
            sheet.officials.append(official)
        elif block:
            sheet.notes.append(f"not an official (no name found): {' / '.join(block)[:80]}")
    return start


def _model_letter(lines: _Lines, sheet: Sheet, after: int) -> None:
    start, match = lines.find(_LETTER_START, after)
    if match is None:
        return
    end, _ = lines.find(_LETTER_END, start + 1)
    if end is None:
        return
    paragraphs = tuple(line for line in lines.lines[start + 1 : end] if line)
    if not paragraphs:
        return
    sheet.model_letter = Found(paragraphs, " ".join(paragraphs))
    salutation = (match[1] or match[2]).strip()
    if (
        sheet.officials
        and sheet.officials[0].salutation_en is None
        and sheet.officials[0].salutation_es is None
    ):
        first = sheet.officials[0]
        spanish = sheet.lang == "es"
        sheet.officials[0] = OfficialBlock(
            **{
                **first.__dict__,
                "salutation_en": None if spanish else salutation,
                "salutation_es": salutation if spanish else None,
                "salutation_passage": lines.lines[start],
            }
        )
    for paragraph in paragraphs:
        for text in sentences(paragraph):
            if _SECOND_PERSON.search(text):
                sheet.target_asks.append(Found(text, text))


def parse_sheet(text: str, web: bool = False, wrapped: bool = False) -> Sheet:
    """The fields of a case sheet's text (`wrapped`: a PDF's, broken at the
    page's width); raises UnknownFormat."""
    fmt, lang = _detect(text, web)
    lines = _Lines(text, wrapped)
    sheet = Sheet(format=fmt, lang=lang, reference=_reference(lines))
    first_paragraph_after = None
    if (index := lines.find(_FURTHER)[0]) is not None:
        sheet.further = True
    if (found := lines.find(_INDEX)[1]) is not None:
        sheet.index = Found(found[1], found[0])
    for line in lines.lines:
        match = _ISSUED.search(line)
        if match and (dated := find_date(match[1])):
            sheet.issued = Found(dated[0], line)
            break
    else:
        index, match = lines.find(_OLD_UA_LINE)
        if match and (dated := find_date(re.sub(r"\([^)]*\)", "", match[1]))):
            sheet.issued = Found(dated[0], lines.lines[index])
    for pattern in _COUNTRY:
        index, match = lines.find(pattern)
        if match and (country := find_country(match[1])):
            sheet.country = Found((country[1], country[2]), lines.lines[index])
            break
    else:
        index, match = lines.find(_OLD_UA_LINE)
        if index is not None and index + 1 < len(lines.lines):
            line = lines.lines[index + 1]
            if (country := find_country(line)) is not None:
                sheet.country = Found((country[1], country[2]), line)
                first_paragraph_after = index + 1
    title_at = _title(lines, sheet, web)
    if web and sheet.country is None and sheet.title:
        # "Brazil: Indigenous leader threatened", "(Belarus: UA 12.20)"
        for pattern in (r"^(?:Urgent Action:\s*)?([^:(]+):", r"\(([^:()]+):\s*(?:UA|Urgent Action)\b"):
            named = re.search(pattern, sheet.title.passage)
            if named and (country := country_of(named[1].strip())) is not None:
                sheet.country = Found(country, sheet.title.passage)
                break
    after = first_paragraph_after if first_paragraph_after is not None else title_at
    if after is not None:
        sheet.summary = _summary_from(lines, after)
    officials_at = _officials(lines, sheet)
    sheet.asks = _asks(lines, officials_at)
    for pattern in _DEADLINES:
        if sheet.deadline is not None:
            break
        index, match = lines.find(pattern)
        if match and (dated := find_date(match[1])):
            sheet.deadline = Found(dated[0], lines.lines[index])
    for pattern in _LANGUAGE:
        index, match = lines.find(pattern)
        if match:
            code = LANGUAGE_CODES.get(match[1].lower())
            if code:
                sheet.language = Found(code, lines.lines[index])
            else:
                sheet.notes.append(f"language to write in not supported by the appeal layouts: {match[1]}")
            break
    _model_letter(lines, sheet, officials_at or 0)
    for line in lines.lines:
        if match := _CLOSED.search(line):
            sentence = _sentence_with(line, match)
            sheet.closed = Found("closed", sentence)
            break
    for official in sheet.officials:
        if official.fax:
            sheet.notes.append(f"fax for {official.name} not imported (the bot has no fax channel)")
    return sheet
