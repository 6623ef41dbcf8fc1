"""Build the semantic tier in a fresh process and say what it cost; run by
test_bench_semantic.py.

Prints one JSON line: RSS (VmRSS, MB) before anything of the tier is imported,
after the model is loaded, after the tier is built, and the seconds each step
took. The FAQ entries and the lexical matcher are loaded first, so the
figures are what the tier *adds* to a bot that already has them.

    python tests/bench/semantic_probe.py CACHE_DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from bot.ask.faq_matcher import FaqMatcher
    from tests.ask.test_faq_matcher import load_faq_entries

    entries = load_faq_entries()
    FaqMatcher.build(entries)
    before = rss_mb()
    started = time.perf_counter()
    from bot.ask.semantic_matcher import SemanticTier, UseEncoder

    encoder = UseEncoder()
    loaded = time.perf_counter()
    after_load = rss_mb()
    tier = SemanticTier.build(entries, cache_dir=Path(sys.argv[1]), encoder=encoder)
    built = time.perf_counter()
    tier.rank("¿México es seguro para los refugiados?")
    print(json.dumps({
        "rss_before_mb": round(before, 1),
        "rss_after_load_mb": round(after_load, 1),
        "rss_after_build_mb": round(rss_mb(), 1),
        "load_s": round(loaded - started, 3),
        "build_s": round(built - loaded, 3),
    }), flush=True)


if __name__ == "__main__":
    main()
