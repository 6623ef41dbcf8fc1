"""What a case sheet says, field by field, each value with the passage it was
read from (the exact text of the sheet, so `check` finds it as a quote)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Found:
    """A value the sheet prints, and the passage of the sheet that prints it."""

    value: object
    passage: str


@dataclass(frozen=True)
class OfficialBlock:
    """One official's block ("Salutation: …" ends it), as printed."""

    passage: str
    name: str
    title: str | None = None
    organisation: str | None = None
    address: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    twitter: str | None = None
    fax: str | None = None
    salutation_en: str | None = None
    salutation_es: str | None = None
    salutation_passage: str | None = None  # the model letter's "Dear …," line, when it gives it


@dataclass
class Sheet:
    """A parsed case sheet. A field the sheet does not print is None (or empty)."""

    format: str
    lang: str  # the language the sheet is written in: en or es
    reference: Found  # "UA 150.18"
    further: bool = False  # a "Further information on UA …" sheet
    index: Found | None = None  # "AMR 41/8937/2018"
    country: Found | None = None  # (code, region), passage the country's name
    issued: Found | None = None  # date
    title: Found | None = None
    summary: Found | None = None
    asks: list[Found] = field(default_factory=list)
    target_asks: list[Found] = field(default_factory=list)  # second person, from a model letter
    officials: list[OfficialBlock] = field(default_factory=list)
    deadline: Found | None = None  # date
    language: Found | None = None  # the language to write in: en | es | pt | fr
    model_letter: Found | None = None  # paragraphs (tuple of str)
    closed: Found | None = None  # the sentence saying no further action is needed
    copies: list[str] = field(default_factory=list)  # "Also send copies to": reported, not targets
    notes: list[str] = field(default_factory=list)  # what was seen but not imported

    @property
    def case_id(self) -> str:
        return self.reference.value.lower().replace(" ", "-").replace(".", "-")

    @property
    def issued_date(self) -> date | None:
        return self.issued.value if self.issued else None
