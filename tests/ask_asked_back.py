"""The grid that chose round 6's answers to asked-back questions
(``_near_agree`` and ``_passage_agree`` in bot/ask/combined_matcher.py).

    .venv/bin/python -m tests.ask_asked_back

Reads every question the development sets ask back with both tiers (as
written and noisy; never the test set), with round 6's two rules turned off,
and records the signals of its fused best: its rank in the words, the
meaning and the answers' sentences, each score, the fused lead over the
second. A setting answers the questions it selects; it scores their right
answers minus four times the wrong ones (an off-topic or uncovered question
answered is wrong), summed over every set. It prints the best settings, and
for the two kept, what they answer per set (right, wrong).

Round 7 adds the cross-validation (``--held-out``): each blind-derived set
(dev_test3 to dev_test9) held out in turn, the grid's best setting chosen on
the other sets, and what it and the two kept rules answer on the held-out
set: the honest estimate of what a rule does on questions it was not chosen
on (docs/ask-evaluation.md, round 7).
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from bot.ask import combined_matcher as cm
from tests.ask.noisy_questions import variants
from tests.ask.test_faq_matcher import load_eval
from tests.ask_evaluation import DATA, build, labels

SETS = ("faq_dev_test1.yaml", "faq_dev_test2.yaml", "faq_dev_test3.yaml", "faq_dev_test4.yaml",
        "faq_dev_test5.yaml", "faq_dev_test6.yaml", "faq_dev_test7.yaml", "faq_dev_test8.yaml",
        "faq_dev_test9.yaml", "faq_eval_blind.yaml", "faq_eval.yaml", "faq_eval_fresh.yaml")
WRONG_COST = 4


def rank(voice: np.ndarray, best: int) -> int:
    return int((voice > voice[best]).sum())


class Decided(NamedTuple):
    """A development question both tiers decided, and what each voice said."""

    set: str
    noisy: bool
    item: dict
    asked: cm.Asked
    text: str
    scores: np.ndarray  # the words'
    passages: np.ndarray  # the answers' sentences'
    order: np.ndarray  # the fused ranking
    fused: np.ndarray
    semantic: np.ndarray  # the meaning's


def each_decided(matcher, tier, outcome: str) -> Iterator[Decided]:
    """Every question of the development sets (as written and noisy) that
    both tiers decide with ``outcome``, with the three voices' scores."""
    for name in SETS:
        items = load_eval(DATA / name)
        for noisy, questions in ((False, items), (True, variants(items))):
            for item in questions:
                fallback = item.get("lang") if item.get("lang") in ("en", "es") else None
                asked = cm.ask(matcher, tier, item["q"], fallback)
                if asked.outcome != outcome or asked.tier != "both":
                    continue
                lang, text, _, scores = cm._lexical(matcher, item["q"], fallback)
                passages = matcher.passage_scores(text, lang)
                order, fused, semantic = cm._fused(matcher.ids, scores, tier.rank(text), passages)
                yield Decided(name, noisy, item, asked, text, scores, passages, order, fused, semantic)


def asked_back(matcher, tier) -> list[dict]:
    """The signals of every question asked back by both tiers, round 6's rules off."""
    rows = []
    near, passage = cm._near_agree, cm._passage_agree
    cm._near_agree = cm._passage_agree = lambda *args: False
    try:
        for d in each_decided(matcher, tier, "asked_back"):
            best = d.order[0]
            rows.append({
                "set": d.set, "noisy": d.noisy, "right": matcher.ids[best] in labels(d.item),
                "lex": d.scores[best], "sem": d.semantic[best], "pas": d.passages[best],
                "lexrank": rank(d.scores, best), "semrank": rank(d.semantic, best),
                "pasrank": rank(d.passages, best), "lead": d.fused[best] - d.fused[d.order[1]],
            })
    finally:
        cm._near_agree, cm._passage_agree = near, passage
    return rows


def tally(rows: list[dict]) -> tuple[int, int, int]:
    right = sum(row["right"] for row in rows)
    return right - WRONG_COST * (len(rows) - right), right, len(rows) - right


HELD_OUT = ("faq_dev_test3.yaml", "faq_dev_test4.yaml", "faq_dev_test5.yaml", "faq_dev_test6.yaml",
            "faq_dev_test7.yaml", "faq_dev_test8.yaml", "faq_dev_test9.yaml")


def grid(rows: list[dict]) -> list[tuple]:
    """Every setting scored on ``rows``, best first."""
    settings = []
    for lexrank, semrank, pasrank in itertools.product((0, 1, 99), repeat=3):
        for lex, sem, lead in itertools.product(np.arange(0.2, 0.6, 0.04), np.arange(0.4, 0.9, 0.03),
                                                (0.0, 0.03, 0.06, 0.09)):
            setting = (lexrank, semrank, pasrank, round(float(lex), 2), round(float(sem), 2), lead)
            settings.append((tally(select(rows, setting)), *setting))
    settings.sort(key=lambda g: g[0][0], reverse=True)
    return settings


def select(rows: list[dict], setting: tuple) -> list[dict]:
    lexrank, semrank, pasrank, lex, sem, lead = setting
    return [r for r in rows if r["lexrank"] <= lexrank and r["semrank"] <= semrank and r["pasrank"] <= pasrank
            and r["lex"] >= lex and r["sem"] >= sem and r["lead"] >= lead]


KEPT = {
    "near_agree": lambda r: (r["semrank"] == 0 and r["lexrank"] <= 1 and r["lex"] >= cm.ANSWER_LEXICAL
                             and r["sem"] >= cm.NEAR_SEMANTIC and r["lead"] >= cm.NEAR_MARGIN),
    "passage_agree": lambda r: (r["semrank"] == 0 and r["pasrank"] == 0 and r["lexrank"] <= 1
                                and r["lex"] >= cm.ALL_AGREE_LEXICAL
                                and r["sem"] >= cm.PASSAGE_AGREE_SEMANTIC
                                and r["pas"] >= cm.PASSAGE_AGREE_PASSAGE),
}


def cross_validate(rows: list[dict]) -> None:
    """Each of ``HELD_OUT`` held out in turn: chosen on the others, checked on it."""
    for held in HELD_OUT:
        train = [r for r in rows if r["set"] != held]
        test = [r for r in rows if r["set"] == held]
        best = grid(train)[0]
        print(held, "chosen", best[1:], "on the others", best[0], "held out (score, right, wrong)",
              tally(select(test, best[1:])))
        for name, rule in KEPT.items():
            print("   ", name, "on the others", tally([r for r in train if rule(r)]),
                  "held out", tally([r for r in test if rule(r)]))


def main() -> None:
    matcher, tier = build(False)
    rows = asked_back(matcher, tier)
    if "--held-out" in sys.argv[1:]:
        cross_validate(rows)
        return
    print(f"{len(rows)} asked back, {sum(r['right'] for r in rows)} with a right entry on top")
    grid = []
    for lexrank, semrank, pasrank in itertools.product((0, 1, 99), repeat=3):
        for lex, sem, lead in itertools.product(np.arange(0.2, 0.6, 0.04), np.arange(0.4, 0.9, 0.03),
                                                (0.0, 0.03, 0.06, 0.09)):
            chosen = [r for r in rows if r["lexrank"] <= lexrank and r["semrank"] <= semrank
                      and r["pasrank"] <= pasrank and r["lex"] >= lex and r["sem"] >= sem
                      and r["lead"] >= lead]
            grid.append((tally(chosen), lexrank, semrank, pasrank, round(lex, 2), round(sem, 2), lead))
    grid.sort(key=lambda g: g[0][0], reverse=True)
    print("score (right - 4 wrong, right, wrong), lexical rank <=, semantic rank <=, passage rank <=, "
          "lexical >=, semantic >=, fused lead >=")
    for setting in grid[:10]:
        print(setting)
    for name, rule in KEPT.items():
        per_set: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            if rule(row):
                per_set[f"{row['set']}{' noisy' if row['noisy'] else ''}"][0 if row["right"] else 1] += 1
        print(name, tally([r for r in rows if rule(r)]), dict(sorted(per_set.items())))


if __name__ == "__main__":
    main()
