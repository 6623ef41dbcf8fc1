"""Read one official's block of a case sheet: the title line, the name, the
postal address and the labelled contacts ("Email:", "Twitter:",
"Salutation:" / "Tratamiento:"). Only what is printed is kept; a line that is
neither a name nor a labelled contact goes to the address as printed."""

from __future__ import annotations

import re

from bot.importer.sheet import OfficialBlock

_LABEL = re.compile(
    r"^(e-?mail|correo(?: electr[oó]nico|-e)?|fax|phone|tel(?:ephone|[eé]fono)?\.?|twitter|instagram|"
    r"facebook|salutation|tratamiento)\s*:\s*(.*)$",
    re.IGNORECASE,
)
# A title printed before the name on the same line: "Ambassador Gerónimo Gutiérrez,".
_TITLE_PREFIX = re.compile(
    r"^(Ambassador|President|Prime Minister|Minister|Governor|Attorney General|Prosecutor General|"
    r"Director General|Director|Commissioner|Secretary|Chief|Counsellor|Judge|Mayor|"
    r"Embajador(?:a)?|Presidente|Presidenta|Ministr[oa]|Gobernador(?:a)?|Fiscal General)\s+(.+)$"
)
# Courtesy words that are not part of a name, nor a title.
_COURTESY = re.compile(
    r"^(?:Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Lic\.|Licenciad[oa]|Sr\.|Sra\.|Don|Doña|H\.E\.|"
    r"His Excellency|Her Excellency|Excmo\.|Excma\.)\s+"
)
_NOT_NAME = {
    "ministry",
    "minister",
    "ministerio",
    "ministro",
    "ministra",
    "embassy",
    "embajada",
    "office",
    "oficina",
    "palace",
    "palacio",
    "department",
    "departamento",
    "secretaría",
    "secretaria",
    "secretary",
    "avenue",
    "ave",
    "ave.",
    "street",
    "st.",
    "calle",
    "plaza",
    "building",
    "edificio",
    "box",
    "government",
    "gobierno",
    "state",
    "estado",
    "republic",
    "república",
    "court",
    "tribunal",
    "prosecutor",
    "fiscalía",
    "presidency",
    "presidencia",
    "governor",
    "gobernador",
    "federal",
    "national",
    "nacional",
    "police",
    "policía",
    "commission",
    "comisión",
    "council",
    "consejo",
    "ambassador",
    "embajador",
    "president",
    "presidente",
    "general",
    "affairs",
    "of",
    "foreign",
    "interior",
    "justice",
    "justicia",
    "road",
    "colonia",
    "col.",
    "delegación",
    "c.p.",
    "cp",
    "dc",
    "p.o.",
    "apartado",
    "attorney",
    "procuraduría",
    "house",
    "casa",
    "mission",
    "misión",
    "gobernación",
    "instituto",
    "institute",
    "foundation",
    "fundación",
}
_PARTICLES = {
    "de",
    "del",
    "la",
    "las",
    "los",
    "y",
    "da",
    "do",
    "dos",
    "das",
    "van",
    "von",
    "al",
    "el",
    "bin",
    "ibn",
    "e",
    "di",
}
_ORGANISATION = re.compile(
    r"\b(Embassy|Ministry|Office|Department|Presidency|Commission|Secretariat|Institute|Foundation|"
    r"Embajada|Ministerio|Oficina|Secretaría|Presidencia|Fiscalía|Procuraduría|Comisión|Departamento|"
    r"Instituto|Fundación)\b"
)
_SPANISH_SALUTATION = re.compile(r"^(Señor|Señora|Sr\.|Sra\.|Estimad[oa]|Excelent[ií]sim[oa]|Excmo)")


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in text) or "," in text.rstrip(","):
        return False
    if words[0].lower() in _PARTICLES or words[-1].lower() in _PARTICLES:
        return False
    for word in words:
        bare = word.strip(",.").lower()
        if word.lower() in _NOT_NAME or bare in _NOT_NAME:
            return False
        if bare in _PARTICLES:
            continue
        if not word[0].isupper():
            return False
    return True


def _salutation(text: str) -> tuple[str | None, str | None]:
    """(English, Spanish) from "Dear Governor/Señor Gobernador" and the like."""
    parts = [p.strip().rstrip(",:") for p in re.split(r"\s*/\s*", text) if p.strip()]
    english = next((p for p in parts if p.startswith("Dear")), None)
    spanish = next((p for p in parts if _SPANISH_SALUTATION.match(p)), None)
    if english is None and spanish is None and parts:
        english = parts[0]
    return english, spanish


def read_block(lines: list[str], sheet_lang: str) -> OfficialBlock | None:
    """An official from the lines of one block (stripped, non-empty), or None
    when no line is a person's name."""
    labelled: dict[str, str] = {}
    plain: list[str] = []
    for line in lines:
        match = _LABEL.match(line)
        if match:
            key = match[1].lower().rstrip(".")
            key = (
                "email"
                if key.startswith(("e", "correo"))
                else "phone"
                if key.startswith("tel")
                else "salutation"
                if key == "tratamiento"
                else key
            )
            labelled.setdefault(key, match[2].strip())
        else:
            plain.append(line.rstrip(",").strip())
    name_at, name, title = None, None, None
    for index, line in enumerate(plain):
        bare = _COURTESY.sub("", line)
        prefixed = _TITLE_PREFIX.match(bare)
        if prefixed and _looks_like_name(_COURTESY.sub("", prefixed[2])):
            name_at, name, title = index, _COURTESY.sub("", prefixed[2]), prefixed[1]
            break
        if _looks_like_name(bare):
            name_at, name = index, bare
            break
    if name is None:
        return None
    if name_at > 0:  # the line(s) above the name are the post, more than a "Counsellor" before it
        title = " ".join(plain[:name_at])
    after = plain[name_at + 1 :]
    organisation = next(
        (
            line
            for line in after
            if _ORGANISATION.search(line) and "," not in line and not any(ch.isdigit() for ch in line)
        ),
        None,
    )
    english, spanish = _salutation(labelled["salutation"]) if "salutation" in labelled else (None, None)
    twitter = labelled.get("twitter")
    email = labelled.get("email")
    return OfficialBlock(
        passage=" ".join(lines),
        name=name,
        title=title,
        organisation=organisation,
        address=(name, *after) if after else (),
        email=email.split()[0].rstrip(".,;") if email else None,
        phone=labelled.get("phone") or None,
        twitter=twitter.split()[0].lstrip("@") if twitter else None,
        fax=labelled.get("fax") or None,
        salutation_en=english,
        salutation_es=spanish,
    )
