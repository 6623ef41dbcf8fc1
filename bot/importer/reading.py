"""A case sheet file as text: plain text, a PDF as downloaded (its text
layer, read with pypdf), or a US section web page saved as HTML. Whatever
cannot be read is refused with one line saying why, before anything is written."""

from __future__ import annotations

import io
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# A case sheet is two to four pages: 10 MB is far beyond any, and keeps a
# wrong file (a video, an archive) from being read into memory.
MAX_BYTES = 10 * 1024 * 1024


class Refused(Exception):
    """The file cannot be imported; the message is the one line shown."""


@dataclass(frozen=True)
class SheetText:
    text: str
    web: bool  # a web page (its <title> is the first line)
    kind: str  # "text", "PDF", "web page"


class _PageText(HTMLParser):
    """The visible text of a page, a line per block element; <title> first."""

    BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "tr",
        "title",
        "section",
        "article",
        "header",
        "footer",
        "ul",
        "ol",
        "blockquote",
    }
    SKIP = {"script", "style", "nav", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.lines.append("")
        if tag == "li":
            self.lines[-1] = "- "

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.lines.append("")

    def handle_data(self, data):
        if not self.skipping:
            self.lines[-1] += " ".join(data.split()) if not data.isspace() else ""

    def text(self) -> str:
        out: list[str] = []
        for line in (line.strip() for line in self.lines):
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip() + "\n"


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise Refused(f"not a readable PDF ({error})") from None


def read_sheet(path: Path) -> SheetText:
    """The sheet's text, or Refused with the reason."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise Refused(f"cannot read {path}: {error.strerror or error}") from None
    if not path.is_file():
        raise Refused(f"{path} is not a file")
    if size == 0:
        raise Refused(f"{path} is empty")
    if size > MAX_BYTES:
        raise Refused(
            f"{path} is {size / 1024 / 1024:.0f} MB; a case sheet is a few pages "
            f"(the limit is {MAX_BYTES // 1024 // 1024} MB)"
        )
    data = path.read_bytes()
    if data.startswith(b"%PDF-"):
        text = _pdf_text(data)
        if not text.strip():
            raise Refused(
                f"{path} is a PDF with no text layer (a scan?): download the sheet's text "
                "version, or copy its text into a .txt file"
            )
        return SheetText(text, web=False, kind="PDF")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(f"{path} is neither text (UTF-8), a PDF nor a web page") from None
    if "\x00" in text:
        raise Refused(f"{path} is neither text (UTF-8), a PDF nor a web page")
    if not text.strip():
        raise Refused(f"{path} is empty (only blank space)")
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        parser = _PageText()
        parser.feed(text)
        return SheetText(parser.text(), web=True, kind="web page")
    return SheetText(text.replace("\r\n", "\n"), web=False, kind="text")
