"""Privacy as a reviewer checks it, on SQLite and on PostgreSQL.

One supporter goes through everything the bot offers, at LOG_LEVEL=DEBUG
with JSON logs: a question, a letter (its text and its PDF) with a typed
name, city and sentence, a report of several, following the case, a sign-up
for new cases of a topic and a region, a case
update that fails to reach them (its failure is logged), an official's
reply, a contact problem, a reminder, then /forget. Then the database file, its -wal and -shm
(or the PostgreSQL dump), every table, and the captured log are searched for
the Telegram id in decimal, the typed name, city and sentence, and the reply
text. None is found. What does remain is checked too: the anonymous counts.
"""

from __future__ import annotations

import io
import logging
import subprocess
from datetime import UTC, datetime

import pytest

from bot.bot_api.simulator import Simulator
from bot.bot_api.transport import BotApiRefusal
from bot.core.logs import configure_logging
from bot.store import SignupCounts
from bot.store.postgres import open_postgres_store
from tests.chat.test_case_updates import wait_for_broadcasts
from tests.conftest import ORGANIZER_ID, make_services, start_bot, stop_bot, texts_of
from tests.store.test_store import columns_by_table, query

TELEGRAM_ID = 7_319_446_002
NAME, CITY = "Zyxwanda Quetzalname", "Zyxcitytown"
SENTENCE = "Zyxsentence: my own words, please."
REPLY = "Zyxreply: the embassy wrote back"
SECRETS = (str(TELEGRAM_ID), NAME, "Quetzalname", CITY, SENTENCE, "Zyxsentence", REPLY, "Zyxreply")


@pytest.fixture
def captured_log():
    """The bot's own logging set up as in production (DEBUG, JSON), into a buffer."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), {name: logging.getLogger(name).level
                                                for name in logging.root.manager.loggerDict})
    configure_logging("DEBUG", "json")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)
    yield buffer
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def journey(user, clock, sim, api, store) -> None:
    """Everything a supporter can do, ending with /forget."""
    await user.send("/start")
    await user.send("is mexico safe for asylum seekers?")
    await user.send("/start")
    await user.press("menu:act")
    await user.press("act:off:geronimo-gutierrez")
    await user.press("⭐ ✉️ Letter (print and post) (recommended)")
    await user.send(NAME)
    await user.send(CITY)
    await user.press("act:lang:es")
    calls = await user.send(SENTENCE)
    assert NAME in "".join(texts_of(calls))  # the appeal was signed with the typed name
    await user.press("👥 We sent more than one")
    await user.send("3")
    await user.press("🔔 Follow this case for updates")
    # Signs up for new cases of a topic and a region: the chat and the choices are kept, until /forget.
    await user.send("/signup")
    await user.press("sig:t:safe-third-country")
    await user.press("sig:r:americas")
    assert await store.signup_of(TELEGRAM_ID) == ["region:americas", "topic:safe-third-country"]
    # A case update that cannot reach them: the failure is logged (at INFO), without their chat.
    not_found = BotApiRefusal(400, "Bad Request: chat not found")
    api.fault = lambda method, params: (
        not_found if method == "sendMessage" and params["chat_id"] == TELEGRAM_ID else None)
    organizer = sim.user(user_id=ORGANIZER_ID)
    clock.now = datetime(2018, 10, 30, 12, tzinfo=UTC).timestamp()  # an update goes out from its date on
    await organizer.send("/broadcast ua-150-18")
    await organizer.press("✅ Send now")
    await wait_for_broadcasts(sim.application, store)
    api.fault = None
    assert (await store.delivery_counts(1)).failed == 1
    clock.now = datetime(2018, 9, 16, 12, tzinfo=UTC).timestamp()  # back while the case runs
    await user.press("📬 An official replied")
    await user.press("Gerónimo Gutiérrez (UA 150.18)")
    await user.send(REPLY)
    await user.send("/start")
    await user.press("menu:act")
    await user.press("act:off:geronimo-gutierrez")
    await user.press("📞 Phone call")
    for _ in range(2):
        await user.press("act:skip")
    await user.press("act:lang:en")
    await user.press("act:skip")
    await user.press("📞 No answer / voicemail")
    await user.press("⚠️ A contact didn't work")
    await user.press("Gerónimo Gutiérrez (UA 150.18)")
    await user.press("Phone call")
    await user.press("The number is disconnected")
    await user.send("/start")
    message, _ = user.find_button("📚 Learn")
    await user.press_data(message, "rep:l:ua-150-18:geronimo-gutierrez:call:en")  # "Not yet"
    await user.send("/forget")
    calls = await user.press("🗑 Yes, delete my data")
    assert texts_of(calls, "editMessageText")[0].startswith("Done. Everything kept about you")


async def everything_in_tables(store) -> str:
    """Every value of every row of every table, as text."""
    columns = await columns_by_table(store)
    rows = []
    for table, names in columns.items():
        select = ", ".join(f"CAST({name} AS TEXT)" for name in names)
        rows += [f"{table}: {row}" for row in await query(store, f"SELECT {select} FROM {table}")]
    return "\n".join(rows)


async def test_on_sqlite_nothing_on_disk_or_in_the_logs_leads_back_to_the_person(
        store, settings, clock, matcher, catalog, captured_log):
    def on_disk() -> bytes:  # the database file, its -wal and -shm
        return b"".join(p.read_bytes() for p in store.path.parent.glob(store.path.name + "*"))

    await after_forget_nothing_leads_back(store, on_disk, settings, clock, matcher, catalog, captured_log)


async def test_on_postgresql_nothing_in_the_dump_or_the_logs_leads_back_to_the_person(
        pg_server, pg_url, settings, clock, matcher, catalog, captured_log):
    def dumped() -> bytes:
        return subprocess.run([str(pg_server.bindir / "pg_dump"), pg_url], capture_output=True,
                              check=True).stdout

    async with await open_postgres_store(pg_url) as store:
        await after_forget_nothing_leads_back(store, dumped, settings, clock, matcher, catalog, captured_log)


async def after_forget_nothing_leads_back(store, on_disk, settings, clock, matcher, catalog, captured_log):
    services = make_services(catalog, settings, clock, matcher, store)
    application, api = await start_bot(services)
    sim = Simulator(application, api, clock=clock)
    user = sim.user(user_id=TELEGRAM_ID, first_name="Zyxwanda")
    await journey(user, clock, sim, api, store)
    await stop_bot(application)

    tables = await everything_in_tables(store)
    disk = on_disk()
    log = captured_log.getvalue()
    assert "DEBUG" in log  # the log really ran at DEBUG
    assert "chat not found" in log or "failed (BadRequest)" in log  # the failed delivery was logged
    for secret in SECRETS:
        assert secret not in tables, f"a table holds {secret!r}"
        assert secret.encode() not in disk, f"the database on disk holds {secret!r}"
        assert secret not in log, f"the log holds {secret!r}"
    for column_value in (TELEGRAM_ID,):  # and no integer column holds the id
        for table, names in (await columns_by_table(store)).items():
            for name in names:
                found = await query(store, f"SELECT COUNT(*) FROM {table} WHERE CAST({name} AS TEXT) = ?",
                                    str(column_value))
                assert found[0][0] == 0, f"{table}.{name} holds the Telegram id"

    # What remains: the anonymous counts, and the structured parts of what was reported.
    stats = await store.campaign_stats("ua-150-18", today=services.today())
    assert (stats.actions, stats.attempted, stats.supporters, stats.open_problems, stats.open_replies) == (
        3, 1, 1, 1, 1)
    items = await store.list_problems()
    assert {(i.kind, i.problem, i.text) for i in items} == {
        ("problem", "disconnected", None), ("reply", None, "[erased by the supporter]")}
    assert await store.subscribers_of("ua-150-18") == []
    assert await store.signup_of(TELEGRAM_ID) == []  # no sign-up: neither the chat nor its choices
    assert await store.signup_counts() == SignupCounts(people=0, by_choice={})
    assert await store.claim_due_reminders(datetime(2100, 1, 1, tzinfo=UTC), 10) == []  # none left


def test_an_exception_while_handling_an_update_is_logged_without_its_message(captured_log):
    """An exception's message may quote what a supporter typed (a refused value,
    a query parameter): inside an update only its type and frames are logged."""
    from bot.core.logs import current_update

    token = current_update.set(99)
    try:
        try:
            raise ValueError(f"channel must be one of letter, email; got {SENTENCE!r}")
        except ValueError:
            logging.getLogger("bot.chat.app").exception("handler failed")
    finally:
        current_update.reset(token)
    logged = captured_log.getvalue()
    assert "handler failed" in logged and "builtins.ValueError: (message withheld" in logged
    assert "test_privacy.py" in logged  # the frames are kept
    assert "Zyxsentence" not in logged


@pytest.mark.parametrize("lang, expected", [
    ("en", ("<b>What this bot keeps about you</b>",
            "Language: English",
            "Cases you follow (their updates are sent to this chat): ua-150-18",
            "Reminders waiting to be sent (1):\n• UA 150.18 · Gerónimo Gutiérrez · call"
            " · 2018-09-16 12:00 UTC",
            "Steps you are in the middle of (1):\n• writing an appeal (UA 150.18 · Luis Videgaray · letter)",
            "Actions you reported (1):\n• 2018-09-15 UA 150.18 · Luis Videgaray · email ×1",
            "Official replies you reported (1):\n• 2018-09-15 UA 150.18 · Luis Videgaray:"
            " “He &lt;b&gt;will&lt;/b&gt; look into it”",
            "Contact problems you reported (1):\n• 2018-09-15 UA 150.18 · Luis Videgaray · email · bounced:"
            " “mailbox full”")),
    ("es", ("<b>Lo que este bot guarda sobre ti</b>",
            "Idioma: español",
            "Casos que sigues (sus novedades se envían a este chat): ua-150-18",
            "Recordatorios por enviar (1):\n• UA 150.18 · Gerónimo Gutiérrez · call · 2018-09-16 12:00 UTC",
            "Pasos que tienes a medias (1):\n• escribiendo un llamamiento"
            " (UA 150.18 · Luis Videgaray · letter)",
            "Acciones que reportaste (1):\n• 2018-09-15 UA 150.18 · Luis Videgaray · email ×1",
            "Respuestas de funcionarios que reportaste (1):\n• 2018-09-15 UA 150.18 · Luis Videgaray:"
            " “He &lt;b&gt;will&lt;/b&gt; look into it”",
            "Problemas de contacto que reportaste (1):\n• 2018-09-15 UA 150.18 · Luis Videgaray"
            " · email · bounced: “mailbox full”")),
])
async def test_mydata_lists_everything_kept_texts_reminders_and_flows_included(bot, services, lang, expected):
    """Everything kept, not a count: the reply and note texts (opened with the
    person's key), a pending reminder, the flow they are in the middle of."""
    from bot.store import ProblemReport, ReminderRequest, ReplyReport
    from tests.chat.test_organizer_privacy import DONE_BUTTON
    from tests.chat.test_take_action import complete, walk_to_name

    sim, _ = bot
    user = sim.user(language_code=lang)
    await user.send("/language")
    await user.press(f"lang:{lang}")
    await complete(user, "luis-videgaray", "email", lang)
    await user.press(DONE_BUTTON["email"] if lang == "en" else "✅ Envié el correo")
    supporter = services.supporter(user.id, create=True)
    now = datetime.fromtimestamp(services.clock(), tz=UTC)
    await services.store.subscribe(user.id, "ua-150-18", services.recipient(user.id), lang)
    await services.store.schedule_reminder(ReminderRequest(user.id, "ua-150-18", "geronimo-gutierrez", "call",
                                                           "en", lang, datetime(2018, 9, 16, 12, tzinfo=UTC)))
    typed = "He <b>will</b> look into it"
    await services.store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", typed, supporter, "reply-1",
                                                  at=now))
    await services.store.record_contact_problem(ProblemReport(
        "ua-150-18", "luis-videgaray", "email", "bounced", "mailbox full", supporter, "problem-1", at=now))
    await walk_to_name(user, "luis-videgaray", "letter", lang)
    messages = await user.send("/mydata")
    shown = "\n".join(message.text for message in messages)
    for part in expected:
        assert part in shown, part
    assert shown.startswith(expected[0])
    # The texts are sealed in the table: what /mydata shows is opened with the person's key.
    assert "look into it" not in str(await query(services.store, "SELECT summary FROM official_replies"))
    assert "mailbox" not in str(await query(services.store, "SELECT note FROM contact_problems"))


def test_an_exception_outside_any_update_is_logged_without_its_message_too(captured_log):
    """A job, the sweep, start-up: no update, and still no message that may
    quote a supporter (issue 26), not even passed as an argument."""
    from bot.core.logs import current_update

    assert current_update.get() is None
    try:
        raise ValueError(f"row refused: {SENTENCE!r}")
    except ValueError as error:
        logging.getLogger("bot.chat.broadcasting").exception("sweep failed")
        logging.getLogger("bot.chat.reminders").warning("reminder not sent: %s", error)
    logged = captured_log.getvalue()
    assert "sweep failed" in logged and "builtins.ValueError: (message withheld" in logged
    assert "reminder not sent: (message withheld" in logged
    assert "Zyxsentence" not in logged


async def test_mydata_with_many_long_replies_comes_in_several_messages_each_within_telegrams_limit(
        bot, services):
    from bot.store import ReplyReport

    sim, api = bot
    user = sim.user()
    supporter = services.supporter(user.id, create=True)
    for n in range(12):
        text = f"Reply {n:02d} " + "é" * 480
        await services.store.record_reply(ReplyReport("ua-150-18", "luis-videgaray", text, supporter,
                                                      f"reply-{n}"))
    messages = await user.send("/mydata")
    assert len(messages) > 1 and api.refusals == []
    assert all(len(message.text) <= 4096 for message in messages)
    shown = "\n".join(message.text for message in messages)
    assert all(f"Reply {n:02d} " in shown for n in range(12))
    assert "Official replies you reported (12):" in shown
