"""How sourced content is shown: the as-of note, short source lines, and the
full Sources view with each quoted passage."""

from __future__ import annotations

from bot.catalog import Catalog, PartialDate, Source
from bot.catalog.i18n import Html, Texts
from bot.core.telegram_html import escape


def seed_years(catalog: Catalog, seed_ids) -> str:
    """The years the documents were written: "2018", or "2018–2020"."""
    years = sorted({catalog.seeds[i].date.year for i in seed_ids if i in catalog.seeds})
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def as_of_note(texts: Texts, lang: str, as_of: PartialDate) -> Html:
    return texts(lang, "content.as_of", date=as_of.display(lang))


def describe(catalog: Catalog, texts: Texts, lang: str, source: Source) -> str:
    """'Title' (publisher or kind, date) — plain text, not yet escaped."""
    if source.seed is not None:
        seed = catalog.seeds[source.seed]
        who = seed.publisher_in(lang) or texts.plain(lang, "seed_kind." + seed.kind.replace(" ", "_"))
        return f"“{seed.title}” ({who}, {seed.date.display(lang)})"
    return f"“{source.title}” ({source.publisher_in(lang)}, {source.date.display(lang)})"


def source_line(catalog: Catalog, texts: Texts, lang: str, sources: tuple[Source, ...]) -> Html:
    """One line naming each distinct document relied on."""
    names = list(dict.fromkeys(describe(catalog, texts, lang, s) for s in sources))
    return texts(lang, "content.sources_line", sources=Html("; ".join(escape(n) for n in names)))


def sources_view(catalog: Catalog, texts: Texts, lang: str, title: str,
                 sources: tuple[Source, ...]) -> Html:
    """Every cited document with its title, publisher or kind, date and quote."""
    parts = [texts(lang, "content.sources_heading", title=title)]
    for number, source in enumerate(sources, start=1):
        entry = f"{number}. {escape(describe(catalog, texts, lang, source))}"
        if source.quote:
            entry += f"\n<i>“{escape(source.quote)}”</i>"
        if source.url:
            entry += f"\n{escape(source.url)}"
        parts.append(entry)
    return Html("\n\n".join(parts))
