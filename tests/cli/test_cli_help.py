"""`--help` is where a newcomer looks first: every command and option says
what it does, the bare command is described, and a mistake points to the
help of the command it was made in."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import _parser, main


def _commands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_option_of_every_command_has_a_help_line():
    missing = [f"{name} {action.option_strings[0] if action.option_strings else action.dest}"
               for name, command in _commands().items() for action in command._actions
               if not (action.help or "").strip()]
    assert not missing


def test_every_date_option_shows_its_format():
    for name, command in _commands().items():
        for action in command._actions:
            if action.type is not None and getattr(action.type, "__name__", "") == "_day":
                assert action.metavar == "YYYY-MM-DD", f"{name} {action.option_strings}"


def test_the_bare_command_is_described(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Without a command: chat with the bot in this terminal when TELEGRAM_BOT_TOKEN is not set" in out


@pytest.mark.parametrize("argv, prog", [
    (["stats", "--nope"], "advocacy-bot stats"),
    (["export", "--format", "csv", "--campaing", "x"], "advocacy-bot export"),
    (["--nope"], "advocacy-bot")])
def test_a_wrong_option_points_to_the_help_of_its_command(argv, prog, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{prog}: error: unrecognized arguments: ")
    assert err.endswith(f"(see {prog} --help)\n")
