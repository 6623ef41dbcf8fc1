"""FAQ matcher: the text pipeline, the matcher's edge cases, and the acceptance
test against the held-out evaluation set tests/data/faq_eval.yaml.

The evaluation set was written without reading the FAQ phrasings. The
matcher's threshold and margin were chosen on its even-numbered items (the
calibration half, ``items[0::2]``); the odd-numbered items are the held-out
half. The acceptance test checks the targets on the whole set and prints each
half's figures so a drift shows which side it comes from.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.ask.faq_matcher import FaqMatcher, Match, answer_passages
from bot.ask.text_normalise import analyse, char_ngrams, fold, tokenise
from bot.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
EVAL_FILE = ROOT / "tests" / "data" / "faq_eval.yaml"

Entries = list[tuple[str, Mapping[str, Sequence[str]]]]


def load_faq_entries() -> Entries:
    """(id, questions) of every FAQ entry, through the real content loader."""
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    return [(entry.id, entry.questions.as_mapping()) for entry in catalog.faq.values()]


def load_faq_answers() -> dict[str, dict[str, str]]:
    """{id: {"en": answer, "es": answer}} of every FAQ entry (the matcher's passage index)."""
    from bot.ask.faq_answers import answer_texts

    return answer_texts(load_catalog(ROOT / "content", ROOT / "seeds"))


def load_eval(path: Path = EVAL_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass
class Scores:
    """The four acceptance figures over a list of eval items, plus the misses."""

    on_topic: int = 0
    off_topic: int = 0
    right: int = 0
    wrong: int = 0
    off_declined: int = 0
    in_top3: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def right_rate(self) -> float:
        return self.right / max(1, self.on_topic)

    @property
    def wrong_rate(self) -> float:
        return self.wrong / max(1, self.on_topic)

    @property
    def off_declined_rate(self) -> float:
        return self.off_declined / max(1, self.off_topic)

    @property
    def top3_rate(self) -> float:
        return self.in_top3 / max(1, self.on_topic)

    def summary(self) -> str:
        return (
            f"right {self.right_rate:.1%}  wrong {self.wrong_rate:.1%}  "
            f"off-topic declined {self.off_declined_rate:.1%}  top-3 {self.top3_rate:.1%}  "
            f"({self.on_topic} on-topic, {self.off_topic} off-topic)"
        )


def evaluate(matcher: FaqMatcher, items: list[dict]) -> Scores:
    scores = Scores()
    for item in items:
        question, expected = item["q"], item["id"]
        # Every entry whose answer answers it counts (``ids``); ``id`` is the one it was written for.
        answers = set(item.get("ids") or ()) | {expected}
        got = matcher.match(question, item["lang"])
        shown = f"{question!r}: expected {expected}, got {got.id} score {got.score:.3f}"
        if expected is None:
            scores.off_topic += 1
            if got.id is None:
                scores.off_declined += 1
            else:
                scores.misses.append(f"ANSWERED OFF-TOPIC {shown}")
            continue
        scores.on_topic += 1
        if got.id in answers:
            scores.right += 1
        elif got.id is not None:
            scores.wrong += 1
            scores.misses.append(f"WRONG   {shown} (suggested {got.suggestions})")
        else:
            scores.misses.append(f"DECLINED {shown} (suggested {got.suggestions})")
        candidates = ((got.id,) if got.id else ()) + got.suggestions
        if answers & set(candidates[:3]):
            scores.in_top3 += 1
        else:
            scores.misses.append(f"NOT IN TOP 3 {shown} (candidates {candidates[:3]})")
    return scores


@pytest.fixture(scope="module")
def entries() -> Entries:
    return load_faq_entries()


@pytest.fixture(scope="module")
def matcher(entries: Entries) -> FaqMatcher:
    return FaqMatcher.build(entries)


# A tiny index of our own for the unit tests, so they do not move when the
# FAQ content is edited.
TOY: Entries = [
    (
        "what-is-stc",
        {
            "en": ["What is a safe third country agreement?", "safe third country meaning"],
            "es": ["¿Qué es un acuerdo de tercer país seguro?"],
        },
    ),
    (
        "mpp",
        {
            "en": ["What is the Remain in Mexico policy?", "What are the MPP?"],
            "es": ["¿Qué es el programa Quédate en México?"],
        },
    ),
    (
        "refugee-numbers",
        {
            "en": ["How many refugees apply for asylum in Mexico every year?"],
            "es": ["¿Cuántos refugiados piden asilo en México cada año?"],
        },
    ),
    (
        "privacy",
        {
            "en": ["What personal data does the bot keep about me?", "delete my data"],
            "es": ["¿Qué datos personales guarda el bot?", "borrar mis datos"],
        },
    ),
]


@pytest.fixture(scope="module")
def toy() -> FaqMatcher:
    return FaqMatcher.build(TOY)


# ---------------------------------------------------------------- normalising


def test_fold_removes_accents_and_case() -> None:
    assert fold("¿Quédate en MÉXICO? Ñandú") == "¿quedate en mexico? nandu"


def test_punctuation_is_dropped() -> None:
    assert analyse("asylum!!! ... (asylum) — asylum?").words == ("asylum",) * 3


def test_synonyms_collapse_to_one_token() -> None:
    usa = {analyse(t).words for t in ("EE.UU.", "USA", "U.S.", "Estados Unidos", "the US")}
    assert usa == {("usa",)}
    mpp = {
        analyse(t).words
        for t in (
            "MPP",
            "Remain in Mexico",
            "Quédate en México",
            "Migrant Protection Protocols",
            "Protocolos de Protección a Migrantes",
        )
    }
    assert mpp == {("mpp",)}
    assert analyse("Safe Third Country Agreement").words == analyse("tercer país seguro").words
    assert analyse("ACNUR").words == analyse("UNHCR").words
    assert analyse("Department of Homeland Security").words == ("dhs",)


def test_word_families_join_both_languages_and_their_inflections() -> None:
    assert {analyse(t).words for t in ("kidnapped", "secuestran", "secuestros")} == {("kidnap",)}
    assert {analyse(t).words for t in ("Canadian", "canadiense", "Canadá")} == {("canada",)}
    assert {analyse(t).words for t in ("hondureños", "Honduran", "Honduras")} == {("honduras",)}
    assert {analyse(t).words for t in ("menores", "niños", "kids", "minors")} == {("child",)}
    assert {analyse(t).words for t in ("devuelven", "regresan", "pa tras", "returned")} == {("return",)}
    # "deport" is not "send back": two neighbouring entries tell them apart.
    assert analyse("deported").words != analyse("returned").words


@pytest.mark.parametrize("text", ["hi", "Hola!", "good morning, how are you?", "buenas tardes", "¿qué tal?"])
def test_greetings_are_stop_words(text: str) -> None:
    assert analyse(text).words == ()


def test_towns_and_states_are_stop_words_but_the_faq_s_countries_are_not() -> None:
    assert analyse("my cousin in Tapachula").words == analyse("my cousin").words
    assert analyse("desde aquí en Texas").words == analyse("desde aquí").words
    assert analyse("Ciudad de México").words == ()
    assert analyse("Guatemala Honduras Mexico").words == ("guatemala", "honduras", "mexico")


def test_thousands_separators_make_one_number() -> None:
    assert analyse("14,596 claims").words == ("14596", "claims")
    assert analyse("14.596 solicitudes", "es").words == ("14596", "solicitudes")
    assert analyse("UA 150.18").words == ("uaction",)
    assert analyse("0.5 or 2.25").words == ("0", "5", "2", "25")


def test_lowercase_us_is_the_pronoun_not_the_country() -> None:
    assert analyse("help us").words == ("help",)
    assert "usa" in analyse("does the us accept refugees").words


def test_stop_words_of_both_languages_are_dropped() -> None:
    assert analyse("What is the agreement?", "en").words == ("agreement",)
    assert analyse("¿Qué es el acuerdo?", "es").words == ("acuerdo",)


def test_stemming_in_both_languages() -> None:
    assert analyse("deportations", "en").stems == analyse("deported", "en").stems
    assert analyse("refugees", "en").stems == analyse("refugee", "en").stems
    assert analyse("deportaciones", "es").stems == analyse("deportación", "es").stems
    assert analyse("solicitantes", "es").stems == analyse("solicitante", "es").stems
    # Accents are folded before stemming, so an unaccented question stems alike.
    assert analyse("protección", "es").stems == analyse("proteccion", "es").stems


def test_a_question_is_read_in_its_own_language_whatever_the_hint(toy: FaqMatcher) -> None:
    assert toy.language_of("¿Qué pasa con los niños no acompañados?", "en") == "es"
    assert toy.language_of("what happens to the children who travel alone", "es") == "en"
    spanish = toy.match("cuantos refugiados piden asilo en mexico", "en")
    assert spanish == toy.match("cuantos refugiados piden asilo en mexico", "es")
    assert spanish.id == "refugee-numbers"


def test_char_ngrams_pad_each_word() -> None:
    assert char_ngrams(["abc"]) == [" ab", "abc", "bc "]


def test_tokenise_handles_odd_input() -> None:
    assert tokenise("") == []
    assert tokenise("😀🎉 ... !!!") == []


# ------------------------------------------------------------------- matching


def test_answers_the_obvious_question(toy: FaqMatcher) -> None:
    result = toy.match("what is remain in mexico", "en")
    assert result.id == "mpp"
    assert 0 < result.score <= 1
    assert "mpp" not in result.suggestions
    assert len(result.suggestions) <= 3


def test_same_entry_in_either_language(toy: FaqMatcher) -> None:
    assert toy.match("¿Qué es el programa Quédate en México?", "es").id == "mpp"
    assert toy.match("¿Qué es el programa Quédate en México?", "en").id == "mpp"
    assert toy.match("que datos guarda el bot", None).id == "privacy"


def test_two_typos_still_match(toy: FaqMatcher) -> None:
    assert toy.match("how many refugess apply for asylmu in mexico", "en").id == "refugee-numbers"
    assert toy.match("cuantos refujiados pidem asilo en mexico", "es").id == "refugee-numbers"


def test_two_typos_still_match_the_real_faq(matcher: FaqMatcher) -> None:
    assert matcher.match("what does non-refoulment mean", "en").id == "non-refoulement"
    assert matcher.match("is mexcio safe for asylim seekers", "en").id == "is-mexico-safe"


def test_declines_off_topic_with_suggestions_or_none(toy: FaqMatcher) -> None:
    result = toy.match("recipe for tamales", "en")
    assert result.id is None
    assert len(result.suggestions) <= 3


def test_declining_offers_the_three_closest(toy: FaqMatcher) -> None:
    declining = FaqMatcher.build(TOY, threshold=1.01)
    result = declining.match("how many refugees in mexico", "en")
    assert result.id is None
    assert result.suggestions[0] == "refugee-numbers"
    assert len(result.suggestions) <= 3


@pytest.mark.parametrize("text", ["", "   ", "😀", "🇲🇽🇺🇸 🙏", "?!...", "¿¡!?", "\n\t"])
def test_wordless_input_is_an_empty_decline(toy: FaqMatcher, text: str) -> None:
    assert toy.match(text) == Match(None, 0.0, ())
    assert toy.match(text, "es") == Match(None, 0.0, ())


def test_non_string_and_unknown_language_do_not_error(toy: FaqMatcher) -> None:
    assert toy.match(None) == Match(None, 0.0, ())  # type: ignore[arg-type]
    assert toy.match("what is remain in mexico", "fr").id == "mpp"


def test_long_input_is_fast_and_uses_the_first_500_characters(toy: FaqMatcher) -> None:
    head = "What is the Remain in Mexico policy? "
    text = head + "." * (500 - len(head)) + " personal data bot keep delete" * 330
    assert len(text) > 10_000
    start = time.perf_counter()
    result = toy.match(text, "en")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05
    assert result == toy.match(text[:500], "en")
    assert result.id == "mpp"


def test_many_unknown_words_are_bounded() -> None:
    matcher = FaqMatcher.build(TOY)
    text = " ".join(f"qwzx{i}yv" for i in range(400))
    start = time.perf_counter()
    result = matcher.match(text)
    assert time.perf_counter() - start < 0.05
    assert result == Match(None, 0.0, ())  # no entry scored: nothing to suggest either


def test_an_answer_suggests_the_next_three_entries_by_score(entries: Entries) -> None:
    matcher = FaqMatcher.build(entries)
    answered = 0
    for item in load_eval()[:40]:
        result = matcher.match(item["q"])
        if result.id is None:
            continue
        answered += 1
        scores = dict(zip(matcher.ids, matcher.entry_scores(item["q"]), strict=True))
        ranked = sorted((e for e in scores if scores[e] > 0), key=lambda e: (-scores[e], e))
        assert ranked[0] == result.id and len(ranked) > 4, item["q"]
        assert result.suggestions == tuple(ranked[1:4]), item["q"]
    assert answered >= 10


def test_results_are_deterministic(entries: Entries) -> None:
    first = FaqMatcher.build(entries)
    second = FaqMatcher.build(list(entries))
    questions = [item["q"] for item in load_eval()[:40]]
    assert [first.match(q) for q in questions] == [second.match(q) for q in questions]
    assert [first.match(q) for q in questions] == [first.match(q) for q in questions]


EDGE_QUESTION = "what is the remain in mexico safe third country policy"


def _decide(threshold: float, margin: float) -> Match:
    return FaqMatcher.build(TOY, threshold=threshold, margin=margin).match(EDGE_QUESTION, "en")


def test_the_threshold_and_the_margin_decide_at_their_edges() -> None:
    """On the toy index, from the scores the matcher itself gives: a best score
    equal to the threshold answers and a hair under it declines; a lead over
    the runner-up equal to the margin answers and a hair short of it declines.
    Public behaviour only (built with explicit values), not the shipped constants."""
    toy = FaqMatcher.build(TOY)
    scores = dict(zip(toy.ids, toy.entry_scores(EDGE_QUESTION, "en"), strict=True))
    (best_id, best), (_, second) = sorted(scores.items(), key=lambda item: -item[1])[:2]
    assert 0 < second < best < 1, scores  # a real contest
    lead = best - second

    edges = ((math.nextafter(best, 0), True), (best, True), (math.nextafter(best, 1), False))
    for threshold, answers in edges:
        decided = _decide(threshold, margin=0.0)
        assert decided.id == (best_id if answers else None), (threshold, decided)
        assert decided.score == round(best, 4)
        if not answers:  # declining offers the closest entries, the best first
            assert decided.suggestions[0] == best_id
    for margin, answers in ((math.nextafter(lead, 0), True), (lead, True), (math.nextafter(lead, 1), False)):
        decided = _decide(threshold=0.0, margin=margin)
        assert decided.id == (best_id if answers else None), (margin, decided)


# ----------------------------------------------------------------- acceptance


def test_eval_set_covers_known_entries(entries: Entries) -> None:
    known = {entry_id for entry_id, _ in entries}
    expected = {item["id"] for item in load_eval() if item["id"] is not None}
    assert expected <= known, f"eval ids with no FAQ file: {sorted(expected - known)}"


# faq_eval.yaml was written apart from the FAQ phrasings, but the FAQ's author
# later saw its misses; faq_eval_fresh.yaml was written later by someone who
# saw neither the phrasings nor the first set, and is the honest held-out check.
@pytest.mark.parametrize("eval_file", ["faq_eval.yaml", "faq_eval_fresh.yaml"])
def test_acceptance_on_the_eval_set(matcher: FaqMatcher, eval_file: str) -> None:
    items = load_eval(EVAL_FILE.with_name(eval_file))
    halves = {
        "calibration half": evaluate(matcher, items[0::2]),
        "held-out half": evaluate(matcher, items[1::2]),
    }
    whole = evaluate(matcher, items)
    report = "\n".join(
        [f"{name}: {s.summary()}" for name, s in halves.items()]
        + [f"whole set: {whole.summary()}", "misses:"]
        + [f"  {miss}" for miss in whole.misses]
    )
    print(report)
    assert whole.right_rate >= 0.90, report
    assert whole.wrong_rate <= 0.03, report
    assert whole.off_declined_rate >= 0.90, report
    assert whole.top3_rate >= 0.97, report


BLIND_FILE = EVAL_FILE.with_name("faq_eval_blind.yaml")
# The lexical tier alone on the blind set. The targets are right >= 93%,
# wrong <= 2%, off-topic declined >= 90%, right entry in the top 3 >= 98%; the
# lexical tier meets the last three (off-topic declined at exactly 90%) and
# reaches 84.5% right (docs/development.md, "Accuracy", says why: long questions in people's
# own words score too low to answer without also answering off-topic
# questions). Its floor here is what it reaches, so that a change that loses
# answers fails; the combined matcher meets all four
# (tests/ask/test_semantic_matcher.py).
BLIND_LEXICAL_RIGHT = 0.84


def test_acceptance_on_the_blind_set_lexical_tier_alone(matcher: FaqMatcher) -> None:
    """tests/data/faq_eval_blind.yaml, written by someone who saw only the
    topic list; scored once before any tuning (56.5% right)."""
    whole = evaluate(matcher, load_eval(BLIND_FILE))
    report = "\n".join([f"blind set, lexical tier: {whole.summary()}", "misses:"]
                       + [f"  {miss}" for miss in whole.misses])
    print(report)
    assert whole.right_rate >= BLIND_LEXICAL_RIGHT, report
    assert whole.wrong_rate <= 0.02, report
    assert whole.off_declined_rate >= 0.90, report
    assert whole.top3_rate >= 0.98, report


def test_no_phrasing_names_a_place_the_pipeline_drops(entries: Entries) -> None:
    """Towns and states are dropped as saying nothing about the entry meant;
    that is only true while no phrasing relies on one."""
    for entry_id, questions in entries:
        for lang in ("en", "es"):
            for text in questions[lang]:
                assert "placename" not in tokenise(text), (entry_id, text)


# ------------------------------------------------------- the vectorised sums


def plain_entry_scores(matcher: FaqMatcher, text: str, lang: str | None) -> list[float]:
    """The matcher's documented score, added up posting by posting in plain
    Python from the matcher's own index: what its numpy sums must equal."""
    from bot.ask import faq_matcher as fm

    read_in = matcher.language_of(text, lang)
    analysed = matcher._pipeline.analyse(text[: fm.MAX_INPUT_CHARS], read_in, fm.MAX_TOKENS)
    if not analysed.words:
        return []
    n_phrasings, n_entries = len(matcher._phrasings), len(matcher.ids)
    terms: dict[str, float] = {}
    denominator, budget = 0.0, fm.MAX_FUZZY_WORDS
    for word, stem in zip(analysed.words, analysed.stems, strict=True):
        resolved = matcher._resolve(word, stem, analysed.lang, budget > 0)
        if resolved is None:
            budget -= 1
            denominator += matcher._unknown_word_idf
            continue
        budget -= 1 if resolved[1] else 0
        if resolved[0] not in terms:
            terms[resolved[0]] = fm.FUZZY_PENALTY if resolved[1] else 1.0
            denominator += matcher._word_idf[resolved[0]]
    query_cover, phrasing_cover = [0.0] * n_phrasings, [0.0] * n_phrasings
    entry_cover = [0.0] * n_entries
    for term, weight in terms.items():
        idf = weight * matcher._word_idf[term]
        postings = matcher._word_postings[term]
        for p, saturation in zip(postings.phrasings.tolist(), postings.weights.tolist(), strict=True):
            query_cover[p] += idf / denominator * saturation
            phrasing_cover[p] += idf / float(matcher._phrasing_mass[p])
        for e in matcher._entries_with_word[term].tolist():
            entry_cover[e] += idf / denominator
    grams: dict[str, int] = {}
    for gram in char_ngrams(analysed.words, fm.NGRAM):
        grams[gram] = grams.get(gram, 0) + 1
    cosine, norm_sq = [0.0] * n_phrasings, 0.0
    for gram, tf in grams.items():
        gram_weight = tf * matcher._gram_idf.get(gram, matcher._unknown_gram_idf)
        norm_sq += gram_weight * gram_weight
        postings = matcher._gram_postings.get(gram)
        for p, weight in zip(postings.phrasings.tolist() if postings else [],
                             postings.weights.tolist() if postings else [], strict=True):
            cosine[p] += gram_weight * weight
    best = [0.0] * n_entries
    for p, phrasing in enumerate(matcher._phrasings):
        score = (fm.QUERY_COVER_WEIGHT * query_cover[p] + fm.PHRASING_COVER_WEIGHT * phrasing_cover[p]
                 + (1 - fm.QUERY_COVER_WEIGHT - fm.PHRASING_COVER_WEIGHT) * cosine[p] / (norm_sq ** 0.5 or 1))
        if lang in ("en", "es") and phrasing.lang != read_in:
            score *= fm.OTHER_LANGUAGE_FACTOR
        best[phrasing.entry] = max(best[phrasing.entry], score)
    return [min(1.0, (1 - fm.ENTRY_COVER_WEIGHT) * s + fm.ENTRY_COVER_WEIGHT * c)
            for s, c in zip(best, entry_cover, strict=True)]


def test_the_numpy_sums_equal_a_plain_loop(matcher: FaqMatcher) -> None:
    """The speed-up changed how the scores are added, not what they are: on
    every question of the three evaluation sets, in its language, in none and
    in the other, each entry's score is within rounding of a plain loop, and
    the ranking (score, then id) is the same."""
    items = [item for name in ("faq_eval.yaml", "faq_eval_fresh.yaml", "faq_eval_blind.yaml")
             for item in load_eval(EVAL_FILE.with_name(name))]
    other = {"en": "es", "es": "en"}
    checked = 0
    for item in items:
        for lang in (item["lang"], None, other[item["lang"]]):
            fast = matcher.entry_scores(item["q"], lang)
            plain = plain_entry_scores(matcher, item["q"], lang)
            assert fast == pytest.approx(plain, abs=1e-12), item["q"]
            ranked = sorted((e for e in range(len(plain)) if plain[e] > 0),
                            key=lambda e: (-round(plain[e], 12), matcher.ids[e]))
            got = matcher.match(item["q"], lang)
            shown = ((got.id,) if got.id else ()) + got.suggestions
            assert shown == tuple(matcher.ids[e] for e in ranked[: len(shown)]), item["q"]
            checked += 1
    assert checked == 3 * len(items)


# ------------------------------------------------------- the answers' sentences (round 4)

TOY_ANSWERS = {
    "mpp": {"en": "Under MPP, asylum seekers wait in Mexico for their US hearings. "
                  "By 2019 about 60,000 people had been returned to Ciudad Juárez and Tijuana.",
            "es": "Con el MPP, los solicitantes esperan en México sus audiencias en EE. UU. "
                  "Para 2019 unas 60,000 personas habían sido devueltas a Ciudad Juárez y Tijuana."},
    "refugee-numbers": {"en": "The Mexican refugee agency received more claims every year.",
                        "es": "La agencia mexicana de refugiados recibió más solicitudes cada año."},
}


def test_an_answer_is_read_as_its_sentences() -> None:
    # split after . ! ? ; : and at line breaks; pieces under four words say too little
    assert answer_passages("Yes, it was:\n\n• Sign up for the next case; send /signup. "
                           "Read how past cases ended!") == [
        "Sign up for the next case;", "Read how past cases ended!"]
    assert answer_passages("") == []


@pytest.mark.parametrize(("question", "lang"), [
    ("how many people were returned to Ciudad Juarez", "en"),
    ("¿cuántas personas devolvieron a Ciudad Juárez?", "es"),
])
def test_a_detail_only_an_answer_holds_scores_that_entry_in_the_passage_index(question: str,
                                                                              lang: str) -> None:
    with_answers = FaqMatcher.build(TOY, answers=TOY_ANSWERS)
    passages = with_answers.passage_scores(question, lang)
    assert with_answers.ids[int(passages.argmax())] == "mpp"
    assert passages[with_answers.ids.index("privacy")] == 0  # no answer, no passage
    # the phrasings' own scores and decision are the same with or without the answers
    alone = FaqMatcher.build(TOY)
    assert with_answers.entry_scores(question, lang) == alone.entry_scores(question, lang)
    assert with_answers.match(question, lang) == alone.match(question, lang)
    assert alone.passage_scores(question, lang) is None
