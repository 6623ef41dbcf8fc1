"""Draft cases (`status: draft`, as `advocacy-bot import` writes them): what
is left in them is a warning, not an error, so the bot still starts and
reloads while an organizer finishes one.

A problem is a draft's when it is in the draft's folder, or in the entry of
an official that only drafts name (a new official the import added). A draft
with anything left is kept out of the catalog altogether (never half-built
in front of supporters); once nothing is left it loads like any case, still
invisible to supporters until the organizer removes the mark.

The warnings come in the order the work is done: the case's own fields, its
new officials, its templates, then the last step (preview and publish).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.catalog.build import Problem
from bot.catalog.yaml_source import SourceList, SourceMap, YamlProblem, load_yaml

# The first line of every template the importer writes (bot/importer/skeletons).
DRAFT_MARK = "DRAFT made by advocacy-bot import"
OPTIONAL_LEFT = ("issued", "deadline", "country", "region", "topics")


@dataclass(frozen=True)
class Draft:
    id: str
    folder: str  # as displayed, with a trailing separator
    campaign_file: str
    raw: SourceMap
    status_line: int


def _raw(path: Path):
    try:
        return load_yaml(path)
    except (YamlProblem, OSError):
        return None


def _empty_values(value, line: int, label: str):
    """(line, label) of every empty text or missing value inside `value`."""
    if isinstance(value, SourceMap):
        for key, item in value.items():
            if key == "sources":
                continue
            yield from _empty_values(item, value.line_of(key), f"{label}.{key}" if label else str(key))
    elif isinstance(value, SourceList):
        for index, item in enumerate(value):
            yield from _empty_values(item, value.line_of(index), f"{label}[{index + 1}]")
    elif value is None or (isinstance(value, str) and not value.strip()):
        yield line, label


class Drafts:
    """The draft cases of one content tree, read from their YAML as written
    (a draft may not build yet)."""

    def __init__(self, content_dir: Path, display):
        self.display = display
        self.drafts: list[Draft] = []
        named_by_live: set[str] = set()
        named_by_draft: set[str] = set()
        for path in sorted((content_dir / "campaigns").glob("*/campaign.yaml")):
            raw = _raw(path)
            if not isinstance(raw, SourceMap):
                continue
            targets = raw.get("targets") if isinstance(raw.get("targets"), list) else []
            names = {t.get("official") for t in targets if isinstance(t, dict)}
            if raw.get("status") == "draft":
                folder = display(path.parent) + os.sep
                self.drafts.append(Draft(path.parent.name, folder, display(path), raw, raw.line_of("status")))
                named_by_draft |= names
            else:
                named_by_live |= names
        self.draft_only = named_by_draft - named_by_live
        self.officials_file = display(content_dir / "officials.yaml")
        self.official_spans: dict[str, tuple[int, int, SourceMap]] = {}
        officials = _raw(content_dir / "officials.yaml")
        if isinstance(officials, SourceList):
            starts = [officials.line_of(i) for i in range(len(officials))]
            for index, item in enumerate(officials):
                if isinstance(item, SourceMap) and item.get("id") in self.draft_only:
                    end = starts[index + 1] if index + 1 < len(starts) else 10**9
                    self.official_spans[item["id"]] = (starts[index], end, item)

    def owner(self, problem: Problem) -> Draft | None:
        for draft in self.drafts:
            if problem.path.startswith(draft.folder) or problem.path == draft.folder.rstrip(os.sep):
                return draft
        if problem.path == self.officials_file:
            for official_id, (start, end, _) in self.official_spans.items():
                if start <= problem.line < end:
                    return self._naming(official_id)
        return None

    def _naming(self, official_id: str) -> Draft | None:
        for draft in self.drafts:
            targets = draft.raw.get("targets") or []
            if any(isinstance(t, dict) and t.get("official") == official_id for t in targets):
                return draft
        return None

    def _left(self, draft: Draft) -> list[Problem]:
        """What the import left empty: every '' and null, and the fields it could not fill."""
        found = [
            Problem(draft.campaign_file, line, f"{label} is empty: the sheet does not print it; fill it in")
            for line, label in _empty_values(draft.raw, draft.raw.line, "")
        ]
        for key in OPTIONAL_LEFT:
            value = draft.raw.get(key)
            if key in draft.raw and isinstance(value, list) and not value:
                found.append(
                    Problem(
                        draft.campaign_file,
                        draft.raw.line_of(key),
                        f"{key} is empty: name the case's {key} (see content/{key}/)",
                    )
                )
        for target in draft.raw.get("targets") or []:
            if isinstance(target, SourceMap) and target.get("asks") == []:
                found.append(
                    Problem(
                        draft.campaign_file,
                        target.line_of("asks"),
                        f"targets: say what the appeal asks of {target.get('official')}, in the "
                        'second person ("I urge you to…")',
                    )
                )
        for official_id, (_, _, item) in self.official_spans.items():
            if self._naming(official_id) is draft:
                found += [
                    Problem(
                        self.officials_file,
                        line,
                        f"official {official_id}: {label} is empty: the sheet does not print it; fill it in",
                    )
                    for line, label in _empty_values(item, item.line, "")
                ]
        return found

    def split(
        self, problems: list[Problem], templates: dict[str, str], template_paths: dict[str, str]
    ) -> tuple[list[Problem], list[Problem], set[str]]:
        """(errors, warnings in working order, ids of drafts with something left)."""
        for name, source in templates.items():
            if DRAFT_MARK in source.split("\n", 1)[0]:
                problems.append(
                    Problem(
                        template_paths.get(name, name),
                        1,
                        "still marked as a draft: proofread this appeal, then delete its DRAFT line",
                    )
                )
        for draft in self.drafts:  # a draft that does not build yet has its templates unread
            for path in sorted(Path(draft.campaign_file).parent.glob("templates/*.j2")):
                first = path.read_text(encoding="utf-8").split("\n", 1)[0]
                if DRAFT_MARK in first:
                    problems.append(
                        Problem(
                            self.display(path),
                            1,
                            "still marked as a draft: proofread this appeal, then delete its DRAFT line",
                        )
                    )
        errors: list[Problem] = []
        by_draft: dict[str, list[Problem]] = {draft.id: self._left(draft) for draft in self.drafts}
        for problem in problems:
            draft = self.owner(problem)
            if draft is None:
                errors.append(problem)
            elif not problem.message.endswith(
                "is empty"
            ):  # the builder's "is empty": said above, with all the others
                by_draft[draft.id].append(problem)
        warnings: list[Problem] = []
        unfinished: set[str] = set()
        for draft in self.drafts:
            left = sorted(
                set(by_draft[draft.id]),
                key=lambda p: (
                    0 if p.path == draft.campaign_file else 1 if p.path == self.officials_file else 2,
                    p.path,
                    p.line,
                ),
            )
            if left:
                unfinished.add(draft.id)
            warnings += left
            warnings.append(
                Problem(
                    draft.campaign_file,
                    draft.status_line,
                    f"{draft.id} is a draft, invisible to supporters"
                    + (f"; {len(left)} thing(s) above are left. Then" if left else ". Last step:")
                    + f" preview its appeals (advocacy-bot letter --campaign {draft.id} …),"
                    " remove `status: draft` (write `status: open`), run check,"
                    " and preview the chat on a date inside the case"
                    " (advocacy-bot console --as-of YYYY-MM-DD)",
                )
            )
        return errors, warnings, unfinished
