"""`advocacy-bot announce` and the sign-ups in `advocacy-bot stats`: the dry
run's preview and count, the one-line refusal before a case is issued, a run
that sends through the broadcast engine and, run again, sends nobody twice."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from telegram import Bot

from bot.bot_api.transport import InMemoryBotAPI
from bot.broadcast_command import run_announce_command
from bot.broadcasts.engine import DeliveryPolicy
from bot.catalog import load_catalog
from bot.store import open_store
from tests.chat.test_signup import signup_tree
from tests.conftest import ROOT
from tests.store.test_store import key


def run(tmp_path, *args, extra_env: dict) -> subprocess.CompletedProcess:
    """`advocacy-bot ARGS` on `extra_env`'s CONTENT_DIR (tests/cli/test_cli.py's `run` fixes it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DASHBOARD_TOKEN")}
    env.update(SEEDS_DIR=str(ROOT / "seeds"), DATABASE_PATH=str(tmp_path / "data/bot.sqlite3"), **extra_env)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def tree_issued_on(tmp_path, issued: date):
    """The sign-up test tree with its fictional case issued on `issued`, open 30 days after."""
    content = signup_tree(tmp_path)
    case = content / "campaigns" / "test-ua-777-77" / "campaign.yaml"
    deadline = issued + timedelta(days=30)
    case.write_text(case.read_text(encoding="utf-8")
                    .replace("issued: 2018-09-20", f"issued: {issued.isoformat()}")
                    .replace("deadline: 2018-10-20", f"deadline: {deadline.isoformat()}"), encoding="utf-8")
    return content


def sign_up_three(path) -> None:
    async def write():
        async with await open_store(path) as store:
            await store.set_signup(1, key(1), "en", ["all"])
            await store.set_signup(2, key(2), "es", ["topic:test-free-press"])
            await store.set_signup(3, key(3), "en", ["region:americas"])

    asyncio.run(write())


def test_announce_dry_run_refusal_before_issued_and_stats(tmp_path):
    today = datetime.now(UTC).date()
    content = tree_issued_on(tmp_path, today)
    sign_up_three(tmp_path / "data/bot.sqlite3")
    env = {"CONTENT_DIR": str(content)}
    result = run(tmp_path, "announce", "--campaign", "test-ua-777-77", "--dry-run", extra_env=env)
    assert result.returncode == 0, result.stderr
    assert "--- en ---\n🆕 *New Urgent Action: UA 777.77*" in result.stdout
    assert "--- es ---\n🆕 *Nueva Acción Urgente: UA 777.77*" in result.stdout
    assert result.stdout.endswith(
        "Would announce UA 777.77 to 2 signed up for it (nothing sent: --dry-run).\n")
    refused = run(tmp_path, "announce", "--campaign", "test-ua-777-77", extra_env=env)
    assert (refused.returncode, refused.stderr) == (
        2, "error: TELEGRAM_BOT_TOKEN is not set (needed to send; --dry-run works without)\n")

    later = today + timedelta(days=10)
    env = {"CONTENT_DIR": str(tree_issued_on(tmp_path / "later", later))}
    early = run(tmp_path, "announce", "--campaign", "test-ua-777-77", "--dry-run", extra_env=env)
    day = f"{later.day} {later:%B} {later.year}"
    assert (early.returncode, early.stdout, early.stderr) == (
        2, "", f"error: UA 777.77 cannot be announced before it is issued: it can go from {day}.\n")

    stats = json.loads(run(tmp_path, "stats", "--json", extra_env=env).stdout)
    assert stats["signups"]["people"] == 3
    assert stats["signups"]["by_choice"]["topic:test-free-press"] == {
        "name": "Free press in Testland (fictional)", "people": 1}
    assert stats["signups"]["by_choice"]["region:africa"] == {"name": "Africa", "people": 0}
    table = run(tmp_path, "stats", extra_env=env).stdout
    assert "Signed up for new cases:      3  (one may choose several below)\n" in table
    rows = {line.split("  ")[1]: line.split()[-1] for line in table.splitlines()[-8:]}
    assert rows == {"all new cases": "1", "Safe third country: the US–Mexico talks and US asylum policy": "0",
                    "Free press in Testland (fictional)": "1", "Africa": "0", "Americas": "1",
                    "Asia and the Pacific": "0", "Europe and Central Asia": "0",
                    "Middle East and North Africa": "0"}


async def test_announce_sends_once_and_run_again_sends_nobody_twice(tmp_path, store):
    catalog = load_catalog(tree_issued_on(tmp_path, date(2018, 9, 20)), ROOT / "seeds")
    for chat, lang, choices in ((1, "en", ["all"]), (2, "es", ["topic:test-free-press"]),
                                (3, "en", ["region:americas"])):
        await store.set_signup(chat, key(chat), lang, choices)
    api = InMemoryBotAPI()
    bot = Bot("1000001:in-memory", request=api)

    async def announce() -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        status = await run_announce_command(catalog, store, bot, "test-ua-777-77", today=date(2018, 9, 20),
                                            rate=None, policy=DeliveryPolicy(progress_every=60), out=out,
                                            err=err)
        assert "error" not in err.getvalue()
        return status, out.getvalue()

    assert await announce() == (0, "Announced UA 777.77: 2 sent, 0 failed, 0 blocked (unsubscribed), "
                                   "0 uncertain (in flight during a crash; not sent again).\n")
    sent = [c for c in api.calls if c.method == "sendMessage" and c.ok]
    assert sorted(c.chat_id for c in sent) == [1, 2]
    first = next(c for c in sent if c.chat_id == 2)
    assert first.text.startswith("🆕 <b>Nueva Acción Urgente: UA 777.77</b>")
    status, _ = await announce()  # the same command again: the same announcement, nobody new
    assert status == 0  # (its counts as they stand)
    assert len([c for c in api.calls if c.method == "sendMessage"]) == 2
    await store.set_signup(4, key(4), "en", ["region:africa"])  # signed up since: told, alone
    await announce()
    assert [c.chat_id for c in api.calls if c.method == "sendMessage"][2:] == [4]
