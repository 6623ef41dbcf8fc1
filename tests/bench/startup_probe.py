"""Start the bot the way `advocacy-bot run` does, in a fresh process, and say
when it is ready; run by test_bench_startup.py.

Ready means: settings read, content loaded and validated (every quote checked
against seeds/), the FAQ matcher built, the appeal templates compiled, the
Application built and initialised, the database opened and migrated. Only
the network is missing (the in-memory Bot API stands in for Telegram).

Prints one JSON line: {"ready": true, "rss_hwm_mb": ...} when ready; with
--semantic it then builds the FAQ's semantic tier (the default install) and
prints {"rss_idle_semantic_mb": ...}; with
--mix it then feeds the full-stack mixed stream (stack.py) and prints
{"rss_after_mix_mb": ..., "updates": ...}. Peak RSS is VmHWM from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def start(database: Path) -> None:
    from bot.bot_api.transport import InMemoryBotAPI
    from bot.chat.app import build_application
    from bot.core.config import load_settings
    from bot.runtime import load_services

    root = Path(__file__).resolve().parents[2]
    settings = load_settings({"DATABASE_PATH": str(database), "CONTENT_DIR": str(root / "content"),
                              "SEEDS_DIR": str(root / "seeds"), "LOG_LEVEL": "WARNING"}, dotenv=None)
    services = load_services(settings)
    application = build_application(services, request=InMemoryBotAPI())
    await services.ensure_store()  # what post_init does under run_polling
    await application.initialize()
    print(json.dumps({"ready": True, "rss_hwm_mb": round(peak_rss_mb(), 1)}), flush=True)
    if "--semantic" in sys.argv:  # then the FAQ's semantic tier, as post_init starts it
        services.semantic_cache = database.parent / "semantic-cache"
        services.start_semantic_tier()
        await asyncio.wrap_future(services.semantic)
        print(json.dumps({"rss_idle_semantic_mb": round(peak_rss_mb(), 1)}), flush=True)
    await application.shutdown()
    await services.store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(start(Path(tmp) / "startup.sqlite3"))
        if "--mix" in sys.argv:
            from tests.bench.stack import run_ours

            result, recorded, _ = asyncio.run(run_ours(Path(tmp) / "mix.sqlite3"))
            del recorded
            print(json.dumps({"rss_after_mix_mb": round(peak_rss_mb(), 1), "updates": result.updates}),
                  flush=True)
    os._exit(0)  # skip interpreter teardown: not part of what is measured


if __name__ == "__main__":
    main()
