"""The console: the real bot in a terminal, piped or through a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from tests.conftest import ROOT

ENTRY_POINT = Path(sys.executable).with_name("advocacy-bot")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3"),
           "CONTENT_DIR": str(ROOT / "content"), "SEEDS_DIR": str(ROOT / "seeds")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def test_piped_start_prints_greeting_and_menu(tmp_path):
    result = subprocess.run([ENTRY_POINT, "console"], input="/start\n", capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Hello, Console!" in result.stdout
    assert "*Past cases*" in result.stdout  # <b> rendered as plain emphasis
    menu = ("[#1] 📚 Learn  [#2] ❓ Ask a question\n[#3] ✍️ Take action\n"
            "[#4] 🗄 Past cases  [#5] 🔒 About / Privacy")
    assert menu in result.stdout


def test_no_subcommand_and_no_token_opens_the_console_with_a_hint(tmp_path):
    result = subprocess.run([ENTRY_POINT], input="/start\n#5\n", capture_output=True, text=True,
                            env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "No TELEGRAM_BOT_TOKEN set: chatting in this terminal." in result.stderr
    assert "*About this bot*" in result.stdout  # button 5 pressed by its number


def test_a_pseudo_terminal_session_answers_each_line_and_quits_on_ctrl_d(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on the pty
        os.chdir(tmp_path)
        os.execve(str(ENTRY_POINT), [str(ENTRY_POINT), "console"], _env(tmp_path))

    def read_until(marker: str, timeout: float = 30) -> str:
        seen, deadline = "", time.monotonic() + timeout
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(fd, 4096).decode(errors="replace")
                except OSError:
                    break
        return seen

    assert "> " in read_until("> ")
    os.write(fd, b"/start\n")
    assert "[#3] \u270d\ufe0f Take action" in read_until("Español")
    os.write(fd, b"#9\n")
    assert "(no button #9; there are 7)" in read_until("there are 7")
    os.write(fd, b"\x04")  # Ctrl-D
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0


def test_with_no_case_open_the_console_says_in_one_line_how_to_see_one(tmp_path):
    """After UA 150.18 closed no case is open: the console's line names a date
    inside it; on that date the line is not there (Telegram users get nothing
    of the sort)."""
    after = subprocess.run([ENTRY_POINT, "console", "--as-of", "2018-12-15"], input="/start\n",
                           capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=60)
    lines = after.stdout.splitlines()
    assert lines[1:3] == ["The bot's clock is set to 2018-12-15 (--as-of).",
                          "No case is open on 2018-12-15. To see UA 150.18 as supporters met it: "
                          "advocacy-bot console --as-of 2018-09-13"]
    assert "No case is open" not in "\n".join(lines[3:])  # said once, by the console, not by the bot
    then = subprocess.run([ENTRY_POINT, "console", "--as-of", "2018-09-13"], input="/start\n",
                          capture_output=True, text=True, env=_env(tmp_path / "then"), cwd=tmp_path,
                          timeout=60)
    assert "No case is open" not in then.stdout
    assert "*Deadline:* 27 September 2018" in then.stdout or "Take action" in then.stdout


def test_the_hint_names_a_day_on_which_the_case_is_open(catalog):
    from bot.catalog.cases import status_of
    from bot.console import as_of_hint

    line = as_of_hint(catalog, date(2018, 12, 15))
    day = date.fromisoformat(line.rsplit("--as-of ", 1)[1])
    assert status_of(catalog.campaigns["ua-150-18"], catalog.officials, day).actionable
    assert as_of_hint(catalog, day) is None
