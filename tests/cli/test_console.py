"""The console: the real bot in a terminal, piped or through a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
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
