"""Turn a parsed `Sheet` into the files of a draft case: its folder under
content/campaigns/, new officials in officials.yaml, the sheet itself in
seeds/ and seeds/index.yaml. A "Further information" sheet becomes an update
appended to its case instead.

Every file is planned in memory first and written only once the whole plan
holds together, so a refused import writes nothing. YAML is emitted with
PyYAML's dumper (a title such as "Brazil: …" is quoted as YAML needs), and
appended to the existing files rather than re-dumping them, so the
organizers' comments survive.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.catalog.quotes import normalise_passage
from bot.importer.parsing import sentences
from bot.importer.reading import Refused
from bot.importer.sheet import Found, OfficialBlock, Sheet

SKELETONS = Path(__file__).with_name("skeletons")
DRAFT_MARK = "DRAFT made by advocacy-bot import"
LANGS = ("en", "es")


@dataclass
class Plan:
    """What an import will write: whole files and appended text, and what it reports."""

    case_id: str
    files: dict[Path, str] = field(default_factory=dict)  # written whole
    appends: dict[Path, str] = field(default_factory=dict)  # appended to an existing file
    remove: list[Path] = field(default_factory=list)  # old templates replaced (--force)
    officials_new: list[str] = field(default_factory=list)
    officials_reused: list[str] = field(default_factory=list)
    seed_id: str = ""
    seed_file: str = ""

    def add_items(self, path: Path, items: list) -> None:
        """Append `items` to the YAML list in `path`; a file with no items yet
        (absent, empty, or `[]`) is written anew, keeping its comments."""
        existing = path.read_text(encoding="utf-8") if path.is_file() else ""
        if _load_list(path):
            self.appends[path] = "\n" + dump(items)
        else:
            comments = "".join(line for line in existing.splitlines(keepends=True) if line.startswith("#"))
            self.files[path] = comments + dump(items)

    def write(self) -> None:
        for path in self.remove:
            path.unlink()
        for path, text in self.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for path, text in self.appends.items():
            existing = path.read_text(encoding="utf-8") if path.exists() else ""
            separator = "" if not existing or existing.endswith("\n") else "\n"
            path.write_text(existing + separator + text, encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper without anchors: each value written out where it is."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(data) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def slug(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _text(value: str | None, lang: str) -> dict[str, str]:
    """A two-language text with the sheet's language filled and the other left empty."""
    return {code: (value or "") if code == lang else "" for code in LANGS}


def _source(seed: str, passage: str) -> dict[str, str]:
    return {"seed": seed, "quote": passage}


def _load_list(path: Path) -> list:
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise Refused(f"{path} cannot be read as YAML ({error}); fix it first (advocacy-bot check)") from None
    return data if isinstance(data, list) else []


def _seed(plan: Plan, sheet: Sheet, text: str, seeds_dir: Path, suffix: str = "") -> str:
    """The sheet kept as a seed: reused when the same text is already there."""
    index_path = seeds_dir / "index.yaml"
    entries = _load_list(index_path)
    wanted = normalise_passage(text)
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            path = seeds_dir / entry["file"]
            if path.is_file() and normalise_passage(path.read_text(encoding="utf-8")) == wanted:
                plan.seed_id, plan.seed_file = entry["id"], entry["file"]
                return entry["id"]
    ids = {entry.get("id") for entry in entries if isinstance(entry, dict)}
    seed_id = f"amnesty-{sheet.case_id}{suffix}"
    number = 2
    while seed_id in ids:
        seed_id, number = f"amnesty-{sheet.case_id}{suffix}-{number}", number + 1
    numbers = [int(p.name[:3]) for p in seeds_dir.glob("[0-9][0-9][0-9]_*") if p.name[:3].isdigit()]
    file = f"{max(numbers, default=-1) + 1:03d}_{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
    plan.files[seeds_dir / file] = text if text.endswith("\n") else text + "\n"
    issued = sheet.issued_date
    year = 2000 + int(sheet.reference.value.rsplit(".", 1)[1])
    kind = "Further information" if sheet.further else "Urgent Action"
    entry = {
        "id": seed_id,
        "file": file,
        "title": f"{_found(sheet.title) or sheet.reference.value} ({kind} {sheet.reference.value})",
        "kind": "urgent action",
        "publisher": "Amnesty International USA" if sheet.format.startswith("US section") else None,
        "date": issued if issued else year,
        "date_note": None if issued else "the sheet prints no date: the year is its reference's",
        "viewpoint": "the case sheet itself, imported by advocacy-bot import",
    }
    plan.add_items(index_path, [{k: v for k, v in entry.items() if v is not None}])
    plan.seed_id, plan.seed_file = seed_id, file
    return seed_id


def _same_person(existing: dict, block: OfficialBlock) -> bool:
    def folded(value) -> str:
        return str(value or "").strip().lower().lstrip("@")

    return any(
        folded(existing.get(key)) and folded(existing.get(key)) == folded(value)
        for key, value in (("email", block.email), ("twitter", block.twitter))
    ) or slug(str(existing.get("name", ""))) == slug(block.name)


def _officials(plan: Plan, sheet: Sheet, content_dir: Path, seed: str) -> list[str]:
    """Official ids for the sheet's blocks: an existing official (same email,
    Twitter handle or name) is reused; the others are appended to officials.yaml."""
    path = content_dir / "officials.yaml"
    existing = [o for o in _load_list(path) if isinstance(o, dict)]
    taken = {o.get("id") for o in existing}
    ids, new = [], []
    for block in sheet.officials:
        match = next((o for o in existing if _same_person(o, block)), None)
        if match is not None:
            ids.append(match["id"])
            plan.officials_reused.append(match["id"])
            continue
        official_id, number = slug(block.name), 2
        while official_id in taken:
            official_id, number = f"{slug(block.name)}-{number}", number + 1
        taken.add(official_id)
        entry = {
            "id": official_id,
            "name": block.name,
            "title": _text(block.title, sheet.lang),
            "organisation": _text(block.organisation, sheet.lang),
        }
        if block.address:
            entry["address"] = list(block.address)
        for key in ("email", "phone", "twitter"):
            if getattr(block, key):
                entry[key] = getattr(block, key)
        entry["salutation"] = {"en": block.salutation_en or "", "es": block.salutation_es or ""}
        entry["language"] = sheet.language.value if sheet.language else ""
        sources = [_source(seed, block.passage)]
        if block.salutation_passage:
            sources.append(_source(seed, block.salutation_passage))
        if sheet.language:
            sources.append(_source(seed, sheet.language.passage))
        entry["sources"] = sources
        new.append(entry)
        ids.append(official_id)
        plan.officials_new.append(official_id)
    if new:
        plan.add_items(path, new)
    return ids


def _jinja_safe(text: str) -> str:
    return "{% raw %}" + text + "{% endraw %}" if re.search(r"\{[{%#]", text) else text


def _templates(plan: Plan, sheet: Sheet, folder: Path, channels: list[str]) -> None:
    asks = {found.value for found in sheet.target_asks}
    for name in ["_message"] + channels:
        for lang in LANGS:
            text = (SKELETONS / f"{name}.{lang}.j2").read_text(encoding="utf-8")
            if name == "_message" and sheet.model_letter and lang == sheet.lang:
                paragraphs = []
                for paragraph in sheet.model_letter.value:
                    kept = " ".join(s for s in sentences(paragraph) if s not in asks)
                    if kept:
                        paragraphs.append(_jinja_safe(kept))
                text = text.splitlines()[0] + "\n" + "\n\n".join(paragraphs) + "\n"
            # A second line naming the case: every case's templates are its own, even
            # where they hold no text but the layouts and the case's fields.
            mark, _, rest = text.partition("\n")
            own = f"{{#- {sheet.reference.value}: made from its case sheet by advocacy-bot import. -#}}\n"
            plan.files[folder / "templates" / f"{name}.{lang}.j2"] = f"{mark}\n{own}{rest}"


def _channels(sheet: Sheet) -> list[str]:
    needs = {"letter": "address", "email": "email", "call": "phone", "tweet": "twitter"}
    return [
        channel
        for channel, attribute in needs.items()
        if any(getattr(block, attribute) for block in sheet.officials)
    ]


def _found(value: Found | None):
    return value.value if value else None


def plan_case(
    sheet: Sheet, text: str, content_dir: Path, seeds_dir: Path, force: bool, source_name: str
) -> Plan:
    """The files of a new draft case (Refused if it exists and not `force`)."""
    folder = content_dir / "campaigns" / sheet.case_id
    if folder.exists() and not force:
        raise Refused(
            f"case {sheet.case_id} already exists ({folder}); use --force to replace it "
            "with this sheet's draft"
        )
    plan = Plan(sheet.case_id)
    if folder.exists():
        plan.remove = sorted((folder / "templates").glob("*.j2"))
    seed = _seed(plan, sheet, text, seeds_dir)
    officials = _officials(plan, sheet, content_dir, seed)
    channels = _channels(sheet)
    target_asks = [_text(found.value, sheet.lang) for found in sheet.target_asks]
    country = _found(sheet.country)
    data = {
        "id": sheet.case_id,
        "reference": sheet.reference.value,
        "status": "draft",
        "issued": _found(sheet.issued),
        "deadline": _found(sheet.deadline),
        "topics": [],
        "country": country[0] if country else None,
        "region": country[1] if country else None,
        "title": _text(_found(sheet.title), sheet.lang),
        "summary": _text(_found(sheet.summary), sheet.lang),
        "asks": [_text(found.value, sheet.lang) for found in sheet.asks or sheet.target_asks],
        "targets": [{"official": official, "asks": list(target_asks)} for official in officials],
        "channels": channels,
        "sources": [
            _source(seed, found.passage)
            for found in (
                sheet.reference,
                sheet.issued,
                sheet.deadline,
                sheet.country,
                sheet.title,
                sheet.summary,
                *sheet.asks,
                *sheet.target_asks,
            )
            if found is not None
        ],
    }
    header = (
        f"# Imported by `advocacy-bot import` from {source_name} (seed {seed}): a draft,\n"
        "# invisible to supporters. `advocacy-bot check` lists what is left to do, in order;\n"
        "# every empty field ('' or null) is one the sheet does not print.\n"
    )
    plan.files[folder / "campaign.yaml"] = header + dump(data)
    _templates(plan, sheet, folder, channels)
    return plan


def _insert_update(text: str, item: str) -> str:
    """campaign.yaml's text with `item` (a dumped one-item list) added at the
    end of its top-level `updates:` list, or a new `updates:` at the end."""
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"updates:\s*(\[\s*\])?\s*(#.*)?$", line)), None
    )
    if start is None:
        return text + ("" if text.endswith("\n") else "\n") + "updates:\n" + item
    if "[" in lines[start]:
        lines[start] = "updates:\n"
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " -#"):
        end += 1
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # comments and blank lines before the next key belong to it
    indent = next(
        (re.match(r"\s*", line)[0] for line in lines[start + 1 : end] if line.lstrip().startswith("- ")), "  "
    )
    block = "".join(indent + line if line.strip() else line for line in item.splitlines(keepends=True))
    return "".join(lines[:end]) + block + "".join(lines[end:])


def plan_update(sheet: Sheet, text: str, content_dir: Path, seeds_dir: Path) -> Plan:
    """A "Further information" sheet as an update appended to its case."""
    path = content_dir / "campaigns" / sheet.case_id / "campaign.yaml"
    if not path.is_file():
        raise Refused(
            f"this is further information on {sheet.reference.value}, but there is no case "
            f"{sheet.case_id} to add it to: import the case's first sheet first"
        )
    if sheet.issued is None:
        raise Refused("this further information sheet prints no date, and an update needs one")
    current = path.read_text(encoding="utf-8")
    try:
        existing = yaml.safe_load(current) or {}
    except yaml.YAMLError as error:
        raise Refused(f"{path} cannot be read as YAML ({error}); fix it first (advocacy-bot check)") from None
    if any(
        str(u.get("date")) == str(sheet.issued.value)
        for u in existing.get("updates") or []
        if isinstance(u, dict)
    ):
        raise Refused(f"{sheet.case_id} already has an update dated {sheet.issued.value}")
    plan = Plan(sheet.case_id)
    seed = _seed(plan, sheet, text, seeds_dir, suffix="-update")
    passages = [found for found in (sheet.summary,) if found is not None]
    if sheet.closed and not any(sheet.closed.passage in found.passage for found in passages):
        passages.append(sheet.closed)
    body = " ".join(found.passage for found in passages)
    update = {
        "date": sheet.issued.value,
        "title": _text(_found(sheet.title), sheet.lang),
        "text": _text(body, sheet.lang),
    }
    if sheet.closed:
        update["status"] = "closed"
    elif sheet.deadline:
        update["deadline"] = sheet.deadline.value
    update["sources"] = [
        _source(seed, found.passage)
        for found in (sheet.issued, sheet.title, *passages, None if sheet.closed else sheet.deadline)
        if found is not None
    ]
    plan.files[path] = _insert_update(current, dump([update]))
    return plan
