"""A parsed sheet as plain field values, the shape of the corpus's expected
fields (tests/data/case_sheets/expected.yaml) and of `import --dry-run`'s
comparison: what the importer read, field by field."""

from __future__ import annotations

from bot.importer.sheet import Sheet

OFFICIAL_FIELDS = (
    "name",
    "title",
    "organisation",
    "address",
    "email",
    "phone",
    "twitter",
    "salutation_en",
    "salutation_es",
)


def _value(found):
    if found is None:
        return None
    value = found.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def sheet_fields(sheet: Sheet) -> dict:
    return {
        "format": sheet.format,
        "lang": sheet.lang,
        "further": sheet.further,
        "reference": sheet.reference.value,
        "issued": _value(sheet.issued),
        "country": sheet.country.value[0] if sheet.country else None,
        "title": _value(sheet.title),
        "summary": _value(sheet.summary),
        "deadline": _value(sheet.deadline),
        "language": _value(sheet.language),
        "closed": sheet.closed is not None,
        "asks": [found.value for found in sheet.asks],
        "target_asks": [found.value for found in sheet.target_asks],
        "model_letter": _value(sheet.model_letter),
        "officials": [
            {key: (list(getattr(o, key)) if key == "address" else getattr(o, key)) for key in OFFICIAL_FIELDS}
            for o in sheet.officials
        ],
    }
