"""Score the FAQ matcher on an evaluation set, the way the chat decides.

    .venv/bin/python -m tests.ask_evaluation [SET ...] [--lexical] [--noisy] [--misses]

SET is a file in tests/data/ (default: the development sets,
faq_eval_blind.yaml, faq_dev_test1.yaml, faq_dev_test2.yaml,
faq_dev_test3.yaml, faq_dev_test4.yaml, faq_dev_test5.yaml,
faq_dev_test6.yaml, faq_dev_test7.yaml, faq_dev_test8.yaml and
faq_dev_test9.yaml, the first nine test sets since each was scored once).
Each item has ``q``, ``lang`` and either ``id`` (one entry, or null for
off-topic) or ``ids`` (every entry whose *answer* answers it; empty for
off-topic); ``kind: personal`` marks a person's own legal
situation. The four figures (docs/ask-evaluation.md):

* right first: answered with an entry that answers it;
* right first or offered: that, or asked back with such an entry among the
  buttons;
* wrong: answered with an entry that does not answer it (the failure to avoid);
* off-topic not answered: declined or asked back;

plus, on personal situations, the share answered with legal-help first.
An item marked ``uncovered: true`` is on-topic but no entry answers it: it
counts as on-topic with no right entry (any answer to it is wrong).
``--noisy`` scores the set's noisy variants (tests/ask/noisy_questions.py)
instead. The semantic tier is the default model; ``--lexical`` scores the
lexical tier alone (the bot while the model loads).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.ask.combined_matcher import Asked, ask
from bot.ask.faq_matcher import FaqMatcher
from tests.ask.test_faq_matcher import EVAL_FILE, load_eval, load_faq_answers, load_faq_entries

DATA = EVAL_FILE.parent
DEV_SET = DATA / "faq_eval_blind.yaml"
# Test set 1, scored once at the last stop; tuned on since (a development set).
DEV_TEST1 = DATA / "faq_dev_test1.yaml"
# Test set 2, scored once at 28205aa; tuned on since round 3 (a development set).
DEV_TEST2 = DATA / "faq_dev_test2.yaml"
# Test set 3, scored once at eabe036; tuned on since round 4 (a development set).
DEV_TEST3 = DATA / "faq_dev_test3.yaml"
# Test set 4, scored once at cc4b55e; tuned on since round 5 (a development set).
DEV_TEST4 = DATA / "faq_dev_test4.yaml"
# Test set 5, scored once at 16dbc23; tuned on since round 6 (a development set).
DEV_TEST5 = DATA / "faq_dev_test5.yaml"
# Test set 6, scored once at 8659f6f; tuned on since round 7 (a development set).
DEV_TEST6 = DATA / "faq_dev_test6.yaml"
# Test set 7, scored once at 9a35513; tuned on since round 8 (a development set).
DEV_TEST7 = DATA / "faq_dev_test7.yaml"
# Test set 8, scored once at ae7238c; tuned on since round 9 (a development set).
DEV_TEST8 = DATA / "faq_dev_test8.yaml"
# Test set 9, scored once at b982815; tuned on since round 10 (a development set).
DEV_TEST9 = DATA / "faq_dev_test9.yaml"
DEV_SETS = (DEV_SET, DEV_TEST1, DEV_TEST2, DEV_TEST3, DEV_TEST4, DEV_TEST5, DEV_TEST6, DEV_TEST7,
            DEV_TEST8, DEV_TEST9)
# The current test set: scored once, when tuning is over; never tuned on.
TEST_SET = DATA / "faq_test.yaml"
PERSONAL_KINDS = {"personal", "personal_situation"}


def labels(item: dict) -> set[str]:
    """The entries whose answer answers an item (empty: off-topic)."""
    if "ids" in item:
        return set(item["ids"] or ())
    return set() if item.get("id") is None else {item["id"]}


@dataclass
class Figures:
    on_topic: int = 0
    off_topic: int = 0
    right: int = 0
    wrong: int = 0
    right_or_offered: int = 0
    off_not_answered: int = 0
    personal: int = 0
    personal_legal_first: int = 0
    uncovered: int = 0  # on-topic, but no entry answers it: any answer is wrong
    uncovered_answered: int = 0
    outcomes: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def pct(self, part: int, whole: int) -> float:
        return round(100 * part / whole, 1) if whole else float("nan")

    def as_dict(self) -> dict:
        return {
            "questions": self.on_topic + self.off_topic, "on_topic": self.on_topic,
            "off_topic": self.off_topic,
            "right_first_pct": self.pct(self.right, self.on_topic),
            "right_first_or_offered_pct": self.pct(self.right_or_offered, self.on_topic),
            "wrong_pct": self.pct(self.wrong, self.on_topic),
            "off_topic_not_answered_pct": self.pct(self.off_not_answered, self.off_topic),
            "personal": self.personal,
            "personal_legal_help_first_pct": self.pct(self.personal_legal_first, self.personal),
            "uncovered": self.uncovered, "uncovered_answered": self.uncovered_answered,
            "outcomes": dict(self.outcomes),
        }

    def summary(self) -> str:
        d = self.as_dict()
        return (f"{d['questions']} questions: right first {d['right_first_pct']}% / right first or offered "
                f"{d['right_first_or_offered_pct']}% / wrong {d['wrong_pct']}% / off-topic not answered "
                f"{d['off_topic_not_answered_pct']}% / personal → legal-help first "
                f"{d['personal_legal_help_first_pct']}% of {d['personal']}; {d['uncovered']} uncovered "
                f"({d['uncovered_answered']} answered); outcomes {d['outcomes']}")


def score(matcher: FaqMatcher, tier, items: list[dict]) -> Figures:
    figures = Figures()
    for item in items:
        fallback = item.get("lang") if item.get("lang") in ("en", "es") else None  # "mixed": let it tell
        asked: Asked = ask(matcher, tier, item["q"], fallback)
        figures.outcomes[asked.outcome] += 1
        expected = labels(item)
        shown = f"{item['q']!r}: expected {sorted(expected) or 'none'}, {asked.outcome} {asked.match.id} " \
                f"offered {list(asked.offered)}"
        answered = asked.match.id
        if item.get("kind") in PERSONAL_KINDS:
            figures.personal += 1
            figures.personal_legal_first += answered == "legal-help"
        if item.get("uncovered"):
            figures.on_topic += 1
            figures.uncovered += 1
            if answered is not None:
                figures.wrong += 1
                figures.uncovered_answered += 1
                figures.misses.append(f"WRONG (uncovered) {shown}")
            else:
                figures.misses.append(f"UNCOVERED {shown}")
            continue
        if not expected:
            figures.off_topic += 1
            if answered is None:
                figures.off_not_answered += 1
            else:
                figures.misses.append(f"ANSWERED OFF-TOPIC {shown}")
            continue
        figures.on_topic += 1
        if answered in expected:
            figures.right += 1
            figures.right_or_offered += 1
        elif answered is not None:
            figures.wrong += 1
            figures.misses.append(f"WRONG    {shown}")
        elif expected & set(asked.offered):
            figures.right_or_offered += 1
        else:
            figures.misses.append(f"MISSED   {shown}")
    return figures


def build(lexical_only: bool):
    """The lexical matcher, and the default semantic tier unless ``lexical_only``."""
    from bot.ask.semantic_matcher import SemanticTier

    entries = load_faq_entries()
    matcher = FaqMatcher.build(entries, answers=load_faq_answers())
    if lexical_only:
        return matcher, None
    cache = Path(tempfile.gettempdir()) / "advocacy-bot-eval-cache"
    return matcher, SemanticTier.build(entries, cache_dir=cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=[path.name for path in DEV_SETS])
    parser.add_argument("--lexical", action="store_true")
    parser.add_argument("--noisy", action="store_true")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    from tests.ask.noisy_questions import variants

    matcher, tier = build(args.lexical)
    for name in args.sets:
        items = load_eval(DATA / name)
        if args.noisy:
            items = variants(items)
        figures = score(matcher, tier, items)
        tiers = "lexical alone" if args.lexical else "both tiers"
        print(f"{name}{' (noisy)' if args.noisy else ''}, {tiers}: {figures.summary()}")
        if args.misses:
            print("\n".join(figures.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
