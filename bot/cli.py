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

from bot.catalog import ContentError, load_catalog
from bot.core.clocks import clock_from
from bot.core.config import ConfigError, Settings, load_settings

CONSOLE_HINT = ("No TELEGRAM_BOT_TOKEN set: chatting in this terminal. To connect to Telegram, "
                "get a token from @BotFather and set TELEGRAM_BOT_TOKEN (see README).")
log = logging.getLogger(__name__)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage mistake told in one line (the usage is what --help is for)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return int(text)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


AS_OF_HELP = "run as if today were this date (YYYY-MM-DD); the clock starts there at noon UTC"


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="advocacy-bot", description=__doc__)
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

    ask = commands.add_parser("ask", help="answer a question from the FAQ")
    ask.add_argument("question", help='the question, or "-" to read one per line from standard input')
    ask.add_argument("--lang", choices=["en", "es"],
                     help="answer in this language (default: the question's own; English if it does not say)")
    ask.add_argument("--json", action="store_true",
                     help="print {id, score, suggestions, lang, tier, outcome, offered} as JSON")
    ask.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD",
                     help="answer as on this day (the cases open then); default today")

    letter = commands.add_parser("letter", help="render an appeal, to proof templates")
    letter.add_argument("--campaign", required=True)
    letter.add_argument("--target", required=True, help="official id")
    letter.add_argument("--channel", required=True, choices=["letter", "email", "call", "tweet"])
    letter.add_argument("--lang", choices=["en", "es"], help="default: the official's language")
    letter.add_argument("--name", default="")
    letter.add_argument("--city", default="")
    letter.add_argument("--sentence", default="")
    letter.add_argument("--date", type=_day, help="the letter's date (default: today, or --as-of)")
    letter.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD", help=AS_OF_HELP)
    letter.add_argument("--pdf", type=Path, help="also write the letter as a PDF to this file")

    stats = commands.add_parser("stats", help="action counts")
    stats.add_argument("--campaign")
    stats.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="the action log as CSV on standard output")
    export.add_argument("--campaign")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--since", type=_day, help="YYYY-MM-DD")

    dashboard = commands.add_parser("dashboard", help="serve the organizers' web page")
    dashboard.add_argument("--host", default="127.0.0.1")
    dashboard.add_argument("--port", type=_port, default=8080)

    broadcast = commands.add_parser("broadcast", help="send a case update to the case's followers")
    broadcast.add_argument("--campaign", required=True)
    broadcast.add_argument("--update", type=int, required=True, help="the update's number, from 1")
    broadcast.add_argument("--audience", choices=["acted", "followers"], default="followers",
                           help="followers who reported an action, or all followers (default)")
    broadcast.add_argument("--dry-run", action="store_true", help="show the message and the count only")
    broadcast.add_argument("--rate", type=float, help="messages per second (default BROADCAST_RATE, 25)")

    migrate = commands.add_parser("migrate", help="copy a SQLite store into PostgreSQL")
    migrate.add_argument("--from", dest="source", required=True, metavar="sqlite:///PATH")
    migrate.add_argument("--to", dest="target", required=True, metavar="postgresql://…")
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
    from bot.runtime import load_configured_catalog

    print(load_configured_catalog(settings).summary())
    return 0


def _ask(settings: Settings, question: str, lang: str | None, as_json: bool, today: date) -> int:
    from bot.ask.combined_matcher import ask
    from bot.cli_output import answer_text
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
            print(json.dumps({"id": match.id, "score": round(match.score, 4),
                              "suggestions": list(match.suggestions), "lang": answer_lang,
                              "tier": asked.tier, "outcome": asked.outcome,
                              "offered": list(asked.offered)}, ensure_ascii=False), flush=True)
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
    from bot.appeals.letter_pdf import paper_for, render_letter_pdf
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
    paper = paper_for(official.address)
    if args.pdf:  # written first: a PDF that cannot be written is an error before anything is printed
        try:
            args.pdf.write_bytes(render_letter_pdf(appeal.body, official.name, paper))
        except OSError as error:
            return _usage_error(f"--pdf: cannot write {args.pdf} ({error.strerror or error})")
    status = status_of(campaign, catalog.officials, args.as_of or args.date or date.today())
    if not status.can_write_to(official.id):  # a proof of a past appeal, never to be sent as it is
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
    from bot.cli_output import official_names, stats_json, stats_table
    from bot.runtime import load_configured_catalog
    from bot.store import open_configured_store

    if problem := _known_campaign(settings, campaign):
        return _usage_error(f"--campaign: {problem}")

    async def read():
        async with await open_configured_store(settings) as store:
            return await store.campaign_stats(campaign)

    stats = asyncio.run(read())
    names = official_names(load_configured_catalog(settings), stats)
    print(json.dumps(stats_json(stats, names), indent=2, sort_keys=True) if as_json
          else stats_table(stats, names))
    return 0


def _export(settings: Settings, campaign: str | None, since: date | None) -> int:
    from bot.runtime import load_configured_catalog
    from bot.store import open_configured_store
    from bot.store.export import csv_chunks

    if problem := _known_campaign(settings, campaign):
        return _usage_error(f"--campaign: {problem}")
    names = {o.id: o.name for o in load_configured_catalog(settings).officials.values()}

    async def write():
        async with await open_configured_store(settings) as store:
            async for chunk in csv_chunks(store, campaign, since, names):
                sys.stdout.write(chunk)

    asyncio.run(write())
    return 0


def _dashboard(settings: Settings, host: str, port: int) -> int:
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
    if busy := _port_taken(host, port):
        return _usage_error(f"--port {port}: cannot listen on {host}:{port} ({busy})")
    asyncio.run(_check_store(settings))  # a database out of reach: one line, before "Dashboard on"
    print(f"Dashboard on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    run_dashboard(settings.database_url or settings.database_path, settings.dashboard_token, host=host,
                  port=port, campaign_titles=titles, official_names=officials,
                  trusted_proxies=settings.dashboard_trusted_proxies)
    return 0


def _broadcast(settings: Settings, args: argparse.Namespace) -> int:
    from telegram import Bot

    from bot.broadcast_command import run_broadcast_command
    from bot.runtime import load_configured_catalog
    from bot.store import open_configured_store

    if not args.dry_run and not settings.telegram_bot_token:
        return _usage_error("TELEGRAM_BOT_TOKEN is not set (needed to send; --dry-run works without)")
    rate = args.rate or settings.broadcast_rate
    if not 0 < rate <= 30:
        return _usage_error("--rate must be above 0 and at most 30 messages per second")
    catalog = load_configured_catalog(settings)

    async def send() -> int:
        store = await open_configured_store(settings)
        bot = None
        try:
            if not args.dry_run:
                bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url)
                await bot.initialize()
            return await run_broadcast_command(catalog, store, bot, args.campaign, args.update,
                                               args.audience, dry_run=args.dry_run, rate=rate)
        finally:
            if bot is not None:
                await bot.shutdown()
            await store.close()

    return asyncio.run(send())


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
        print(f"{len(error.problems)} problem(s) in content; fix them and try again.", file=sys.stderr)
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
