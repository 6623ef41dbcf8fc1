"""The interface strings (content/i18n/) belong to no case: none names a case's
reference, a case's country, the group running the bot, its network or a
source's publisher. Those come from content, so another group can run the
bot for other cases by editing content alone. The list of names is built from
the content itself, so it grows with every case added."""

from __future__ import annotations

from babel import Locale

from bot.catalog import Catalog, load_catalog
from bot.catalog.schema import LANGUAGES
from tests.conftest import network_tree


def names_from_content(catalog: Catalog) -> set[str]:
    names = set()
    for campaign in catalog.campaigns.values():
        names.add(campaign.reference)
        names.add(campaign.reference.replace(".", "/"))
        if campaign.country:
            names |= {Locale.parse(lang).territories[campaign.country] for lang in LANGUAGES}
    group = catalog.group
    for text in (group.name, group.network.name):
        names |= {text.en, text.es}
    names |= {seed.publisher_in(lang) for seed in catalog.seeds.values() for lang in LANGUAGES
              if seed.publisher_in(lang)}
    # The organisations those names contain ("Amnesty International USA's Urgent Action network").
    names |= {"Amnesty International", "Amnistía Internacional"} & {
        part for name in set(names) for part in ("Amnesty International", "Amnistía Internacional")
        if part in name}
    return names


def offending(catalog: Catalog) -> list[str]:
    names = names_from_content(catalog)
    found = []
    for lang, strings in catalog.strings.items():
        for key, value in strings.items():
            forms = value.values() if isinstance(value, dict) else [value]
            for form in forms:
                found += [f"{lang}.yaml {key}: {name!r}" for name in names if name.lower() in form.lower()]
    return found


def test_the_names_come_from_the_content(catalog):
    names = names_from_content(catalog)
    assert {"UA 150.18", "Mexico", "México", "Amnesty International", "Human Rights First"} <= names


def test_no_interface_string_names_a_case_a_country_or_an_organisation(catalog):
    assert offending(catalog) == []


def test_nor_any_of_a_networks_cases(tmp_path):
    network = load_catalog(*network_tree(tmp_path))
    assert {"UA 101.26", "Brasil", "Kenia", "Kenya"} <= names_from_content(network)
    assert offending(network) == []


def test_it_would_catch_one(catalog):
    strings = {lang: dict(values) for lang, values in catalog.strings.items()}
    strings["es"]["start.one_case"] = "Este bot apoya la Acción Urgente de Amnistía Internacional EE. UU."
    from dataclasses import replace
    assert sorted(offending(replace(catalog, strings=strings))) == [
        "es.yaml start.one_case: 'Amnistía Internacional EE. UU.'",
        "es.yaml start.one_case: 'Amnistía Internacional'"]


def test_whole_numbers_are_written_as_each_language_writes_them():
    """Babel (CLDR) groups the digits, not a hand-made replace per language;
    Spanish as the content's figures are written (Mexican: 14,596)."""
    from bot.catalog.i18n import Texts

    texts = Texts({"en": {"k": "{people} · {flag}"}, "es": {"k": "{people} · {flag}"}})
    assert texts("en", "k", people=12345, flag=True) == "12,345 · True"
    assert texts("es", "k", people=12345, flag=False) == "12,345 · False"
    assert texts.plain("es", "k", people=1234567, flag="x") == "1,234,567 · x"


def test_babel_formats_each_count_and_date_once_then_they_are_remembered(monkeypatch):
    """A report's thanks and every answer's source line format the same few
    counts and dates; Babel takes 50-120 µs each, so they are remembered."""
    from datetime import date

    from bot.catalog import dates, i18n

    calls = []
    for module, name in ((i18n, "format_decimal"), (dates, "babel_format_date"), (dates, "format_skeleton")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, **k: calls.append(a) or _f(*a, **k))
    for cached in (i18n.format_number, dates.format_date, dates.format_month):
        cached.cache_clear()
    for _ in range(3):
        assert i18n.format_number(14596, "es") == "14,596"
        assert dates.format_date(date(2018, 9, 27), "es") == "27 de septiembre de 2018"
        assert dates.format_month(2018, 8, "en") == "August 2018"
    assert len(calls) == 3
