"""The grid that chose round 9's guard on answers (``_detail_unsupported``
in bot/ask/combined_matcher.py): which answered questions to ask back.

    .venv/bin/python -m tests.ask_wrong_guard [--held-out]

Reads every question the development sets answer with both tiers (as
written and noisy; never the test set), with round 9's guard turned off, and
records the signals of the entry answered: whether the question asks for a
detail (``asks_detail``), the rank its answer's sentences give it, its
lexical score, the meaning's lead over its next entry. A setting asks back
the answered questions it selects; it scores the wrong answers it turns
into asked-back questions times four minus the right answers it loses,
summed over every set. It prints the best settings, with the question kind
required and without it (the rule for every answered question, dropped in
round 9: docs/ask-evaluation.md).

``--held-out``: each blind-derived set (dev_test3 to dev_test9) held out in
turn, the grid's best setting chosen on the other sets, and what it does on
the held-out set, as written and noisy: the honest estimate. The grid with
the question kind and the grid without it are cross-validated apart.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np

from bot.ask import combined_matcher as cm
from bot.ask.question_kind import asks_detail
from tests.ask_asked_back import HELD_OUT, WRONG_COST, each_decided
from tests.ask_evaluation import build, labels


def answered(matcher, tier) -> list[dict]:
    """The signals of every question answered by both tiers, round 9's guard off."""
    rows = []
    guard = cm._detail_unsupported
    cm._detail_unsupported = lambda *args: False
    try:
        for d in each_decided(matcher, tier, "answered"):
            best = matcher.ids.index(d.asked.match.id)
            others = np.delete(d.semantic, best)
            rows.append({
                "set": d.set, "noisy": d.noisy, "q": d.item["q"],
                "right": d.asked.match.id in labels(d.item) and not d.item.get("uncovered"),
                "detail": asks_detail(d.text), "pasrank": int((d.passages > d.passages[best]).sum()),
                "lex": float(d.scores[best]), "semlead": float(d.semantic[best] - others.max()),
            })
    finally:
        cm._detail_unsupported = guard
    return rows


def tally(rows: list[dict]) -> tuple[int, int, int]:
    """(score, wrong answers asked back, right answers lost)."""
    wrong = sum(not row["right"] for row in rows)
    lost = len(rows) - wrong
    return WRONG_COST * wrong - lost, wrong, lost


def select(rows: list[dict], setting: tuple) -> list[dict]:
    detail, pasrank, lex, semlead = setting
    return [r for r in rows if (r["detail"] or not detail) and r["pasrank"] >= pasrank and r["lex"] < lex
            and r["semlead"] < semlead]


def grid(rows: list[dict], detail: bool) -> list[tuple]:
    """Every setting scored on ``rows``, best first."""
    settings = []
    for pasrank, lex, semlead in itertools.product((0, 1, 2, 3, 4, 5, 8), (0.55, 0.6, 0.65, 0.7, 0.8, 1.1),
                                                   (0.0, 0.03, 0.05, 0.07, 0.1, 0.15, 9.0)):
        setting = (detail, pasrank, lex, semlead)
        settings.append((tally(select(rows, setting)), *setting))
    settings.sort(key=lambda g: g[0][0], reverse=True)
    return settings


KEPT = (True, cm.DETAIL_PASSAGE_RANK, cm.DETAIL_LEXICAL, cm.DETAIL_SEMANTIC_LEAD)


def cross_validate(rows: list[dict]) -> None:
    """Each of ``HELD_OUT`` held out in turn: chosen on the others, checked on it."""
    for detail in (True, False):
        total, written = np.zeros(3, int), np.zeros(3, int)
        print("the question asks for a detail" if detail else "any answered question")
        for held in HELD_OUT:
            train = [r for r in rows if r["set"] != held]
            test = [r for r in rows if r["set"] == held]
            best = grid(train, detail)[0]
            on_held, on_written = tally(select(test, best[1:])), tally(select(
                [r for r in test if not r["noisy"]], best[1:]))
            total += on_held
            written += on_written
            print("   ", held, "chosen", best[1:], "on the others", best[0],
                  "held out (score, wrong asked back, right lost)", on_held, "as written", on_written)
        print("    held out in all", tuple(map(int, total)), "as written", tuple(map(int, written)))
    print("kept", KEPT, "on each held-out set:",
          {held: tally(select([r for r in rows if r["set"] == held], KEPT)) for held in HELD_OUT})


def main() -> None:
    matcher, tier = build(False)
    rows = answered(matcher, tier)
    if "--held-out" in sys.argv[1:]:
        cross_validate(rows)
        return
    print(f"{len(rows)} answered, {sum(r['right'] for r in rows)} right")
    print("score (4 x wrong asked back - right lost, wrong, lost), asks a detail, passage rank >=, "
          "lexical <, semantic lead <")
    for detail in (True, False):
        for setting in grid(rows, detail)[:5]:
            print(setting)
    print("kept", KEPT, tally(select(rows, KEPT)))


if __name__ == "__main__":
    main()
