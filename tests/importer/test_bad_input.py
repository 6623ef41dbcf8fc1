"""What the importer refuses: each is one line on standard error, exit code
2, and not a byte written. And a PDF as downloaded reads like its text."""

from __future__ import annotations

import pytest
import yaml
from fpdf import FPDF

from tests.importer.helpers import SHEETS, copy_tree, run, snapshot


def pdf_of(lines: list[str] | None) -> bytes:
    """A PDF with these lines as its text layer, or (None) a scan: a page with
    only a drawing on it, no text layer."""
    pdf = FPDF()
    pdf.add_page()
    if lines is None:
        pdf.rect(20, 20, 150, 200, style="F")
    else:
        from bot.appeals.letter_font import LETTER_FONT  # DejaVu: accents and curly quotes

        pdf.add_font("Letter", fname=str(LETTER_FONT))
        pdf.set_font("Letter", size=9)
        for line in lines:
            pdf.multi_cell(0, 4, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def refused(tmp_path, monkeypatch, capsys, name: str, data: bytes | None, *flags: str) -> str:
    copy_tree(tmp_path)
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    before = snapshot(tmp_path)
    code, out, err = run(monkeypatch, capsys, tmp_path, "import", *flags, str(path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("error: import: ")
    assert snapshot(tmp_path) == before  # nothing written
    return err.removeprefix("error: import: ").rstrip("\n").replace(str(tmp_path) + "/", "")


def test_an_empty_file(tmp_path, monkeypatch, capsys):
    assert refused(tmp_path, monkeypatch, capsys, "sheet.txt", b"") == "sheet.txt is empty"
    assert refused(tmp_path / "b", monkeypatch, capsys, "sheet.txt", b" \n\n ") == (
        "sheet.txt is empty (only blank space)"
    )


def test_a_scanned_pdf_with_no_text_layer(tmp_path, monkeypatch, capsys):
    assert refused(tmp_path, monkeypatch, capsys, "scan.pdf", pdf_of(None)) == (
        "scan.pdf is a PDF with no text layer (a scan?): download the sheet's text version, or copy its "
        "text into a .txt file"
    )


def test_a_sheet_in_a_format_it_does_not_know(tmp_path, monkeypatch, capsys):
    text = b"Minutes of the group meeting, 3 March 2019\nWe agreed to write more letters.\n"
    assert refused(tmp_path, monkeypatch, capsys, "minutes.txt", text) == (
        "minutes.txt is not a case sheet in a format the importer knows: no Urgent Action layout found "
        '(no "URGENT ACTION" sheet with its appeals section, and not a US section page)'
    )
    assert refused(tmp_path / "b", monkeypatch, capsys, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == (
        "photo.jpg is neither text (UTF-8), a PDF nor a web page"
    )


def test_a_50_mb_file(tmp_path, monkeypatch, capsys):
    copy_tree(tmp_path)
    big = tmp_path / "big.pdf"
    with big.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(50 * 1024 * 1024)
    before = snapshot(tmp_path)
    code, out, err = run(monkeypatch, capsys, tmp_path, "import", str(big))
    assert (code, out) == (2, "")
    assert err == f"error: import: {big} is 50 MB; a case sheet is a few pages (the limit is 10 MB)\n"
    assert snapshot(tmp_path) == before


def test_a_missing_file_and_further_information_on_an_unknown_case(tmp_path, monkeypatch, capsys):
    assert refused(tmp_path, monkeypatch, capsys, "nope.txt", None).startswith("cannot read nope.txt:")
    sheet = (SHEETS / "es-au-60-13-guatemala-mas.txt").read_bytes()
    assert refused(tmp_path / "b", monkeypatch, capsys, "mas.txt", sheet) == (
        "this is further information on UA 60.13, but there is no case ua-60-13 to add it to: import the "
        "case's first sheet first"
    )


@pytest.mark.parametrize("name", ["2012-ua-112-12-colombia.txt", "es-au-60-13-guatemala.txt"])
def test_a_pdf_as_downloaded_imports_like_its_text(tmp_path, monkeypatch, capsys, name):
    lines = (SHEETS / name).read_text(encoding="utf-8").splitlines()
    copy_tree(tmp_path)
    (tmp_path / "sheet.pdf").write_bytes(pdf_of(lines))
    (tmp_path / "sheet.txt").write_text("\n".join(lines), encoding="utf-8")
    cases = {}
    for kind in ("pdf", "txt"):
        code, out, err = run(
            monkeypatch, capsys, tmp_path, "import", "--force", str(tmp_path / f"sheet.{kind}")
        )
        assert (code, err) == (0, ""), err
        case = next((tmp_path / "content" / "campaigns").glob("ua-*-1*"))
        cases[kind] = yaml.safe_load((case / "campaign.yaml").read_text(encoding="utf-8"))
    for data in cases.values():
        data.pop("sources")  # the same quotes, from two seeds
    assert cases["pdf"] == cases["txt"]
