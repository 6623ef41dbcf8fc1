"""The sweep that chose the combined matcher's semantic threshold, margin,
best-phrasing weight, agreement bars and suggestion floor, and the figures
they are reported with.

    .venv/bin/python -m tests.semantic_calibration

Calibrates on the even-numbered items of tests/data/faq_eval.yaml only, then
prints right / wrong / off-topic declined / top-3 for the lexical tier alone,
the semantic tier alone and the two combined, on the calibration half, the
held-out odd half, tests/data/faq_eval_fresh.yaml and
tests/data/faq_eval_blind.yaml. The procedure is described in
bot/ask/combined_matcher.py. Needs the 'semantic' extra.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.ask.combined_matcher import (
    AGREE_LEXICAL,
    AGREE_SEMANTIC,
    SEMANTIC_MARGIN,
    SEMANTIC_THRESHOLD,
    SUGGESTION_FLOOR,
    combine,
)
from bot.ask.faq_matcher import FaqMatcher, Match
from bot.ask.semantic_matcher import BEST_PHRASING_WEIGHT, SemanticTier, UseEncoder
from tests.ask.test_faq_matcher import EVAL_FILE, Scores, evaluate, load_eval, load_faq_entries

WEIGHTS = [w / 10 for w in range(11)]
MARGINS = [m / 100 for m in range(11)]
MAX_WRONG = 1  # on-topic calibration questions the semantic tier alone may get wrong


@dataclass(frozen=True)
class Choice:
    weight: float
    threshold: float
    margin: float
    right: int
    wrong: int


class SemanticAlone:
    """The semantic tier's gate as if the lexical tier had declined everything."""

    def __init__(self, tier: SemanticTier) -> None:
        self.tier = tier

    def match(self, question: str, lang: str | None = None) -> Match:
        return combine(Match(None, 0.0, ()), self.tier, question)


class Combined:
    """What the chat will do: the lexical match, then ``combine``."""

    def __init__(self, lexical: FaqMatcher, tier: SemanticTier) -> None:
        self.lexical, self.tier = lexical, tier

    def match(self, question: str, lang: str | None = None) -> Match:
        return combine(self.lexical.match(question, lang), self.tier, question)


class _Noting:
    """A tier that notes whether it was asked (to tell which greetings reach it)."""

    def __init__(self) -> None:
        self.asked = False

    def rank(self, question: str) -> list[tuple[str, float]]:
        self.asked = True
        return []


def reaches_tier(text: str) -> bool:
    noting = _Noting()
    combine(Match(None, 0.0, ("x",)), noting, text)
    return noting.asked


def calibration_items() -> list[dict]:
    return load_eval()[0::2]


def sweep(tiers: dict[float, SemanticTier], items: list[dict]) -> list[Choice]:
    """Per weight: threshold above every off-topic question, then the margin
    answering most right with at most ``MAX_WRONG`` wrong (ties: wider)."""
    choices = []
    for weight, tier in tiers.items():
        ranked = [(item["id"], tier.rank(item["q"])) for item in items]
        off_topic_best = max(r[0][1] for expected, r in ranked if expected is None)
        threshold = math.floor(off_topic_best * 100 + 1) / 100
        best: Choice | None = None
        for margin in MARGINS:
            right = wrong = 0
            for expected, r in ranked:
                if expected is None or r[0][1] < threshold or r[0][1] - r[1][1] < margin:
                    continue
                right += r[0][0] == expected
                wrong += r[0][0] != expected
            if wrong <= MAX_WRONG and (best is None or right >= best.right):
                best = Choice(weight, threshold, margin, right, wrong)
        if best is not None:
            choices.append(best)
    return choices


def lowest_right_suggestion(tier: SemanticTier, items: list[dict]) -> float:
    """The lowest similarity of a right entry that the semantic tier ranks in
    its top three (what SUGGESTION_FLOOR must stay below)."""
    lowest = 1.0
    for item in items:
        if item["id"] is None:
            continue
        top = tier.rank(item["q"])[:3]
        lowest = min([lowest] + [score for entry_id, score in top if entry_id == item["id"]])
    return lowest


def agreement_bars(lexical: FaqMatcher, tier: SemanticTier, items: list[dict]) -> tuple[float, float]:
    """(lexical bar, semantic bar), on 0.05 steps: the most permissive pair
    (lowest sum; ties to the higher semantic bar) under which no off-topic
    question is answered by the two tiers agreeing and at most one on-topic
    question wrongly, scored as if the lexical tier had declined them all.
    Like the semantic threshold, the lowest bars that keep every off-topic
    calibration question out: the calibration half's on-topic questions score
    high on both tiers whatever the bars, so they cannot choose them."""
    firsts = []
    for item in items:
        scores = lexical.entry_scores(item["q"], item["lang"])
        ranked = tier.rank(item["q"])
        if scores and ranked:
            top = lexical.ids[max(range(len(scores)), key=scores.__getitem__)]
            if top == ranked[0][0]:
                firsts.append((item["id"], top, max(scores), ranked[0][1]))
    for expected, _, lexical_score, similarity in firsts:
        if expected is None:
            print(f"  off-topic, both tiers agree: lexical {lexical_score:.3f} semantic {similarity:.3f}")
    best: tuple[float, float] | None = None
    for lexical_bar in [b / 20 for b in range(3, 10)]:
        for semantic_bar in [b / 20 for b in range(8, 14)]:
            passing = [(e, top) for e, top, lx, sm in firsts if lx >= lexical_bar and sm >= semantic_bar]
            if any(e is None for e, _ in passing) or sum(e != top for e, top in passing) > 1:
                continue
            if best is None or (-(lexical_bar + semantic_bar), semantic_bar) > (-sum(best), best[1]):
                best = (lexical_bar, semantic_bar)
    assert best is not None
    return best


GREETINGS = ("hola", "hi", "gracias", "ok", "hello", "thanks", "buenas tardes", "good morning",
             "asdfgh qwerty", "ok gracias", "jaja", "lol", "yes", "no", "sí", "bye", "adiós")


def report(name: str, scores: Scores) -> str:
    return f"  {name:<22} {scores.summary()}"


def main() -> None:
    entries = load_faq_entries()
    encoder = UseEncoder()
    with tempfile.TemporaryDirectory() as cache:
        tiers = {w: SemanticTier.build(entries, cache_dir=Path(cache), encoder=encoder,
                                       best_phrasing_weight=w) for w in WEIGHTS}
    items = calibration_items()
    choices = sweep(tiers, items)
    print("per weight (semantic tier alone, calibration half):")
    for c in choices:
        print(f"  weight {c.weight:.1f}: threshold {c.threshold:.2f} margin {c.margin:.2f} "
              f"right {c.right} wrong {c.wrong}")
    chosen = max(choices, key=lambda c: (c.right, c.threshold, -abs(c.weight - 0.5)))
    print(f"chosen: weight {chosen.weight} threshold {chosen.threshold} margin {chosen.margin}")
    in_use = (BEST_PHRASING_WEIGHT, SEMANTIC_THRESHOLD, SEMANTIC_MARGIN)
    print(f"in bot/: weight {in_use[0]} threshold {in_use[1]} margin {in_use[2]}")
    tier = tiers[BEST_PHRASING_WEIGHT]
    print(f"lowest right-entry similarity in the semantic top 3: {lowest_right_suggestion(tier, items):.3f}")
    reaching = [(g, tier.rank(g)[0][1]) for g in GREETINGS if reaches_tier(g)]
    print("greetings and mashes that reach the tier, best similarity: "
          + ", ".join(f"{g!r} {s:.3f}" for g, s in reaching))
    print(f"in bot/: suggestion floor {SUGGESTION_FLOOR}")

    lexical = FaqMatcher.build(entries)
    bars = agreement_bars(lexical, tier, items)
    print(f"agreement bars: lexical {bars[0]:.2f} semantic {bars[1]:.2f}; "
          f"in bot/: lexical {AGREE_LEXICAL} semantic {AGREE_SEMANTIC}")
    sets = {
        "calibration (even)": items,
        "held-out (odd)": load_eval()[1::2],
        "faq_eval_fresh": load_eval(EVAL_FILE.with_name("faq_eval_fresh.yaml")),
        "faq_eval_blind": load_eval(EVAL_FILE.with_name("faq_eval_blind.yaml")),
    }
    for label, matcher in (("lexical alone", lexical), ("semantic alone", SemanticAlone(tier)),
                           ("combined", Combined(lexical, tier))):
        print(label)
        for name, subset in sets.items():
            print(report(name, evaluate(matcher, subset)))


if __name__ == "__main__":
    main()
