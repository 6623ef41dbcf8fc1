"""The grid that chose the combined matcher's numbers (bot/ask/combined_matcher.py).

    .venv/bin/python -m tests.ask_calibration

Scores every setting of the fusion weight, the answer margin and the bars on
the development sets only: tests/data/faq_eval_blind.yaml (the development
set), faq_eval.yaml and faq_eval_fresh.yaml (written and tuned on before),
and the noisy variants of all three (tests/ask/noisy_questions.py). A setting
is kept when, on the development set, on its noisy variants and on the three
sets together, at most 2% of on-topic questions are answered wrongly and at
least 95% of off-topic questions are not answered; among those, the most
questions answered right wins, ties to the stricter setting. Never run on
the test set.
"""

from __future__ import annotations

import itertools

import numpy as np

from bot.ask import combined_matcher as cm
from bot.ask.question_kind import kind_of
from tests.ask.noisy_questions import variants
from tests.ask.test_faq_matcher import load_eval
from tests.ask_evaluation import DATA, build, labels

SETS = ("faq_eval_blind.yaml", "faq_eval.yaml", "faq_eval_fresh.yaml")
WEIGHTS = (0.1, 0.15, 0.2)
MARGINS = tuple(np.round(np.arange(0.04, 0.14, 0.02), 2))
LEXICAL_BARS = tuple(np.round(np.arange(0.35, 0.61, 0.05), 2))
SEMANTIC_BARS = tuple(np.round(np.arange(0.50, 0.95, 0.02), 2))  # e5 sits higher than USE
BOTH_LEXICAL = (0.0, 0.1, 0.15, 0.2, 0.25)


_RANKS: dict[str, list] = {}


def features(matcher, tier, items, weight):
    """Per question (kind rules aside): margin, lexical and semantic score of
    the fused best, whether it is right, whether it is off-topic."""
    rows = []
    for item in items:
        text = item["q"]
        if kind_of(text) is not None:
            continue
        lang = matcher.language_of(text, item["lang"])
        first, scores = matcher.scored(text, lang)
        if scores is None:
            continue
        if text not in _RANKS:
            _RANKS[text] = tier.rank(text)
        cm.FUSION_WEIGHT = weight
        order, fused, semantic = cm._fused(matcher.ids, scores, _RANKS[text])
        best, second = order[0], order[1]
        expected = labels(item)
        rows.append((fused[best] - fused[second], scores[best], semantic[best],
                     matcher.ids[best] in expected, not expected))
    return np.array(rows, dtype=float)


def main(tier=None) -> list:
    """Print and return the best settings; ``tier`` another model's (tests/bench/compare_models.py)."""
    matcher, default_tier = build(tier is not None)
    tier = tier or default_tier
    _RANKS.clear()
    groups = {}
    for name in SETS:
        items = load_eval(DATA / name)
        groups[name] = items
        groups[name + " noisy"] = variants(items)
    results = []
    for weight in WEIGHTS:
        table = {name: features(matcher, tier, items, weight) for name, items in groups.items()}
        table["all"] = np.vstack(list(table.values()))
        for margin, lex_bar, sem_bar, both in itertools.product(MARGINS, LEXICAL_BARS, SEMANTIC_BARS,
                                                                  BOTH_LEXICAL):
            ok, right = True, 0
            for name in ("faq_eval_blind.yaml", "faq_eval_blind.yaml noisy", "all"):
                rows = table[name]
                sure = (rows[:, 1] >= lex_bar) | ((rows[:, 2] >= sem_bar) & (rows[:, 1] >= both))
                answered = (rows[:, 0] >= margin) & sure
                on, off = rows[:, 4] == 0, rows[:, 4] == 1
                wrong = (answered & on & (rows[:, 3] == 0)).sum() / on.sum()
                off_ok = (~answered & off).sum() / off.sum()
                ok &= wrong <= 0.02 and off_ok >= 0.95
                if name == "all":
                    right = (answered & on & (rows[:, 3] == 1)).sum() / on.sum()
            if ok:
                results.append((round(right * 100, 1), margin, lex_bar, sem_bar, both, weight))
    results.sort(key=lambda r: (-r[0], -r[1], -r[2], -r[3], -r[4]))
    print("right% margin lexical semantic semantic-needs-lexical weight")
    for row in results[:10]:
        print(*row)
    return results


if __name__ == "__main__":
    main()
