"""MkDocs hook: drop from the nav the guides whose file does not exist yet.

mkdocs.yml lists every guide, including those other branches are still
writing; a strict build fails on a nav entry without a file, so the entries
are filtered to the files present before the build reads them. A file
present but left out of the nav is still a warning (`omitted_files`), so a
new guide cannot go unlisted.
"""

from __future__ import annotations

from pathlib import Path


def _present(entries, docs_dir: Path):
    kept = []
    for entry in entries:
        (title, target), = entry.items()
        if isinstance(target, list):
            children = _present(target, docs_dir)
            if children:
                kept.append({title: children})
        elif "://" in target or (docs_dir / target).is_file():
            kept.append(entry)
    return kept


def on_config(config, **kwargs):
    config["nav"] = _present(config["nav"] or [], Path(config["docs_dir"]))
    return config
