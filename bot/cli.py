"""The `advocacy-bot` command: one entry point for supporters' chat,
organizers' tools and operations. Errors an organizer can fix (bad content, a
malformed setting) are printed as one line each, never as a traceback."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.catalog import LANGUAGES, ContentError, load_catalog
from bot.core.clocks import clock_from
from bot.core.config import ConfigError, Settings, load_settings

CONSOLE_HINT = ("No TELEGRAM_BOT_TOKEN set: chatting in this terminal. To connect to Telegram, "
                "get a token from @BotFather and set TELEGRAM_BOT_TOKEN (see README).")
log = logging.getLogger(__name__)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage mistake told in one line (the usage is what --help is for).

    An option the command does not know is told by that command's parser, so
    the line points to `advocacy-bot stats --help`, not the top-level help
    (argparse leaves unknown arguments to the top-level parser)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            owner = self._commands.get(command, self) if command else self
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    @property
    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return int(text)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


BARE_HELP = ("Without a command: chat with the bot in this terminal when TELEGRAM_BOT_TOKEN is not set, "
             "else serve Telegram as `run` does. Each command's --help lists its options; the guides are "
             "in docs/.")
AS_OF_HELP = "run as if today were this date (YYYY-MM-DD); the clock starts there at noon UTC"


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="advocacy-bot", description=__doc__, epilog=BARE_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="serve Telegram (long polling, or a webhook)")
    run.add_argument("--webhook", metavar="URL", help="serve a webhook at this https:// URL instead")
    run.add_argument("--listen", default="127.0.0.1", help="address the webhook server listens on")
    run.add_argument("--port", type=_port, default=8443, help="port of the webhook server")
    run.add_argument("--health-port", type=_port, help="in polling mode, serve /healthz and /metrics here")
    run.add_argument("--drop-pending-updates", action="store_true",
                     help="discard updates that arrived while the bot was down")
    run.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--lang", choices=["en", "es"], help="your language (stored, as /language does)")
    console.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    commands.add_parser("check", help="validate content/ and seeds/")
    commands.add_parser("reload", help="check content/, then have the running bot (`run`) load it "
                                       "without a restart")

    ask = commands.add_parser("ask", help="answer a question from the FAQ")
    ask.add_argument("question", help='the question, or "-" to read one per line from standard input')
    ask.add_argument("--lang", choices=["en", "es"],
                     help="answer in this language (default: the question's own; English if it does not say)")
    ask.add_argument("--json", action="store_true",
                     help="print {id, title, text, score, suggestions, lang, tier, outcome, offered} "
                          "as JSON, one line a question")
    ask.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD",
                     help="answer as on this day (the cases open then); default today")

    letter = commands.add_parser("letter", help="render an appeal, to proof templates")
    letter.add_argument("--campaign", required=True, metavar="ID", help="the case id (its folder name)")
    letter.add_argument("--target", required=True, metavar="ID", help="the official's id (officials.yaml)")
    letter.add_argument("--channel", required=True, choices=["letter", "email", "call", "tweet"],
                        help="which appeal: a letter (--pdf prints it), an email, a call script, a tweet")
    letter.add_argument("--lang", help="en, es or the official's language (the default)")
    letter.add_argument("--name", default="", help="the supporter's name, as they would type it")
    letter.add_argument("--city", default="", help="the supporter's city")
    letter.add_argument("--sentence", default="", help="the supporter's own sentence, added to the appeal")
    letter.add_argument("--date", type=_day, metavar="YYYY-MM-DD",
                        help="the letter's date (default: today, or --as-of)")
    letter.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    letter.add_argument("--pdf", type=Path, metavar="FILE",
                        help="also write the letter as a PDF to this file")
    letter.add_argument("--paper", choices=["A4", "Letter"], default="A4",
                        help="the PDF's paper (default A4)")

    stats = commands.add_parser("stats", help="action counts")
    stats.add_argument("--campaign", metavar="ID", help="one case only (default: every case)")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON, per day from the "
                       "case's issue date")

    export = commands.add_parser("export", help="the action log as CSV on standard output")
    export.add_argument("--campaign", metavar="ID", help="one case only (default: every case)")
    export.add_argument("--format", choices=["csv"], default="csv", help="csv, the only format (default)")
    export.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="actions from this day on")

    dashboard = commands.add_parser("dashboard", help="serve the organizers' web page")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dashboard.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080)")

    broadcast = commands.add_parser("broadcast", help="send a case update to the case's followers")
    broadcast.add_argument("--campaign", required=True, metavar="ID", help="the case id")
    broadcast.add_argument("--update", type=int, required=True, help="the update's number, from 1")
    broadcast.add_argument("--audience", choices=["acted", "followers"], default="followers",
                           help="followers who reported an action, or all followers (default)")
    broadcast.add_argument("--dry-run", action="store_true", help="show the message and the count only")
    broadcast.add_argument("--rate", type=float, help="messages per second (default BROADCAST_RATE, 25)")

    sheet = commands.add_parser("import", help="a case sheet (text, PDF or web page) -> a draft case")
    sheet.add_argument("file", type=Path, help="the case sheet as downloaded (.txt, .pdf or .html)")
    sheet.add_argument("--force", action="store_true", help="replace an existing case with the sheet's draft")
    sheet.add_argument("--dry-run", action="store_true", help="show what the sheet holds; write nothing")

    announce = commands.add_parser("announce", help="announce a new case to those signed up for it")
    announce.add_argument("--campaign", required=True, metavar="ID", help="the case to announce (its id)")
    announce.add_argument("--dry-run", action="store_true", help="show the message and the count only")
    announce.add_argument("--rate", type=float, help="messages per second (default BROADCAST_RATE, 25)")

    migrate = commands.add_parser("migrate", help="copy a SQLite store into PostgreSQL")
    migrate.add_argument("--from", dest="source", required=True, metavar="sqlite:///PATH",
                         help="the SQLite database to copy (read only)")
    migrate.add_argument("--to", dest="target", required=True, metavar="postgresql://…",
                         help="the PostgreSQL database to copy into")
    migrate.add_argument("--force", action="store_true", help="replace data the target already holds")
    return parser


def _console(settings: Settings, lang: str | None, as_of: date | None, hint: str | None = None) -> int:
    from bot.console import build_console, run_console

    console = build_console(settings, as_of)
    client_language = "es" if os.environ.get("LANG", "").startswith("es") else "en"
    asyncio.run(run_console(console.application, console.api,
                            documents_dir=settings.data_dir / "console-documents",
                            language_code=lang or client_language, choose_language=lang,
                            message_ids=console.message_ids, as_of=as_of, started_notice=hint))
    return 0


def _run(settings: Settings, options, as_of: date | None) -> int:
    from bot.chat.app import build_application
    from bot.runtime import load_services
    from bot.serve import serve

    if not settings.telegram_bot_token:
        print("error: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    if options.webhook_url and not options.webhook_url.startswith(("https://", "http://")):
        return _usage_error("--webhook must be a URL such as https://bot.example.org/telegram")
    for flag, port in (("--port", options.port if options.webhook_url else None),
                       ("--health-port", options.health_port)):
        if port is not None and (busy := _port_taken(options.listen, port)):
            return _usage_error(f"{flag} {port}: cannot listen on {options.listen}:{port} ({busy})")
    services = load_services(settings, clock=clock_from(as_of))
    application = build_application(services, token=settings.telegram_bot_token,
                                    base_url=settings.telegram_api_base_url)
    asyncio.run(serve(application, services, options))
    return 0


def _port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (in use, no such address), or None.

    Checked before anything is announced, so a busy port is one line, not a
    "listening on…" followed by a failure."""
    import socket

    try:
        with socket.create_server((host, port)):
            return None
    except OSError as error:
        return os.strerror(error.errno) if error.errno else str(error)


async def _check_store(settings: Settings) -> None:
    """Open and close the configured store (raises StoreUnavailable, one line)."""
    from bot.store import open_configured_store

    await (await open_configured_store(settings)).close()


def _check(settings: Settings) -> int:
    from bot.cli_output import draft_warnings
    from bot.runtime import load_configured_catalog

    catalog = load_configured_catalog(settings)
    print(catalog.summary())
    if catalog.warnings:
        print(draft_warnings(catalog.warnings))
    return 0


def _import(settings: Settings, path: Path, force: bool, dry_run: bool) -> int:
    from bot.cli_output import import_report
    from bot.importer.importing import Refused, import_sheet

    try:
        sheet, plan = import_sheet(path, settings.content_dir, settings.seeds_dir, force=force,
                                   dry_run=dry_run)
    except Refused as error:
        return _usage_error(f"import: {error}")
    print(import_report(sheet, plan, settings.content_dir, dry_run))
    return 0


def _reload(settings: Settings) -> int:
    """Check content first (its problems are `path:line` lines, exit 1, and
    nothing is sent); then SIGHUP to the bot `run` started, which loads it."""
    import signal

    from bot.cli_output import draft_warnings
    from bot.runtime import load_configured_catalog
    from bot.serve import PID_FILE

    catalog = load_configured_catalog(settings)
    summary = catalog.summary()
    if catalog.warnings:  # drafts with work left: they load, invisible to supporters
        print(draft_warnings(catalog.warnings))
    pid_path = settings.data_dir / PID_FILE
    try:
        pid = int(pid_path.read_text(encoding="ascii").strip())
        os.kill(pid, signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return _usage_error(f"{summary}, but no running bot was found ({pid_path}): the bot reads content "
                            "when it starts, so start it with `advocacy-bot run`")
    print(f"{summary}; the running bot (pid {pid}) is loading it now (its log says when it is done)")
    return 0


def _ask(settings: Settings, question: str, lang: str | None, as_json: bool, today: date) -> int:
    from bot.ask.combined_matcher import ask
    from bot.cli_output import answer_json, answer_text
    from bot.runtime import build_matcher, load_configured_catalog

    if not question.strip():
        return _usage_error('ask: the question is empty (give one in quotes, or "-" to read one per line)')
    catalog = load_configured_catalog(settings)
    matcher = build_matcher(catalog)
    semantic = _semantic_tier(settings, catalog)
    reading = question == "-"
    questions = (line.rstrip("\n") for line in sys.stdin) if reading else [question]
    for number, text in enumerate(questions):
        asked = ask(matcher, semantic, text, lang)
        match, answer_lang = asked.match, lang or asked.lang
        if as_json:
            print(json.dumps(answer_json(catalog, match, answer_lang, today, asked),
                             ensure_ascii=False), flush=True)
            continue
        if reading:  # answers in a row: each under its question, a blank line between them
            print(f"\nQ: {text}" if number else f"Q: {text}")
        print(answer_text(catalog, match, answer_lang, today, asked.outcome), flush=True)
    return 0


def _semantic_tier(settings: Settings, catalog):
    """The FAQ's semantic tier for `ask`, built before the first answer (a
    command waits for it rather than answer differently while it builds), with
    its vectors cached in the data folder; None when SEMANTIC_TIER=off, when
    the extra is not installed, or when it cannot be built (said on stderr:
    the lexical tier answers alone)."""
    from bot.ask import semantic_matcher
    from bot.runtime import semantic_cache

    cache = semantic_cache(settings)
    if cache is None or semantic_matcher.MISSING is not None:
        return None
    try:
        return semantic_matcher.SemanticTier.build(
            ((entry.id, entry.questions.as_mapping()) for entry in catalog.faq.values()), cache_dir=cache)
    except Exception as error:  # noqa: BLE001 - an optional tier: lexical answers go on
        print(f"note: the semantic tier could not be built ({type(error).__name__}: {error}); "
              "answering with the lexical tier alone", file=sys.stderr)
        return None


def _letter(settings: Settings, args: argparse.Namespace) -> int:
    from bot.appeals.letter_pdf import render_letter_pdf
    from bot.appeals.render import AppealRenderer, SupporterDetails
    from bot.appeals.supporter_input import CITY_MAX, NAME_MAX, SENTENCE_MAX, Refused, clean
    from bot.catalog.cases import status_of
    from bot.runtime import load_configured_catalog

    catalog = load_configured_catalog(settings)
    campaign = catalog.campaigns.get(args.campaign)
    if campaign is None:
        return _usage_error(f"unknown campaign {args.campaign!r} (known: {', '.join(catalog.campaigns)})")
    if args.target not in campaign.target_ids:
        return _usage_error(f"{args.target!r} is not a target of {campaign.id} "
                            f"(targets: {', '.join(campaign.target_ids)})")
    official = catalog.officials[args.target]
    if not official.has_channel(args.channel):
        return _usage_error(f"{official.name} has no contact for {args.channel}")
    readable = dict.fromkeys((official.language, *LANGUAGES))
    if args.lang is not None and args.lang not in readable:
        return _usage_error(f"--lang: {official.name}'s appeal can be in {', '.join(readable)}")
    details = {}
    for field, limit in (("name", NAME_MAX), ("city", CITY_MAX), ("sentence", SENTENCE_MAX)):
        value = getattr(args, field)
        cleaned = clean(value, limit) if value else ""
        if isinstance(cleaned, Refused):
            return _usage_error(f"--{field}: {cleaned.reason.removeprefix('input.').replace('_', ' ')}"
                                + (f" (limit {limit})" if cleaned.limit else ""))
        details[field] = cleaned
    dated = args.date or args.as_of or date.today()  # --date wins, then the day --as-of sets
    appeal = AppealRenderer(catalog).render(campaign, official, args.channel,
                                            args.lang or official.language,
                                            SupporterDetails(**details), dated)
    paper = args.paper
    if args.pdf:  # written first: a PDF that cannot be written is an error before anything is printed
        try:
            args.pdf.write_bytes(render_letter_pdf(appeal.body, official.name, paper))
        except OSError as error:
            return _usage_error(f"--pdf: cannot write {args.pdf} ({error.strerror or error})")
    status = status_of(campaign, catalog.officials, args.as_of or args.date or date.today())
    if not status.visible:  # a preview for organizers: supporters do not see the case yet
        when = f"before it is issued ({campaign.issued.display('en')})" if campaign.status != "draft" else \
            "while it is a draft"
        print(f"note: on {status.today} supporters do not see {campaign.reference} {when}: "
              "this is a preview", file=sys.stderr)
    elif not status.can_write_to(official.id):  # a proof of a past appeal, never to be sent as it is
        print(f"note: on {status.today} {campaign.reference} is not open for appeals to {official.name} "
              "(closed, or the official no longer holds the post): this is a past appeal", file=sys.stderr)
    if appeal.subject:
        print(f"To: {official.email}\nSubject: {appeal.subject}\n")
    print(appeal.body, end="")
    if args.pdf:
        print(f"PDF written to {args.pdf} ({paper})", file=sys.stderr)
    return 0


def _known_campaign(settings: Settings, campaign: str | None) -> str | None:
    """None when `campaign` is None or a case in content/, else the one-line error."""
    from bot.runtime import load_configured_catalog

    if campaign is None:
        return None
    known = load_configured_catalog(settings).campaigns
    if campaign in known:
        return None
    return f"unknown case {campaign!r} (known: {', '.join(known) or 'none'})"


def _stats(settings: Settings, campaign: str | None, as_json: bool) -> int:
    from bot.cli_output import official_names, signup_figures, stats_json, stats_table
    from bot.runtime import load_configured_catalog
    from bot.store import open_configured_store

    if problem := _known_campaign(settings, campaign):
        return _usage_error(f"--campaign: {problem}")

    catalog = load_configured_catalog(settings)
    # Per day from the case's issue date (JSON, for charts), not 90 days that may all be after it closed.
    issued = catalog.campaigns[campaign].issued if campaign and as_json else None
    since = issued.first_day() if issued is not None else None

    async def read():
        async with await open_configured_store(settings, must_exist=True) as store:
            return await store.campaign_stats(campaign, since=since), await store.signup_counts()

    stats, signups = asyncio.run(read())
    names = official_names(catalog, stats)
    signed_up = signup_figures(catalog, signups)
    print(json.dumps(stats_json(stats, names, signed_up), indent=2, sort_keys=True) if as_json
          else stats_table(stats, names, signed_up))
    return 0


def _export(settings: Settings, campaign: str | None, since: date | None) -> int:
    from bot.runtime import load_configured_catalog
    from bot.store import open_configured_store
    from bot.store.export import csv_chunks

    if problem := _known_campaign(settings, campaign):
        return _usage_error(f"--campaign: {problem}")
    names = {o.id: o.name for o in load_configured_catalog(settings).officials.values()}

    async def write():
        async with await open_configured_store(settings, must_exist=True) as store:
            async for chunk in csv_chunks(store, campaign, since, names):
                sys.stdout.write(chunk)

    asyncio.run(write())
    return 0


def _dashboard(settings: Settings, host: str, port: int) -> int:
    from bot.broadcasts.announcement import choice_names
    from bot.catalog.i18n import Texts
    from bot.web.dashboard import check_token, run_dashboard

    if not settings.dashboard_token:
        return _usage_error("DASHBOARD_TOKEN is not set: the dashboard needs a token to protect it")
    try:
        check_token(settings.dashboard_token)
    except ValueError as error:
        return _usage_error(str(error))
    catalog = load_catalog(settings.content_dir, settings.seeds_dir)
    titles = {c.id: f"{c.reference}: {c.title.en}" for c in catalog.campaigns.values()}
    officials = {o.id: o.name for o in catalog.officials.values()}
    choices = choice_names(catalog, Texts(catalog.strings), "en")  # the sign-ups' choices, named
    if busy := _port_taken(host, port):
        return _usage_error(f"--port {port}: cannot listen on {host}:{port} ({busy})")
    asyncio.run(_check_store(settings))  # a database out of reach: one line, before "Dashboard on"
    print(f"Dashboard on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    run_dashboard(settings.database_url or settings.database_path, settings.dashboard_token, host=host,
                  port=port, campaign_titles=titles, official_names=officials,
                  trusted_proxies=settings.dashboard_trusted_proxies,
                  key_file=settings.store_key_file(), choice_names=choices)
    return 0


def _send_from_cli(settings: Settings, args: argparse.Namespace, command) -> int:
    """What `broadcast` and `announce` share once their case and message are
    settled: the token (unless --dry-run) and rate checks, then
    `command(store, bot, rate)` with the configured store and a Bot (None for
    --dry-run), both closed afterwards."""
    from telegram import Bot

    from bot.store import open_configured_store

    if not args.dry_run and not settings.telegram_bot_token:
        return _usage_error("TELEGRAM_BOT_TOKEN is not set (needed to send; --dry-run works without)")
    rate = args.rate or settings.broadcast_rate
    if not 0 < rate <= 30:
        return _usage_error("--rate must be above 0 and at most 30 messages per second")

    async def send() -> int:
        store = await open_configured_store(settings)
        bot = None
        try:
            if not args.dry_run:
                bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url)
                await bot.initialize()
            return await command(store, bot, rate)
        finally:
            if bot is not None:
                await bot.shutdown()
            await store.close()

    return asyncio.run(send())


def _broadcast(settings: Settings, args: argparse.Namespace) -> int:
    from bot.broadcast_command import refusal, run_broadcast_command
    from bot.runtime import load_configured_catalog

    catalog = load_configured_catalog(settings)
    today = date.today()  # never --as-of: an update goes out on its date, not before
    if (problem := refusal(catalog, args.campaign, args.update, today)) is not None:
        return _usage_error(problem)
    return _send_from_cli(settings, args, lambda store, bot, rate: run_broadcast_command(
        catalog, store, bot, args.campaign, args.update, args.audience, dry_run=args.dry_run, rate=rate,
        today=today))


def _announce(settings: Settings, args: argparse.Namespace) -> int:
    """A new case to those signed up for it: `broadcast`'s sending, from the same store."""
    from bot.broadcast_command import run_announce_command
    from bot.broadcasts.announcement import refusal, refusal_text
    from bot.catalog.i18n import Texts
    from bot.console import plain
    from bot.runtime import load_configured_catalog

    catalog = load_configured_catalog(settings)
    campaign = catalog.campaigns.get(args.campaign)
    if campaign is None:
        return _usage_error(f"unknown campaign {args.campaign!r} (known: {', '.join(catalog.campaigns)})")
    today = date.today()  # never --as-of: a case is announced from its issued date, not before
    if (reason := refusal(catalog, campaign, today)) is not None:
        return _usage_error(plain(refusal_text(Texts(catalog.strings), "en", reason)))
    return _send_from_cli(settings, args, lambda store, bot, rate: run_announce_command(
        catalog, store, bot, args.campaign, today=today, dry_run=args.dry_run, rate=rate))


def _migrate(source: str, target: str, force: bool) -> int:
    import asyncpg

    from bot.store.transfer import TransferError, copy_sqlite_to_postgres

    try:
        copied = asyncio.run(copy_sqlite_to_postgres(source, target, force=force))
    except (TransferError, OSError, asyncpg.PostgresError) as error:
        return _usage_error(str(error))
    print(copied.summary(source, target))
    return 0


def _usage_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check":
        return _check(settings)
    if args.command == "reload":
        return _reload(settings)
    if args.command == "run":
        from bot.serve import ServeOptions

        return _run(settings, ServeOptions(args.webhook, args.listen, args.port, args.health_port,
                                           args.drop_pending_updates), args.as_of)
    if args.command == "console":
        return _console(settings, args.lang, args.as_of)
    if args.command == "ask":
        return _ask(settings, args.question, args.lang, args.json, args.as_of or date.today())
    if args.command == "letter":
        return _letter(settings, args)
    if args.command == "stats":
        return _stats(settings, args.campaign, args.json)
    if args.command == "export":
        return _export(settings, args.campaign, args.since)
    if args.command == "dashboard":
        return _dashboard(settings, args.host, args.port)
    if args.command == "broadcast":
        return _broadcast(settings, args)
    if args.command == "import":
        return _import(settings, args.file, args.force, args.dry_run)
    if args.command == "announce":
        return _announce(settings, args)
    if args.command == "migrate":
        return _migrate(args.source, args.target, args.force)
    if settings.telegram_bot_token:
        from bot.serve import ServeOptions

        return _run(settings, ServeOptions(), None)
    return _console(settings, None, None, hint=CONSOLE_HINT)


def _telegram_unreachable(settings: Settings, error: Exception) -> str:
    return (f"cannot reach the Telegram Bot API at {settings.telegram_api_base_url} ({error}); "
            "check the network, or TELEGRAM_API_BASE_URL")


def _stdout_gone() -> int:
    """The reader of our output left (`stats | head -3`): stop quietly, as `cat`
    does; the rest of the output has nowhere to go. Standard output is pointed
    at /dev/null so the interpreter's last flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


def main(argv: Sequence[str] | None = None) -> int:
    """Every failure an organizer can fix is one line on standard error and
    exit code 2 (content problems: `path:line` lines and exit code 1)."""
    args = _parser().parse_args(argv)
    settings = None
    try:
        settings = load_settings()
        from bot.core.logs import configure_logging

        configure_logging(settings.log_level, settings.log_format)
        code = _dispatch(args, settings)
        sys.stdout.flush()  # here, where a reader that went away is caught, not at exit
        return code
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        from bot.cli_output import counted

        many = len(error.problems)
        print(f"{counted(many, 'problem', 'problems')} in content; fix {'it' if many == 1 else 'them'} "
              "and try again.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _stdout_gone()
    except Exception as error:
        from telegram.error import InvalidToken, NetworkError

        if isinstance(error, InvalidToken):
            return _usage_error("TELEGRAM_BOT_TOKEN: Telegram refused this token (check it with @BotFather)")
        if isinstance(error, NetworkError) and settings is not None:
            return _usage_error(_telegram_unreachable(settings, error))
        # Not foreseen: still one line; LOG_LEVEL=DEBUG shows where it came from.
        log.debug("command failed", exc_info=True)
        return _usage_error(f"{type(error).__name__}: {error} (LOG_LEVEL=DEBUG shows the details)")


if __name__ == "__main__":
    sys.exit(main())
