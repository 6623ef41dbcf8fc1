"""One import, start to end: read the file, parse the sheet, plan the files,
write them. Any refusal comes before the first write."""

from __future__ import annotations

from pathlib import Path

from bot.importer.parsing import UnknownFormat, parse_sheet
from bot.importer.reading import Refused, read_sheet
from bot.importer.sheet import Sheet
from bot.importer.writing import Plan, plan_case, plan_update


def import_sheet(
    path: Path, content_dir: Path, seeds_dir: Path, force: bool = False, dry_run: bool = False
) -> tuple[Sheet, Plan]:
    """The sheet and what was written (nothing when `dry_run`); Refused with one line otherwise."""
    read = read_sheet(path)
    try:
        sheet = parse_sheet(read.text, web=read.web, wrapped=read.kind == "PDF")
    except UnknownFormat as error:
        raise Refused(f"{path} is not a case sheet in a format the importer knows: {error}") from None
    if not (content_dir / "campaigns").is_dir():
        raise Refused(f"{content_dir / 'campaigns'} not found (is CONTENT_DIR right?)")
    if sheet.further:
        plan = plan_update(sheet, read.text, content_dir, seeds_dir)
    else:
        if not sheet.officials:
            raise Refused(
                f"{path}: no official to write to was found in the sheet (its appeals "
                "section is not in a layout the importer knows)"
            )
        plan = plan_case(sheet, read.text, content_dir, seeds_dir, force, path.name)
    if not dry_run:
        plan.write()
    return sheet, plan


__all__ = ["Refused", "import_sheet"]
