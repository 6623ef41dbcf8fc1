"""Appeals in the official's language: Portuguese and French layouts, their
dates, the translation beside them, the `check` rules that keep a case
writable in each official's language, the store's appeal languages, and the
paper the supporter asks for. On a copy of the shipped content with a
fictional case whose officials read Portuguese and French
(tests/data/appeal_languages)."""

from __future__ import annotations

import html
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.appeals.letter_pdf import find_closing
from bot.appeals.render import AppealRenderer, SupporterDetails
from bot.bot_api.simulator import Simulator
from bot.catalog import ContentError, format_date, load_catalog
from bot.catalog.schema import PartialDate
from bot.runtime import build_matcher
from bot.store import ActionReport, ReminderRequest, open_store
from tests.appeals.language_tree import CASE, WHILE_OPEN, language_tree
from tests.chat.test_take_action import choose, complete
from tests.conftest import ROOT, Clock, make_services, start_bot, stop_bot
from tests.store.test_store import key

DAY = date(2027, 2, 10)
ANA = SupporterDetails(name="Ana Lima", city="Recife")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return language_tree(tmp_path_factory.mktemp("languages"))


@pytest.fixture(scope="module")
def catalog(tree):
    return load_catalog(tree, ROOT / "seeds")


def render(catalog, official: str, channel: str, lang: str, details=ANA):
    return AppealRenderer(catalog).render(catalog.campaigns[CASE], catalog.officials[official], channel,
                                          lang, details, DAY)


# -- dates ----------------------------------------------------------------------

@pytest.mark.parametrize("lang, day, written", [
    ("en", date(2018, 9, 27), "27 September 2018"),
    ("es", date(2018, 9, 27), "27 de septiembre de 2018"),
    ("pt", date(2018, 9, 27), "27 de setembro de 2018"),
    ("fr", date(2018, 9, 27), "27 septembre 2018"),
    ("en", date(2018, 10, 1), "1 October 2018"),
    ("fr", date(2018, 10, 1), "1er octobre 2018"),
    ("pt", date(2018, 10, 1), "1º de outubro de 2018"),
    ("es", date(2018, 10, 1), "1 de octubre de 2018"),
])
def test_dates_are_written_as_each_language_writes_them(lang, day, written):
    assert format_date(day, lang) == written


@pytest.mark.parametrize("lang, written", [("en", "August 2018"), ("es", "agosto de 2018"),
                                           ("pt", "agosto de 2018"), ("fr", "août 2018")])
def test_a_month_is_written_with_its_year(lang, written):
    assert PartialDate(2018, 8).display(lang) == written


# -- the appeals, exact ------------------------------------------------------------

ADDRESS_PT = "Rita Exemplo\nEsplanada dos Exemplos, Bloco T\n70000-000 Cidade Teste\nTestlândia"
# A letter in an interface language carries the official's title under the name
# (templates/address_titled.j2); content has no title in pt or fr.
ADDRESS_PT_EN = ADDRESS_PT.replace("Rita Exemplo\n",
                                   "Rita Exemplo\nMinister of Justice of Testland (fictional)\n")
ADDRESS_PT_ES = ADDRESS_PT.replace("Rita Exemplo\n",
                                   "Rita Exemplo\nMinistra de Justicia de Testlandia (ficticia)\n")
MESSAGE_PT = ("Escrevo a respeito de Lia Teste, defensora fictícia, detida em Testlândia desde o início "
              "deste caso de teste.")
LETTER_PT = (f"Recife, 10 de fevereiro de 2027\n\n{ADDRESS_PT}\n\nExcelentíssima Senhora Ministra,\n\n"
             f"{MESSAGE_PT}\n\nPeço a Vossa Excelência que liberte Lia Teste imediatamente.\n\n"
             "Agradeço desde já a sua atenção.\n\nRespeitosamente,\nAna Lima\n")
ADDRESS_FR = "Claude Exemple\n1 place des Exemples\n00000 Ville-Test\nTestlande"
MESSAGE_FR = ("Je vous écris au sujet de Lia Teste, défenseure fictive, détenue en Testlande depuis le début "
              "de ce cas d'essai.")
CLOSING_FR = "Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma haute considération."
LETTER_FR = (f"{ADDRESS_FR}\n\nRecife, le 10 février 2027\n\nMonsieur le Ministre,\n\n{MESSAGE_FR}\n\n"
             "Je vous demande de libérer Lia Teste sans délai.\n\n"
             "Je vous remercie de l'attention que vous porterez à ce courrier.\n\n"
             f"{CLOSING_FR}\nAna Lima\n")
LETTER_PT_IN_ENGLISH = (
    f"10 February 2027\n\n{ADDRESS_PT_EN}\n\nDear Minister,\n\nI am writing about the fictional defender Lia "
    "Teste, held in Testland since this test case began.\n\nI urge you to release Lia Teste at once.\n\n"
    "Thank you for your attention.\n\nSincerely,\nAna Lima\nRecife\n")
LETTER_PT_IN_SPANISH = (
    f"10 de febrero de 2027\n\n{ADDRESS_PT_ES}\n\nEstimada Señora Ministra:\n\nLe escribo sobre Lia Teste, "
    "defensora ficticia, detenida en Testlandia desde que empezó este caso de prueba.\n\n"
    "Le insto a liberar a Lia Teste de inmediato.\n\nAgradezco su atención.\n\nAtentamente,\nAna Lima\n"
    "Recife\n")


def test_a_letter_in_portuguese(catalog):
    assert render(catalog, "rita-exemplo", "letter", "pt").body == LETTER_PT


def test_a_letter_in_french(catalog):
    assert render(catalog, "claude-exemple", "letter", "fr").body == LETTER_FR


def test_an_email_in_portuguese_and_in_french_signed_anonymously(catalog):
    pt = render(catalog, "rita-exemplo", "email", "pt", SupporterDetails())
    assert pt.subject == "UA 555.27 (caso de teste fictício): libertação de Lia Teste"
    assert pt.body == ("Excelentíssima Senhora Ministra,\n\n" + MESSAGE_PT + "\n\nPeço a Vossa Excelência "
                       "que liberte Lia Teste imediatamente.\n\nAgradeço desde já a sua atenção.\n\n"
                       "Respeitosamente,\nUma pessoa que apoia a Anistia Internacional\n")
    fr = render(catalog, "claude-exemple", "email", "fr", SupporterDetails())
    assert fr.subject == "UA 555.27 (cas d'essai fictif)\u00a0: libération de Lia Teste"
    assert fr.body == ("Monsieur le Ministre,\n\n" + MESSAGE_FR + "\n\nJe vous demande de libérer Lia Teste "
                       "sans délai.\n\nJe vous remercie de l'attention que vous porterez à ce message.\n\n"
                       f"{CLOSING_FR}\nUne personne qui soutient Amnesty International\n")


def test_a_call_script_in_portuguese_and_in_french(catalog):
    assert render(catalog, "rita-exemplo", "call", "pt").body == (
        "Bom dia. Meu nome é Ana Lima. Apoio a Anistia Internacional e estou ligando de Recife.\n\n"
        "O motivo da minha ligação é o caso de Lia Teste, defensora fictícia. Peço que ela seja libertada "
        "imediatamente.\n\nPeço, por gentileza, que transmita a minha mensagem a Rita Exemplo. "
        "Agradeço a atenção.\n")
    assert render(catalog, "claude-exemple", "call", "fr", SupporterDetails()).body == (
        "Bonjour, je soutiens Amnesty International.\n\n"
        "Mon appel concerne Lia Teste, défenseure fictive. Je demande sa libération sans délai.\n\n"
        "Je vous prie de bien vouloir transmettre mon message à Claude Exemple. Je vous remercie.\n")


def test_a_tweet_in_portuguese_and_in_french(catalog):
    sentence = SupporterDetails(sentence="Liberdade já!")
    assert render(catalog, "rita-exemplo", "tweet", "pt", sentence).body == (
        "@RitaExemplo Libertem já Lia Teste, defensora fictícia. Liberdade já! #UA55527\n")
    assert render(catalog, "claude-exemple", "tweet", "fr", SupporterDetails()).body == (
        "@ClaudeExemple Libérez dès maintenant Lia Teste, défenseure fictive. #UA55527\n")


def test_the_signature_space_follows_the_french_and_portuguese_closings():
    for text, closing in ((LETTER_FR, CLOSING_FR), (LETTER_PT, "Respeitosamente,")):
        lines = text.rstrip("\n").split("\n")
        assert lines[find_closing(lines)] == closing


# -- through the Application -------------------------------------------------------

@pytest.fixture
async def language_bot(catalog, settings, store):
    clock = Clock(datetime(2027, 2, 10, 12, tzinfo=UTC).timestamp())
    assert clock.now > WHILE_OPEN
    services = make_services(catalog, settings, clock, build_matcher(catalog), store)
    application, api = await start_bot(services)
    yield Simulator(application, api, clock=clock), api, services
    await stop_bot(application)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("mine, translation_intro, translation, buttons", [
    ("en", "<i>So you know what you are signing, here it is in English:</i>", LETTER_PT_IN_ENGLISH,
     ["⭐ Portuguese (the official's language)", "English (your language)"]),
    ("es", "<i>Para que sepas lo que firmas, aquí está en español:</i>", LETTER_PT_IN_SPANISH,
     ["⭐ Portugués (el idioma del funcionario)", "Español (tu idioma)"]),
])
async def test_a_letter_in_portuguese_with_its_translation(language_bot, mine, translation_intro,
                                                           translation, buttons):
    sim, api, services = language_bot
    user = sim.user(language_code=mine)
    calls = await complete(user, "rita-exemplo", "letter", mine, name="Ana Lima", city="Recife",
                           letter_lang=None)  # stops at the language choice
    assert calls[-1].button_texts()[:2] == buttons
    calls = await choose(user, "pt")
    # Two messages (issue 29): the letter with its translation, the PDF carrying the report prompt.
    joined, document = [c for c in calls if c.method in ("sendMessage", "sendDocument")]
    assert document.method == "sendDocument"
    shown_text, translated_text = joined.text.split("\n\n" + translation_intro + "\n\n")
    intro = {"en": "✉️ <b>Your letter to Rita Exemplo</b> (Portuguese). Print it, sign it and post it to the "
                   "address at the top:",
             "es": "✉️ <b>Tu carta a Rita Exemplo</b> (portugués). Imprímela, fírmala y envíala a la "
                   "dirección que aparece arriba:"}[mine]
    assert shown_text == intro + "\n\n" + html.escape(LETTER_PT.rstrip("\n"), quote=False)
    _, pdf, _ = document.files["document"]
    assert _pdf_text(pdf).split() == LETTER_PT.split()  # accents and all
    assert translated_text == html.escape(translation.rstrip("\n"), quote=False)
    assert api.refusals == []
    # The report records the appeal's language: Portuguese, which the store accepts.
    calls = await user.press({"en": "✅ I posted the letter", "es": calls[-1].button_texts()[0]}[mine])
    assert api.refusals == []
    (action,) = [row async for row in services.store.export_actions()]
    assert action.language == "pt"


async def test_a_french_email_for_an_english_reader(language_bot):
    sim, _, _ = language_bot
    user = sim.user(language_code="en")
    await complete(user, "claude-exemple", "email", "en", name=None, city=None, letter_lang=None)
    calls = await choose(user, "fr")
    texts = [c.text for c in calls if c.method == "sendMessage"]
    # One message (issue 29): address, subject, the text in a block, then the translation.
    head, rest = texts[0].split("\n<pre>")
    body, translated = rest.split("</pre>\n\n")
    assert head == ("📧 <b>Your email</b> (French). Send it to:\n<code>ministre@example.org</code>\n\n"
                    "Subject:\n<code>UA 555.27 (cas d'essai fictif)\u00a0: libération de Lia Teste</code>"
                    "\n\nText, to copy:")
    assert body.startswith("Monsieur le Ministre,\n\n")
    assert body.endswith(f"{CLOSING_FR}\nUne personne qui soutient Amnesty International")
    assert translated.startswith("<i>So you know what you are signing, here it is in English:</i>\n\n"
                                 "UA 555.27 (fictional test case): release Lia Teste\n\nDear Minister,")
    assert texts[1].startswith("Did you send the email?") and len(texts) == 2


async def test_a_language_not_offered_is_refused_at_the_choice(language_bot):
    sim, _, _ = language_bot
    user = sim.user(language_code="en")
    await complete(user, "rita-exemplo", "letter", "en", name=None, city=None, letter_lang=None)
    calls = await user.press_data(user.messages_with_buttons()[-1], "act:lang:fr")
    assert [c.method for c in calls] == ["answerCallbackQuery"]  # stale: the choice stays


# -- paper ----------------------------------------------------------------------

async def test_the_other_paper_is_one_button_away_and_sent_once(language_bot):
    sim, _, _ = language_bot
    user = sim.user(language_code="pt")  # no territory: A4
    calls = await complete(user, "rita-exemplo", "letter", "en", name="Ana Lima", city="Recife",
                           letter_lang=None)
    calls = await choose(user, "pt")
    (first,) = [c for c in calls if c.method == "sendDocument"]
    assert first.text == ("Your letter as a PDF, ready to print on A4 paper, with room to sign above your "
                          "name.\n\nDid you post the letter? Let us know, so the Urgent Action network can "
                          "count the actions on UA 555.27.")  # the report prompt, in the caption (issue 29)
    assert first.button_texts() == ["✅ I posted the letter", "👥 We sent more than one",
                                    "🕒 Not yet, remind me later", "📄 The same letter on US Letter paper"]
    first_pdf = first.files["document"][1]
    assert PdfReader(io.BytesIO(first_pdf)).pages[0].mediabox.height == pytest.approx(841.89)
    calls = await user.press("📄 The same letter on US Letter paper")
    (second,) = [c for c in calls if c.method == "sendDocument"]
    assert second.text == ("Your letter as a PDF, ready to print on US Letter paper, with room to sign above "
                           "your name.")
    assert second.button_texts() == []
    pdf = second.files["document"][1]
    assert PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height == pytest.approx(792)
    assert _pdf_text(pdf).split() == LETTER_PT.split()
    # Sent once: the letter is not kept after that.
    calls = await user.press_data(first.result, first.buttons()[-1]["callback_data"])
    assert [c.text for c in calls if c.method == "sendMessage"] == [
        "That letter is no longer kept: I hold it for 30 minutes, in memory only, so you can get it on the "
        "other paper. Press Take action to make it again."]


# -- check ------------------------------------------------------------------------

def problems(tree: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        load_catalog(tree, ROOT / "seeds")
    return [str(p) for p in error.value.problems]


def line_of(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


@pytest.fixture
def broken(tmp_path, monkeypatch):
    content = language_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    return content


def test_an_official_in_a_language_without_layouts(broken):
    officials = broken / "officials.yaml"
    officials.write_text(officials.read_text(encoding="utf-8").replace("language: fr", "language: de"),
                         encoding="utf-8")
    line = line_of(officials, "language: de")
    assert problems(broken) == [f"content/officials.yaml:{line}: language 'de' has no appeal layouts "
                                "(content/templates/ has them for: en, es, fr, pt)"]


def test_a_salutation_without_the_officials_language(broken):
    officials = broken / "officials.yaml"
    text = officials.read_text(encoding="utf-8")
    officials.write_text(text.replace("    pt: Excelentíssima Senhora Ministra\n", ""), encoding="utf-8")
    line = line_of(officials, "salutation:", after="id: rita-exemplo")
    assert problems(broken) == [f"content/officials.yaml:{line}: salutation has no pt text (Rita Exemplo "
                                "reads pt; add `pt:` beside en, es)"]


def test_a_case_without_a_template_in_an_officials_language(broken):
    (broken / f"campaigns/{CASE}/templates/call.pt.j2").unlink()
    assert problems(broken) == [f"content/campaigns/{CASE}/templates:1: missing template call.pt.j2: the "
                                "case offers call and an official it writes to reads pt"]


def test_an_ask_without_the_officials_language(broken):
    case = broken / f"campaigns/{CASE}/campaign.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace(
        "        fr: Je vous demande de libérer Lia Teste sans délai.\n", ""), encoding="utf-8")
    line = line_of(case, "- en: I urge you", after="official: claude-exemple")
    assert problems(broken) == [f"content/campaigns/{CASE}/campaign.yaml:{line}: targets: ask 1 for "
                                "claude-exemple has no fr text (Claude Exemple reads fr; add `fr:` beside "
                                "en, es)"]


def test_a_portuguese_template_cannot_use_a_text_written_in_english_and_spanish_only(broken):
    path = broken / f"campaigns/{CASE}/templates/tweet.pt.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("Libertem", "{{ campaign.title }} Libertem"),
                    encoding="utf-8")
    assert problems(broken) == [f"content/campaigns/{CASE}/templates/tweet.pt.j2:2: 'campaign.title' has no "
                                "pt text (it is written in en, es only): write it in the pt template itself"]


def test_a_language_needs_the_whole_set_of_layouts(broken):
    (broken / "templates/signoff.fr.j2").unlink()
    missing = ("content/templates/letter.fr.j2:1: missing layout templates/signoff.fr.j2: every appeal "
               "language has letter.fr.j2, email.fr.j2, call.fr.j2, tweet.fr.j2, signoff.fr.j2")
    assert missing in problems(broken)


# -- the store ---------------------------------------------------------------------

def _action(language: str, n: int) -> ActionReport:
    return ActionReport(campaign_id=CASE, official_id="rita-exemplo", channel="letter", count=1,
                        status="done", language=language, country=None, supporter=key(n),
                        idempotency_key=f"k{n}", at=datetime(2027, 2, 10, tzinfo=UTC))


async def test_the_store_takes_the_contents_appeal_languages(tmp_path, catalog):
    async with await open_store(tmp_path / "s.sqlite3") as store:
        with pytest.raises(ValueError, match="language must be one of en, es; got 'pt'"):
            await store.record_action(_action("pt", 1))  # before the content says pt has layouts
        store.accept_appeal_languages(catalog.appeal_languages)
        assert (await store.record_action(_action("pt", 2))).created
        with pytest.raises(ValueError, match="language must be one of en, es, fr, pt; got 'xx'"):
            await store.record_action(_action("xx", 3))
        reminder = ReminderRequest(chat_id=42, campaign_id=CASE, official_id="rita-exemplo",
                                   channel="letter", appeal_language="pt", language="en",
                                   due_at=datetime(2027, 2, 11, tzinfo=UTC))
        assert await store.schedule_reminder(reminder)
        with pytest.raises(ValueError, match="appeal language must be one of"):
            await store.schedule_reminder(ReminderRequest(**{**reminder.__dict__, "appeal_language": "xx",
                                                            "chat_id": 43}))
        with pytest.raises(ValueError, match="two lowercase letters"):
            store.accept_appeal_languages(["pt-BR"])


async def test_the_database_checks_the_shape_of_an_appeal_language(tmp_path):
    import sqlite3

    async with await open_store(tmp_path / "s.sqlite3"):
        pass
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    insert = ("INSERT INTO actions (campaign_id, official_id, channel, count, status, language, supporter,"
              " created_at, idempotency_key) VALUES ('c', 'o', 'letter', 1, 'done', ?, NULL, 'now', ?)")
    db.execute(insert, ("pt", "a"))
    for bad in ("PT", "por", "p", "p1"):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(insert, (bad, bad))
    db.close()


def test_the_renderer_gives_a_portuguese_appeal_no_english_text_to_fall_back_on(catalog):
    """Should a template reach the renderer unchecked, an English title in a
    Portuguese letter is an error, not a silent mix of languages."""
    import dataclasses

    from jinja2 import UndefinedError

    name = f"campaigns/{CASE}/templates/tweet.pt.j2"
    mixed = dataclasses.replace(catalog, templates={**catalog.templates, name: "{{ campaign.title }}"})
    with pytest.raises(UndefinedError):
        render(mixed, "rita-exemplo", "tweet", "pt")
    assert render(mixed, "rita-exemplo", "tweet", "en").body.startswith("@RitaExemplo")


def test_portuguese_and_french_letters_print_every_accent_in_the_standard_font():
    """ã ç º é è ê à œ « » are all Windows-1252: Helvetica, nothing embedded."""
    from bot.appeals.letter_pdf import render_letter_pdf

    extra = "\nCoração, ação, 1º; cœur, « très » à Noël, être, où.\n"
    for text in (LETTER_PT + extra, LETTER_FR + extra):
        pdf = render_letter_pdf(text, "Carta", "A4")
        assert _pdf_text(pdf).split() == text.split()
        fonts = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages
                 for font in page["/Resources"]["/Font"].values()}
        assert fonts == {"/Helvetica"}


CALL_PT = ("Bom dia. Meu nome é Ana Lima. Apoio a Anistia Internacional e estou ligando de Recife.\n\n"
           "O motivo da minha ligação é o caso de Lia Teste, defensora fictícia. Peço que ela seja libertada "
           "imediatamente.\n\nPeço, por gentileza, que transmita a minha mensagem a Rita Exemplo. "
           "Agradeço a atenção.")
CALL_FR = ("Bonjour, je m'appelle Ana Lima. Je soutiens Amnesty International et j'appelle depuis Recife.\n\n"
           "Mon appel concerne Lia Teste, défenseure fictive. Je demande sa libération sans délai.\n\n"
           "Je vous prie de bien vouloir transmettre mon message à Claude Exemple. Je vous remercie.")


@pytest.mark.parametrize("official, lang, channel, shown", [
    ("rita-exemplo", "pt", "letter",
     "✉️ <b>Your letter to Rita Exemplo</b> (Portuguese). Print it, sign it and post it to the address at the "
     "top:\n\n" + LETTER_PT.rstrip("\n")),
    ("claude-exemple", "fr", "letter",
     "✉️ <b>Your letter to Claude Exemple</b> (French). Print it, sign it and post it to the address at the "
     "top:\n\n" + html.escape(LETTER_FR.rstrip("\n"), quote=False)),
    ("rita-exemplo", "pt", "email",
     "Excelentíssima Senhora Ministra,\n\n" + MESSAGE_PT + "\n\nPeço a Vossa Excelência que liberte Lia "
     "Teste imediatamente.\n\nAgradeço desde já a sua atenção.\n\nRespeitosamente,\nAna Lima\nRecife"),
    ("rita-exemplo", "pt", "call",
     "📞 <b>Call Ministry of Justice of Testland (fictional)</b>: <code>+00 61 0000 0000</code>, and ask to "
     "leave a message for Rita Exemplo.\nA script in Portuguese (about 20 seconds):"
     "\n\n" + CALL_PT),
    ("claude-exemple", "fr", "call",
     "📞 <b>Call Ministry of the Interior of Testland (fictional)</b>: <code>+00 1 00 00 00 00</code>, and "
     "ask to leave a message for Claude Exemple.\nA script in French (about 15 seconds):"
     "\n\n" + html.escape(CALL_FR, quote=False)),
    ("rita-exemplo", "pt", "tweet",
     "🐦 <b>Your tweet</b> (64/280 characters):\n\n@RitaExemplo Libertem já Lia Teste, defensora fictícia. "
     "#UA55527"),
    ("claude-exemple", "fr", "tweet",
     "🐦 <b>Your tweet</b> (77/280 characters):\n\n@ClaudeExemple Libérez dès maintenant Lia Teste, "
     "défenseure fictive. #UA55527"),
])
async def test_every_channel_in_the_officials_language_through_the_bot(language_bot, official, lang, channel,
                                                                       shown):
    sim, api, _ = language_bot
    user = sim.user(language_code="en")
    await complete(user, official, channel, "en", name="Ana Lima", city="Recife", letter_lang=None)
    calls = await choose(user, lang)
    texts = [c.text for c in calls if c.method == "sendMessage"]
    intro = {"call": "what you will say", "tweet": "what you will post"}.get(channel, "what you are signing")
    # The translation follows the appeal in its message (issue 29); a letter's prompt is its PDF's caption.
    appeal, _ = texts[0].split(f"\n\n<i>So you know {intro}, here it is in English:</i>\n\n")
    if channel == "email":  # the text in a block, after the address and the subject
        assert appeal.endswith("\n<pre>" + shown + "</pre>")
    else:
        assert appeal == shown
    assert len(texts) == (1 if channel == "letter" else 2)
    assert api.refusals == []


async def test_the_store_follows_the_content_it_runs_with(tmp_path, catalog, settings):
    """Given to the services, or after content is reloaded (a new catalog),
    the store accepts exactly the appeal languages the content has layouts for."""
    import dataclasses

    from bot.catalog.i18n import Texts
    from bot.services import Services

    async with await open_store(tmp_path / "s.sqlite3") as store:
        services = Services(catalog=catalog, settings=settings, texts=Texts(catalog.strings), store=store)
        assert store.appeal_languages == ("en", "es", "fr", "pt")
        without_french = {name: source for name, source in catalog.templates.items()
                          if not name.startswith("templates/") or ".fr." not in name}
        services.catalog = dataclasses.replace(catalog, templates=without_french)
        assert store.appeal_languages == ("en", "es", "pt")
        with pytest.raises(ValueError, match="got 'fr'"):
            await store.record_action(_action("fr", 9))
