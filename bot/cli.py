"""The `advocacy-bot` command: one entry point for supporters' chat,
organizers' tools and operations. Errors an organizer can fix (bad content, a
malformed setting) are printed as one line each, never as a traceback."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from .catalog import ContentError, load_catalog
from .config import ConfigError, Settings, load_settings

CONSOLE_HINT = ("No TELEGRAM_BOT_TOKEN set: chatting in this terminal. To connect to Telegram, "
                "get a token from @BotFather and set TELEGRAM_BOT_TOKEN (see README).")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="advocacy-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="serve Telegram (long polling)")
    run.add_argument("--drop-pending-updates", action="store_true",
                     help="discard updates that arrived while the bot was down")
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--lang", choices=["en", "es"], help="your Telegram client's language")
    commands.add_parser("check", help="validate content/ and seeds/")
    return parser


def _console(settings: Settings, lang: str | None) -> int:
    from .chat.app import build_application
    from .console import run_console
    from .runtime import load_services
    from .transport import InMemoryBotAPI

    services = load_services(settings)
    api = InMemoryBotAPI()
    application = build_application(services, request=api)
    language = lang or ("es" if os.environ.get("LANG", "").startswith("es") else "en")
    asyncio.run(run_console(application, api, documents_dir=settings.data_dir / "console-documents",
                            language_code=language))
    return 0


def _run(settings: Settings, drop_pending_updates: bool) -> int:
    from telegram import Update

    from .chat.app import build_application
    from .runtime import load_services

    if not settings.telegram_bot_token:
        print("error: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    services = load_services(settings)
    application = build_application(services, token=settings.telegram_bot_token,
                                    base_url=settings.telegram_api_base_url)
    application.run_polling(allowed_updates=Update.ALL_TYPES,
                            drop_pending_updates=drop_pending_updates)
    return 0


def _check(settings: Settings) -> int:
    catalog = load_catalog(settings.content_dir, settings.seeds_dir)
    print(catalog.summary())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        from .runtime import configure_logging

        configure_logging(settings.log_level)
        if args.command == "check":
            return _check(settings)
        if args.command == "run":
            return _run(settings, args.drop_pending_updates)
        if args.command == "console":
            return _console(settings, args.lang)
        if settings.telegram_bot_token:
            return _run(settings, drop_pending_updates=False)
        print(CONSOLE_HINT, file=sys.stderr)
        return _console(settings, None)
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


if __name__ == "__main__":
    sys.exit(main())
