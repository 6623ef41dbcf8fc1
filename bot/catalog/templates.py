"""Load the Jinja2 templates in content/templates and hold them to the contract."""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from .build import Problems
from .schema import CHANNELS, LANGUAGES
from .template_contract import JINJA_BUILTINS, REQUIRED_BLOCKS, TEMPLATE_VARIABLES


def _check_names(tree: nodes.Template, report) -> None:
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node in tree.find_all(nodes.Name):
        if node.ctx != "load" or node.name in assigned or node.name in JINJA_BUILTINS:
            continue
        if node.name not in TEMPLATE_VARIABLES:
            known = ", ".join(TEMPLATE_VARIABLES)
            report(node.lineno, f"unknown template variable {node.name!r} (provided: {known})")
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in TEMPLATE_VARIABLES:
            allowed = TEMPLATE_VARIABLES[node.node.name]
            if allowed is not None and node.attr not in allowed:
                report(
                    node.lineno,
                    f"unknown template variable '{node.node.name}.{node.attr}' "
                    f"(provided: {', '.join(sorted(allowed))})",
                )


def load_templates(
    directory: Path, display, problems: Problems
) -> dict[tuple[str, str], str]:
    """Template sources by (channel, language), each parsed and checked."""
    environment = SandboxedEnvironment()
    sources: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.j2")):
        shown = display(path)
        channel, _, lang = path.name.removesuffix(".j2").partition(".")
        if channel not in CHANNELS or lang not in LANGUAGES:
            problems.add(shown, 1, f"template name must be <channel>.<lang>.j2 with channel in "
                                   f"{', '.join(CHANNELS)} and lang in {', '.join(LANGUAGES)}")
            continue
        source = path.read_text(encoding="utf-8")

        def report(line: int, message: str, shown=shown) -> None:
            problems.add(shown, line, message)

        try:
            tree = environment.parse(source)
            environment.compile(source)
        except TemplateSyntaxError as error:
            report(error.lineno or 1, f"template syntax error: {error.message}")
            continue
        _check_names(tree, report)
        blocks = {block.name for block in tree.find_all(nodes.Block)}
        for block in REQUIRED_BLOCKS.get(channel, ()):
            if block not in blocks:
                report(1, f"missing block {block!r} ({channel} templates need "
                          f"{', '.join(REQUIRED_BLOCKS[channel])})")
        sources[(channel, lang)] = source
    for channel in CHANNELS:
        for lang in LANGUAGES:
            if (channel, lang) not in sources and not any(
                p.path == display(directory / f"{channel}.{lang}.j2") for p in problems
            ):
                problems.add(display(directory), 1, f"missing template {channel}.{lang}.j2")
    return sources
