"""What a sheet gave and what it did not, for the organizer (in the order of
the case file)."""

from __future__ import annotations

from bot.importer.sheet import Sheet


def found_and_missing(sheet: Sheet) -> tuple[list[str], list[str]]:
    found, missing = [], []

    def item(label: str, value) -> None:
        (found if value else missing).append(f"{label}: {value}" if value else label)

    item("reference", sheet.reference.value)
    item("index", sheet.index.value if sheet.index else None)
    item("date issued", sheet.issued.value.isoformat() if sheet.issued else None)
    item("country", sheet.country.value[0] if sheet.country else None)
    item(f"title ({sheet.lang})", sheet.title.value if sheet.title else None)
    item(f"summary ({sheet.lang})", f"{len(sheet.summary.value)} characters" if sheet.summary else None)
    if sheet.further:
        item("status", "closed (no further action)" if sheet.closed else None)
        if not sheet.closed:
            item("new deadline", sheet.deadline.value.isoformat() if sheet.deadline else None)
        return found, missing
    item("deadline", sheet.deadline.value.isoformat() if sheet.deadline else None)
    item("asks", f"{len(sheet.asks)}" if sheet.asks else None)
    item("asks to each official (second person)", f"{len(sheet.target_asks)}" if sheet.target_asks else None)
    item("model letter", f"{len(sheet.model_letter.value)} paragraphs" if sheet.model_letter else None)
    item("language to write in", sheet.language.value if sheet.language else None)
    for official in sheet.officials:
        contacts = [name for name in ("address", "email", "phone", "twitter") if getattr(official, name)]
        found.append(f"official: {official.name} ({official.title or 'no title'}; {', '.join(contacts)})")
    other = "es" if sheet.lang == "en" else "en"
    missing.append(f"every text in {other} (the sheet is in {sheet.lang})")
    return found, missing
