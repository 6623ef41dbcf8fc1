"""Every failure of the command line is one line naming what to fix, exit code 2,
never a traceback; and the small promises around it: a closed pipe is quiet,
sqlite:/// URLs follow SQLAlchemy, unknown cases are refused, `ask` reads
well, --as-of moves the letter's date."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fake_bot_api import free_port


def run(tmp_path: Path, *args: str, stdin: str = "", stdout=subprocess.PIPE,
        **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in ("TELEGRAM_BOT_TOKEN", "DASHBOARD_TOKEN", "DATABASE_URL")}
    base.update({"CONTENT_DIR": str(ROOT / "content"), "SEEDS_DIR": str(ROOT / "seeds"),
                 "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3"), **env})
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=base, timeout=60)


def test_every_subcommand_fails_in_one_line_with_exit_code_2(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    unwritable = str(tmp_path / "a-file" / "bot.sqlite3")  # its folder is a file: cannot be created
    closed = free_port()  # nothing listens there
    telegram_down = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "TELEGRAM_API_RETRIES": "0",
                     "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{closed}/bot"}
    pg_down = {"DATABASE_URL": f"postgresql://bot:hunter2@127.0.0.1:{closed}/advocacy"}
    busy = socket.create_server(("127.0.0.1", 0))
    busy_port = str(busy.getsockname()[1])
    cases = [
        # (command line, settings, what the one line must say)
        (["run"], telegram_down, f"cannot reach the Telegram Bot API at http://127.0.0.1:{closed}/bot"),
        (["run", "--webhook", "https://x.example/hook", "--port", busy_port], {"TELEGRAM_BOT_TOKEN": "1:a"},
         f"--port {busy_port}: cannot listen on 127.0.0.1:{busy_port} (Address already in use)"),
        (["run", "--as-of", "2018-13-01"], {}, "argument --as-of: '2018-13-01' is not a date (YYYY-MM-DD)"),
        (["console"], {"DATABASE_PATH": unwritable}, "DATABASE_PATH: cannot keep the supporter id secret"),
        ([], {"DATABASE_PATH": unwritable}, "DATABASE_PATH: cannot keep the supporter id secret"),
        (["check"], {"CONTENT_DIR": str(tmp_path / "nowhere")}, "CONTENT_DIR: "),
        (["ask", "hello"], {"SEEDS_DIR": str(tmp_path / "nowhere")}, "SEEDS_DIR: "),
        (["ask", ""], {}, "the question is empty"),
        (["letter", "--campaign", "ua-150-18", "--target", "luis-videgaray", "--channel", "letter",
          "--pdf", "/missing/dir/x.pdf"], {}, "--pdf: cannot write /missing/dir/x.pdf (No such file"),
        (["stats"], pg_down, f"DATABASE_URL: cannot open PostgreSQL at 127.0.0.1:{closed}/advocacy"),
        ([], pg_down, "DATABASE_URL: cannot open PostgreSQL"),
        (["console"], pg_down, "DATABASE_URL: cannot open PostgreSQL"),
        (["dashboard"], {**pg_down, "DASHBOARD_TOKEN": "t" * 32}, "DATABASE_URL: cannot open PostgreSQL"),
        (["run"], {**pg_down, "TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
                   "TELEGRAM_API_RETRIES": "0"}, ""),  # whichever it meets first
        (["stats"], {"DATABASE_PATH": unwritable}, f"DATABASE_PATH: no SQLite database at {unwritable};"),
        (["stats", "--campaign", "nope"], {}, "--campaign: unknown case 'nope' (known: ua-150-18)"),
        (["export", "--campaign", "nope"], {}, "--campaign: unknown case 'nope' (known: ua-150-18)"),
        (["export"], {"DATABASE_URL": f"sqlite:///{tmp_path}/a-file/x.db"},
         "DATABASE_URL: no SQLite database"),
        (["dashboard", "--port", busy_port], {"DASHBOARD_TOKEN": "t" * 32},
         f"--port {busy_port}: cannot listen on 127.0.0.1:{busy_port} (Address already in use)"),
        (["dashboard", "--port", "99999"], {"DASHBOARD_TOKEN": "t" * 32}, "'99999' is not a port"),
        (["broadcast", "--campaign", "ua-150-18", "--update", "1"], telegram_down,
         "cannot reach the Telegram Bot API"),
        (["migrate", "--from", "sqlite:///none.db", "--to", pg_down["DATABASE_URL"]], {}, "none.db"),
        (["stats"], {"LOG_LEVEL": "LOUD"}, "LOG_LEVEL: 'LOUD' is not one of"),
    ]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:  # each case is its own process
            results = list(pool.map(lambda case: run(tmp_path, *case[0], **case[1]), cases))
        for (args, env, says), result in zip(cases, results, strict=True):
            where = f"advocacy-bot {' '.join(args)} with {env}: {result.stderr!r}"
            assert result.returncode == 2, where
            assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), where
            assert "Traceback" not in result.stderr and says in result.stderr, where
            assert "hunter2" not in result.stderr  # never the database password
            assert result.stdout == "", where  # nothing half done on standard output
    finally:
        busy.close()


@pytest.mark.parametrize("unbuffered", ["", "1"])  # output written at exit, or line by line
def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path, unbuffered):
    assert run(tmp_path, "console").returncode == 0  # a database to read
    read_end, write_end = os.pipe()
    os.close(read_end)  # `stats | head -0`: the reader is gone before the first line
    try:
        result = run(tmp_path, "stats", stdout=write_end, PYTHONUNBUFFERED=unbuffered)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")


def test_sqlite_urls_are_relative_with_three_slashes_and_absolute_with_four(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    relative = run(work, "console", DATABASE_URL="sqlite:///tmp/x.db")
    assert relative.returncode == 0, relative.stderr
    assert (work / "tmp" / "x.db").is_file()
    absolute = run(work, "console", DATABASE_URL=f"sqlite:///{tmp_path}/abs/y.db")  # = sqlite:////tmp/…
    assert absolute.returncode == 0, absolute.stderr
    assert (tmp_path / "abs" / "y.db").is_file() and not (work / str(tmp_path).lstrip("/")).exists()


def test_ask_dash_prints_each_question_above_its_answer(tmp_path):
    result = run(tmp_path, "ask", "-", stdin="What is non-refoulement?\nrecetas de pozole\n")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("\n\nQ: ")
    assert first.startswith("Q: What is non-refoulement?\n[non-refoulement] (score ")
    assert second.startswith("recetas de pozole\n(no question found in that text)") or \
        second.startswith("recetas de pozole\n(not sure")


def test_sources_are_listed_once_each_in_order(tmp_path, catalog):
    entry = catalog.faq["what-is-safe-third-country"]
    titles = [catalog.seeds[s.seed].title if s.seed else s.title for s in entry.sources]
    assert len(set(titles)) < len(titles)  # the entry cites one document twice
    out = run(tmp_path, "ask", "What is a safe third country?").stdout
    listed = out.split("Sources:\n", 1)[1].splitlines()
    assert listed == [f"  - {t}" for t in dict.fromkeys(titles)]


def test_letter_as_of_dates_the_letter_and_date_still_wins(tmp_path):
    args = ["letter", "--campaign", "ua-150-18", "--target", "luis-videgaray", "--channel", "letter",
            "--lang", "en"]
    as_of = run(tmp_path, *args, "--as-of", "2018-09-10")
    assert as_of.returncode == 0, as_of.stderr
    assert as_of.stdout.startswith("10 September 2018\n")
    both = run(tmp_path, *args, "--as-of", "2018-09-10", "--date", "2018-09-12")
    assert both.stdout.startswith("12 September 2018\n")


@pytest.mark.parametrize("command", [["stats"], ["export"], ["stats", "--json"]])
def test_a_read_only_command_refuses_a_missing_sqlite_database_and_creates_nothing(tmp_path, command):
    """A mistyped path (`sqlite:///dat/bot.db`) used to create folders and an
    empty database, then report zero actions as if that were the truth."""
    work = tmp_path / "work"
    work.mkdir()
    result = run(work, *command, DATABASE_URL="sqlite:///dat/bot.sqlite3")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"configuration error: DATABASE_URL: no SQLite database at dat/bot.sqlite3 "
                             f"({work.resolve()}/dat/bot.sqlite3); this command reads one and does not "
                             "create it (check DATABASE_URL, or start the bot once)\n")
    assert not (work / "dat").exists()
    assert run(work, "console", DATABASE_URL="sqlite:///dat/bot.sqlite3").returncode == 0  # now it exists
    assert run(work, *command, DATABASE_URL="sqlite:///dat/bot.sqlite3").returncode == 0
