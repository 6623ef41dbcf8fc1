"""`advocacy-bot check`'s content rules (bot/catalog/rules.py, glossary.py):
each is proved on a small content tree built here, with the exact
`path:line: message` it must give, and its edges proved silent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.catalog import ContentError, load_catalog
from bot.catalog.figures import figures
from bot.catalog.month_mentions import month_mentions

SEED_INDEX = """\
- id: old-report
  file: old.txt
  title: Old report
  kind: factsheet
  publisher: Example Watch
  date: 2018
  viewpoint: critical
- id: ua-text
  file: ua.txt
  title: An appeal
  kind: urgent action
  publisher: Example Section
  date: 2018-08
  viewpoint: critical
- id: new-analysis
  file: new.txt
  title: New analysis
  kind: analysis
  date: 2020-01
  viewpoint: critical
"""
SEED_TEXTS = {
    "old.txt": "The agency received 14,596 claims in 2017.",
    "ua.txt": "Write to the minister. Remain in Mexico is a programme.",
    "new.txt": "In July, a new rule was issued.",
}
GLOSSARY = """\
- id: remain-in-mexico
  en: Remain in Mexico
  es: Quédate en México
  flag:
    es: [Permanecer en México]
"""
TEMPLATE = "{{ campaign.reference }}"
EMAIL = "{% block subject %}{{ campaign.reference }}{% endblock %}{% block body %}x{% endblock %}"


def faq(answer_en: str, answer_es: str, *, as_of: str | None = "2018", seed: str = "old-report",
        quote: str = "received 14,596 claims", extra: str = "",
        questions_es: tuple[str, ...] = ("¿Pregunta?",)) -> str:
    def block(text: str) -> str:
        return "".join(f"    {line}\n" for line in text.splitlines())
    phrasings = "".join(f'    - "{q}"\n' for q in questions_es)
    dated = f"as_of: {as_of}\n" if as_of else ""
    return (f"id: entry\nquestions:\n  en:\n    - \"Question?\"\n  es:\n{phrasings}"
            f"answer:\n  en: |\n{block(answer_en)}  es: |\n{block(answer_es)}"
            f"{dated}{extra}sources:\n  - seed: {seed}\n    quote: \"{quote}\"\n")


GROUP = """\
name: {en: A group, es: Un grupo}
works_on: {en: Appeals., es: Llamamientos.}
network:
  name: {en: The network, es: La red}
  sources:
    - {title: The network's page, publisher: The network, date: 2018}
"""
TOPIC = """\
id: t
title: {en: A topic, es: Un tema}
summary: {en: About it., es: Sobre él.}
seeds: [old-report, ua-text, new-analysis]
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """Seeds, strings, templates, a glossary and one valid FAQ entry; nothing else."""
    seeds, content = tmp_path / "seeds", tmp_path / "content"
    for folder in (seeds, content / "i18n", content / "templates", content / "faq",
                   content / "topics/t/explainers"):
        folder.mkdir(parents=True)
    (content / "group.yaml").write_text(GROUP, encoding="utf-8")
    (content / "topics/t/topic.yaml").write_text(TOPIC, encoding="utf-8")
    (seeds / "index.yaml").write_text(SEED_INDEX, encoding="utf-8")
    for name, text in SEED_TEXTS.items():
        (seeds / name).write_text(text, encoding="utf-8")
    (content / "i18n/en.yaml").write_text("hello: Hello\n", encoding="utf-8")
    (content / "i18n/es.yaml").write_text("hello: Hola\n", encoding="utf-8")
    for channel in ("letter", "email", "call", "tweet", "signoff"):
        for lang in ("en", "es"):
            (content / f"templates/{channel}.{lang}.j2").write_text(
                EMAIL if channel == "email" else TEMPLATE, encoding="utf-8")
    (content / "officials.yaml").write_text("[]\n", encoding="utf-8")
    (content / "glossary.yaml").write_text(GLOSSARY, encoding="utf-8")
    (content / "faq/entry.yaml").write_text(
        faq("It received 14,596 claims in 2017.", "Recibió 14.596 solicitudes en 2017."), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


ENTRY = "content/faq/entry.yaml"


def write(tree: Path, relative: str, text: str) -> None:
    (tree / relative).write_text(text, encoding="utf-8")


def line_of(tree: Path, relative: str, needle: str) -> int:
    for number, line in enumerate((tree / relative).read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {relative}")


def problems(tree: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_catalog(tree / "content", tree / "seeds")
    return [str(p) for p in raised.value.problems]


def test_the_small_tree_is_valid(tree):
    catalog = load_catalog(tree / "content", tree / "seeds")
    assert list(catalog.faq) == ["entry"]


# as_of against the newest source ------------------------------------------------

def test_as_of_earlier_than_the_newest_source(tree):
    write(tree, ENTRY, faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.", as_of="2018-08"))
    line = line_of(tree, ENTRY, "as_of:")
    assert problems(tree) == [
        f"{ENTRY}:{line}: as_of 2018-08 is earlier than the newest source relied on (old-report, dated 2018)"]


@pytest.mark.parametrize("as_of, seed, quote", [
    ("2018", "ua-text", "Write to the minister."),        # a year covers its August
    ("2018-08", "ua-text", "Write to the minister."),     # the same month
    ("2019-06", "old-report", "received 14,596 claims"),  # later
])
def test_as_of_covering_the_newest_source_passes(tree, as_of, seed, quote):
    text_en = "It received 14,596 claims." if "14,596" in quote else "Write."
    text_es = "Recibió 14,596 solicitudes." if "14,596" in quote else "Escribe."
    write(tree, ENTRY, faq(text_en, text_es, as_of=as_of, seed=seed, quote=quote))
    load_catalog(tree / "content", tree / "seeds")


def test_a_named_public_source_dates_the_entry_too(tree):
    named = ("  - title: A later statement\n    publisher: Someone\n    date: 2023-03-24\n")
    write(tree, ENTRY, faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.", as_of="2023-02")
          + named)
    line = line_of(tree, ENTRY, "as_of:")
    assert problems(tree) == [f"{ENTRY}:{line}: as_of 2023-02 is earlier than the newest source relied on "
                              "(A later statement, dated 2023-03-24)"]


def test_an_entry_about_the_bot_has_no_as_of_and_one_about_sources_needs_it(tree):
    write(tree, ENTRY, faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.",
                           extra="about: bot\n"))
    line = line_of(tree, ENTRY, "as_of:")
    assert problems(tree) == [f"{ENTRY}:{line}: an entry about the bot itself has no 'as_of': "
                              "it describes the bot as it runs, not a source"]
    write(tree, ENTRY, faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.", as_of=None))
    assert problems(tree) == [f"{ENTRY}:1: missing field 'as_of' (an entry about the sources needs the "
                              "date of the newest one; write 'about: bot' for an entry about the bot itself)"]
    write(tree, ENTRY, faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.", as_of=None,
                           extra="about: bot\n"))
    assert load_catalog(tree / "content", tree / "seeds").faq["entry"].as_of is None


# answer_from: a part of the answer made when it is asked ----------------------------

WHEN_EMPTY = ("when_empty:\n  en: None is open; call (212) 807-8400.\n"
              "  es: Ninguno está abierto; llama al (212) 807-8400.\n")


def generated(name: str = "open_cases", when_empty: str = WHEN_EMPTY) -> str:
    return faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.", as_of=None,
               extra=f"about: bot\nanswer_from: {name}\n{when_empty}")


def test_a_known_generator_with_its_when_empty_text_is_accepted(tree):
    write(tree, ENTRY, generated())
    entry = load_catalog(tree / "content", tree / "seeds").faq["entry"]
    assert entry.answer_from == "open_cases"
    assert entry.when_empty.es == "Ninguno está abierto; llama al (212) 807-8400."


def test_an_unknown_generator_is_refused_at_its_line(tree):
    write(tree, ENTRY, generated("open_case"))
    line = line_of(tree, ENTRY, "answer_from:")
    assert problems(tree) == [
        f"{ENTRY}:{line}: 'answer_from' must be one of open_cases, case_status, case_at_risk, case_asks, "
        "case_news, group, not 'open_case'"]


def test_a_generator_needs_its_when_empty_text_and_that_text_needs_a_generator(tree):
    write(tree, ENTRY, generated(when_empty=""))
    line = line_of(tree, ENTRY, "answer_from:")
    assert problems(tree) == [f"{ENTRY}:{line}: answer_from: open_cases needs 'when_empty', the text shown "
                              "when there is nothing to list"]
    write(tree, ENTRY, faq("It received 14,596 claims.", "Recibió 14,596 solicitudes.", as_of=None,
                           extra=f"about: bot\n{WHEN_EMPTY}"))
    line = line_of(tree, ENTRY, "when_empty:")
    assert problems(tree) == [f"{ENTRY}:{line}: 'when_empty' is only shown with 'answer_from' "
                              "(add it, or remove 'when_empty')"]


def test_the_when_empty_text_holds_the_same_figures_in_both_languages(tree):
    write(tree, ENTRY, generated(when_empty=WHEN_EMPTY.replace("al (212) 807-8400", "al 807-8400")))
    line = line_of(tree, ENTRY, "when_empty:")
    assert problems(tree) == [f"{ENTRY}:{line}: when_empty: 212 in en is not in es"]


# months without a year ----------------------------------------------------------

EXPLAINER = "content/topics/t/explainers/10-rule.yaml"


def explainer(body_en: str, body_es: str, as_of: str = "2020-01") -> str:
    return (f"id: rule\norder: 10\nas_of: {as_of}\ntitle:\n  en: The rule\n  es: La regla\nbody:\n"
            f"  en: |\n    {body_en}\n  es: |\n    {body_es}\nsources:\n"
            "  - seed: new-analysis\n    quote: \"In July, a new rule was issued.\"\n")


def test_a_month_after_the_as_of_month_needs_its_year(tree):
    write(tree, EXPLAINER, explainer("The rule was issued on 10 July.", "La regla se emitió el 10 de julio."))
    line = line_of(tree, EXPLAINER, "body:")
    reason = "it comes after the entry's as_of (2020-01), so it is not in 2020"
    assert problems(tree) == [
        f"{EXPLAINER}:{line}: body: '10 July' (en) needs its year: {reason}",
        f"{EXPLAINER}:{line}: body: '10 de julio' (es) needs its year: {reason}",
    ]


def test_a_month_in_an_entry_relying_on_an_older_source_needs_its_year(tree):
    write(tree, ENTRY, faq("In May it received 14,596 claims.", "En mayo recibió 14,596 solicitudes.",
                           as_of="2019-12"))
    line = line_of(tree, ENTRY, "answer:")
    reason = "the entry is as of 2019-12 and relies on a source from 2018"
    assert problems(tree) == [f"{ENTRY}:{line}: answer: 'May' (en) needs its year: {reason}",
                              f"{ENTRY}:{line}: answer: 'mayo' (es) needs its year: {reason}"]


@pytest.mark.parametrize("en, es", [
    ("The rule was issued on 10 July 2019.", "La regla se emitió el 10 de julio de 2019."),
    ("Arrests rose from January to September 2019.",
     "Las detenciones subieron entre enero y septiembre de 2019."),
    ("It was signed on December 5, 2002.", "Se firmó el 5 de diciembre de 2002."),
    ("Officials may act in January.", "Los funcionarios pueden actuar en enero."),  # the as_of month
])
def test_months_with_their_year_or_in_the_as_of_month_pass(tree, en, es):
    write(tree, EXPLAINER, explainer(en, es))
    load_catalog(tree / "content", tree / "seeds")


# the reference -------------------------------------------------------------------

def test_a_reference_written_another_way_is_reported_in_yaml_and_templates(tree):
    write(tree, ENTRY, faq("It received 14,596 claims (UA 150.18).",
                           "Recibió 14,596 solicitudes (AU 150.18)."))
    write(tree, "content/templates/tweet.es.j2", "Hola\n#{{ campaign.reference }} UA 150/18")
    assert problems(tree) == [
        f"{ENTRY}:{line_of(tree, ENTRY, 'AU 150.18')}: 'AU 150.18': write an Urgent Action reference as "
        "'UA 150.18' (letters UA, a space, number.year)",
        "content/templates/tweet.es.j2:2: 'UA 150/18': write an Urgent Action reference as 'UA 150.18' "
        "(letters UA, a space, number.year)",
    ]


# figures in both languages ---------------------------------------------------------

def test_a_figure_missing_or_different_in_the_other_language(tree):
    write(tree, ENTRY, faq("It received 14,596 claims, 75% of them in 2017.",
                           "Recibió 14.956 solicitudes en 2017."))
    line = line_of(tree, ENTRY, "answer:")
    assert problems(tree) == [
        f"{ENTRY}:{line}: answer: 14,596 in en is not in es",
        f"{ENTRY}:{line}: answer: 14.956 in es is not in en",
        f"{ENTRY}:{line}: answer: 75 in en is not in es",
    ]


def test_the_same_figures_written_each_language_s_way_pass(tree):
    write(tree, ENTRY, faq("It received 14,596 claims; 75% were refused; $20 million and 2.5 billion "
                           "dollars were spent on 17-18 May 2018.",
                           "Recibió 14 596 solicitudes; el 75 % fue rechazado; se gastaron 20 millones de "
                           "dólares y 2,500 millones de dólares el 17 y 18 de mayo de 2018."))
    load_catalog(tree / "content", tree / "seeds")


def test_figures_normalisation():
    assert set(figures("14,596")) == set(figures("14.596")) == set(figures("14 596")) == {14596}
    assert set(figures("14\u00a0596")) == {14596}
    assert set(figures("$20 million")) == set(figures("20 millones de dólares"))
    assert set(figures("2.5 billion")) == set(figures("2.5 mil millones")) == set(figures("2,500 millones"))
    assert set(figures("75%")) == set(figures("75 por ciento")) == set(figures("75 percent"))
    assert set(figures("2,5")) == set(figures("2.5")) != set(figures("2,500"))
    assert set(figures("UA 150.18, (212) 807-8400")) == {Decimal("150.18"), 212, 807, 8400}


def test_month_mentions_edges():
    assert [(m.words, m.has_year) for m in month_mentions("It may rain in May, and in June 2019.", "en")] == [
        ("May", False), ("June", True)]
    assert [(m.words, m.has_year) for m in month_mentions("del 17 y 18 de mayo a julio de 2018", "es")] == [
        ("17 y 18 de mayo", True), ("julio", True)]


# the glossary ----------------------------------------------------------------------

def test_a_glossary_variant_is_reported_at_its_line_even_folded_across_lines(tree):
    answer_es = "Recibió 14,596 solicitudes.\nCon el programa Permanecer\nen México, esperaban."
    write(tree, ENTRY, faq("It received 14,596 claims under Remain in Mexico.", answer_es,
                           questions_es=("¿Qué es Permanecer en México?", "permanecer en México",
                                         "Permanecer en México programa")))
    message = ("'Permanecer en México' is not the glossary term: write 'Quédate en México' "
               "(glossary: remain-in-mexico)")
    assert problems(tree) == [
        f"{ENTRY}:{line_of(tree, ENTRY, '¿Qué es Permanecer')}: {message}",  # the first phrasing is shown
        f"{ENTRY}:{line_of(tree, ENTRY, 'Con el programa Permanecer')}: {message}",
    ]  # later phrasings are what people type, and are not flagged


def test_source_quotes_are_verbatim_and_not_flagged(tree):
    seeds = tree / "seeds/ua.txt"
    seeds.write_text("Permanecer en México is how one text puts it.", encoding="utf-8")
    write(tree, ENTRY, faq("Write.", "Escribe.", seed="ua-text", as_of="2018-08",
                           quote="Permanecer en México is how one text puts it."))
    load_catalog(tree / "content", tree / "seeds")


def test_a_variant_that_would_flag_a_term_is_a_glossary_mistake(tree):
    write(tree, "content/glossary.yaml", GLOSSARY.replace("[Permanecer en México]", "[Quédate]"))
    assert problems(tree) == ["content/glossary.yaml:4: variant 'Quédate' (es) would flag the term "
                              "'Quédate en México' of 'remain-in-mexico'"]
