"""The command line on a network's content: `advocacy-bot reload` has the real
running bot (`advocacy-bot run`, over HTTP to a Bot API on loopback) read its
content again without a restart, after `check`; a broken reload changes
nothing. `advocacy-bot broadcast` refuses an update before its date, with
`--dry-run` too."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, network_tree
from tests.fake_bot_api import FakeBotApi
from tests.web.test_serving import TOKEN, message_update, wait_for


@pytest.fixture
async def fake_api():
    server = await FakeBotApi().start()
    yield server
    await server.stop()


def environment(tmp_path: Path, content: Path, seeds: Path, base_url: str = "http://127.0.0.1:9/bot") -> dict:
    return {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url,
            "DATABASE_PATH": str(tmp_path / "data/bot.sqlite3"), "CONTENT_DIR": str(content),
            "SEEDS_DIR": str(seeds), "SUPPORTER_ID_SECRET": "s" * 32, "LOG_FORMAT": "json"}


def advocacy_bot(env: dict, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


async def greetings(fake_api: FakeBotApi, update_id: int) -> str:
    before = len([c for c in fake_api.api.calls if c.method == "sendMessage"])
    fake_api.push(message_update(update_id, "/start"))
    await wait_for(lambda: len([c for c in fake_api.api.calls if c.method == "sendMessage"]) > before)
    return [c.text for c in fake_api.api.calls if c.method == "sendMessage"][-1]


async def test_reload_reaches_the_running_bot_and_a_broken_one_changes_nothing(tmp_path, fake_api):
    content, seeds = tmp_path / "content", tmp_path / "seeds"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "seeds", seeds)
    env = environment(tmp_path, content, seeds, fake_api.base_url)
    with open(tmp_path / "bot.log", "a") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path,
                                   stdout=log, stderr=log, text=True)
    try:
        await wait_for(lambda: (tmp_path / "data/advocacy-bot.pid").exists())
        assert "a local group of Amnesty International USA" in await greetings(fake_api, 1)

        group = content / "group.yaml"
        group.write_text(group.read_text(encoding="utf-8").replace(
            "en: a local group of Amnesty International USA's Urgent Action network",
            "en: the Riverside group of Amnesty International USA's Urgent Action network"), encoding="utf-8")
        done = await asyncio.to_thread(advocacy_bot, env, tmp_path, "reload")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("content OK: 1 topic, 1 case, ")
        assert f"the running bot (pid {process.pid}) is loading it now" in done.stdout
        await wait_for(lambda: "content reloaded" in (tmp_path / "bot.log").read_text())
        assert "the Riverside group" in await greetings(fake_api, 2)

        broken = group.read_text(encoding="utf-8").replace("works_on:", "works_onn:")
        group.write_text(broken, encoding="utf-8")
        refused = await asyncio.to_thread(advocacy_bot, env, tmp_path, "reload")
        assert refused.returncode == 1
        assert "group.yaml" in refused.stderr and "unknown field 'works_onn'" in refused.stderr
        assert "the Riverside group" in await greetings(fake_api, 3)  # still the running content

        process.send_signal(signal.SIGHUP)  # as systemctl reload does, with the content still broken
        await wait_for(lambda: "content not reloaded" in (tmp_path / "bot.log").read_text())
        assert "the Riverside group" in await greetings(fake_api, 4)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(asyncio.to_thread(process.wait), 30) == 0
    finally:
        process.kill()
    assert not (tmp_path / "data/advocacy-bot.pid").exists()


def test_reload_with_no_running_bot_says_so_in_one_line(tmp_path):
    env = environment(tmp_path, ROOT / "content", ROOT / "seeds")
    result = advocacy_bot(env, tmp_path, "reload")
    assert result.returncode == 2
    assert result.stderr.startswith("error: content OK: ")
    assert result.stderr.rstrip().endswith("but no running bot was found "
                                           f"({tmp_path}/data/advocacy-bot.pid): the bot reads content when "
                                           "it starts, so start it with `advocacy-bot run`")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_broadcast_refuses_an_update_before_its_date(tmp_path, dry_run):
    content, seeds = network_tree(tmp_path / "tree")
    case = content / "campaigns/ua-101-26/campaign.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("  - date: 2026-12-20", "  - date: 2099-12-20")
                    .replace("        date: 2026-12-20", "        date: 2099-12-20"), encoding="utf-8")
    env = environment(tmp_path, content, seeds)
    result = advocacy_bot(env, tmp_path, "broadcast", "--campaign", "ua-101-26", "--update", "1", *dry_run)
    assert result.returncode == 2
    assert result.stderr.startswith("error: update 1 of UA 101.26 is dated 20 December 2099: it can be sent "
                                    "from 20 December 2099 on, not on ")
    assert result.stderr.rstrip().endswith("(nothing sent)") and result.stdout == ""


def test_organizers_preview_a_case_before_it_is_issued(tmp_path):
    content, seeds = network_tree(tmp_path / "tree")
    env = environment(tmp_path, content, seeds)
    result = advocacy_bot(env, tmp_path, "letter", "--campaign", "ua-120-26", "--target", "amina-example",
                          "--channel", "email", "--as-of", "2026-12-07")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("To: dpp@example.org\nSubject: Release Juma Sample (UA 120.26)\n")
    assert result.stderr == ("note: on 2026-12-07 supporters do not see UA 120.26 before it is issued "
                             "(10 January 2027): this is a preview\n")
    stats = advocacy_bot(env, tmp_path, "stats", "--campaign", "ua-120-26")
    assert stats.returncode == 0, stats.stderr  # organizers count it already
