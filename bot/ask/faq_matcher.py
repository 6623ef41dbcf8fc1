"""Match a supporter's question to an FAQ entry, or decline.

A wrong legal answer does more harm than "I don't know", so the matcher is
built to decline: it answers only when the best entry scores above a
threshold *and* clearly beats the runner-up; otherwise it returns the three
closest entries as suggestions for the chat layer to offer.

Scoring (all precomputed at build; a match looks up the question's words and
3-grams and adds their postings per phrasing with numpy, about 0.15 ms):

* Every phrasing of every entry, in both languages, is indexed on its own and
  an entry scores by its best phrasing: one good paraphrase is enough.
* Word score: BM25 over Snowball stems, normalised by what the question could
  score at most, so it reads as "how much of the question (weighted by how
  telling each word is) this phrasing covers". Inverse document frequency is
  counted over *entries*, not phrasings: a word in all 14 phrasings of one
  entry is very telling, not common. Words the index has never seen still
  count in the denominator, which is what makes off-topic questions score low.
* Typos: a question word that is not in the index is corrected to the
  nearest index word within one or two edits (a deletion-neighbourhood index
  built once; at most ``MAX_FUZZY_WORDS`` look-ups per question).
* Character 3-gram cosine (tf-idf weighted) catches what stems miss: typos
  beyond the edit bound, compounds ("nonrefoulement"), half-Spanish words.
* Per phrasing, these mix into one 0..1 score (question covered 0.4,
  phrasing covered 0.2, 3-gram cosine 0.4) and the entry takes its best
  phrasing. Half of the final score is then how much of the question *all*
  the entry's phrasings cover together: a paraphrase often borrows words
  from several phrasings of the right entry, while an off-topic question
  keeps its unknown subject ("capital", "DACA") whatever the entry. Adding
  this lifted held-out right answers from ~85% to ~91% at equal precision.

Answers, too (issue 25, round 4): people ask about details an entry's
*answer* mentions in passing (a name, a date, a place, a figure) that none
of its phrasings holds. ``build(..., answers=...)`` also indexes each
entry's answer, both languages, split into sentences (``answer_passages``),
as a second index of the same kind (each sentence a "phrasing" of its
entry). ``passage_scores`` reads a question against it. It is weaker
evidence than a phrasing (a sentence of an answer is not a question people
ask), so the matcher's own decision never uses it: the combined matcher
adds it, lightly weighted, to the fused score and counts it as a third
voice when the tiers agree (``bot.ask.combined_matcher``).
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.ask.question_language import Vocabulary, detect_language, vocabulary_from
from bot.ask.text_normalise import CANONICAL_TOKENS, LANGUAGES, Pipeline, char_ngrams

__all__ = ["DEFAULT_MARGIN", "DEFAULT_THRESHOLD", "FaqMatcher", "Match", "answer_passages"]

# Calibrated on the calibration half of tests/data/faq_eval.yaml (its
# even-numbered items; the odd-numbered half was never used to choose
# anything). A grid of thresholds (0.20..0.78, step 0.02) and margins
# (0..0.10) was scored on that half; every setting meeting all four targets
# there was kept, and among those with the best right-answer rate (95.1%) and
# off-topic decline rate (95%) we took the highest threshold and then the
# widest margin, to lean toward declining: 0.40 and 0.03. The weights below
# were chosen the same way (most settings meeting the targets on that half).
# Held-out half at these values: 91-94% right, 0% wrong, 90% off-topic
# declined, 100% in the top three (the range: FAQ phrasings were still being
# edited while this was measured). Re-run the sweep if the FAQ changes a lot.
DEFAULT_THRESHOLD = 0.40
DEFAULT_MARGIN = 0.03

MAX_INPUT_CHARS = 500  # longer input is matched on its first 500 characters
MAX_TOKENS = 60  # words kept after stop words; bounds the work per question
MAX_FUZZY_WORDS = 8  # typo corrections tried per question
SUGGESTIONS = 3

QUERY_COVER_WEIGHT = 0.4  # normalised BM25: share of the question matched
PHRASING_COVER_WEIGHT = 0.2  # share of the phrasing matched; the rest: 3-gram cosine
BM25_K1 = 1.2
BM25_B = 0.5
FUZZY_PENALTY = 0.8  # a corrected word counts this much of an exact one
OTHER_LANGUAGE_FACTOR = 0.97  # phrasings in the language not given, when one is
UNKNOWN_WORD_WEIGHT = 1.5  # an unseen word counts this share of the rarest idf
NGRAM = 3
ENTRY_COVER_WEIGHT = 0.5  # share of the question covered by *all* an entry's phrasings
# An answer's sentences: split after . ! ? ; : and at line breaks; a piece
# of fewer than PASSAGE_MIN_WORDS words ("Yes, whatever the day:") says too little.
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
PASSAGE_MIN_WORDS = 4


def answer_passages(text: str) -> list[str]:
    """The sentences of an answer, as the passage index reads them."""
    pieces = (piece.strip(" -*•\t") for piece in _SENTENCE_END.split(text or ""))
    return [piece for piece in pieces if len(piece.split()) >= PASSAGE_MIN_WORDS]


@dataclass(frozen=True)
class Match:
    """The outcome of one question.

    ``id`` is None when declining. ``score`` is the best entry's score in 0..1
    (whether or not it was answered). ``suggestions`` are up to three entry
    ids, best first: the runners-up when answering, the closest entries when
    declining, empty when the question had no words at all.
    """

    id: str | None
    score: float
    suggestions: tuple[str, ...]


EMPTY = Match(None, 0.0, ())
_UNREAD = object()  # not looked up yet (None is an answer: no exact index word)


@dataclass(frozen=True)
class _Phrasing:
    entry: int
    lang: str


def _max_edits(word: str) -> int:
    """Edits allowed when correcting a word: none below 5 letters (too many
    neighbours: "ley"/"rey", "DACA"/"data"), one up to 7 letters, two from 8.
    Looser bounds turned off-topic words into topic words ("vacation" ->
    "action")."""
    if len(word) < 5:
        return 0
    return 1 if len(word) <= 7 else 2


def _deletions(word: str, depth: int) -> set[str]:
    """All strings reachable from ``word`` by deleting up to ``depth`` letters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _osa_distance(a: str, b: str, bound: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts 1),
    giving up with ``bound + 1`` once it cannot stay within ``bound``."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > bound:
            return bound + 1
        prev2, prev = prev, cur
    return prev[-1]


class _Postings:
    """One term's postings as two aligned arrays: the phrasings it occurs in
    (ascending) and its weight in each. Kept as numpy arrays so that a
    question's terms are summed per phrasing with one ``np.bincount`` over
    their concatenated postings instead of a Python loop per posting."""

    __slots__ = ("phrasings", "weights")

    def __init__(self, pairs: Sequence[tuple[int, float]]) -> None:
        self.phrasings = np.fromiter((p for p, _ in pairs), dtype=np.intp, count=len(pairs))
        self.weights = np.fromiter((w for _, w in pairs), dtype=np.float64, count=len(pairs))


class FaqMatcher:
    """An immutable-after-build index of FAQ phrasings. Build once, match often.

    Every per-phrasing quantity is a numpy array (float64) and every sum over
    a question's terms is an ``np.bincount`` over the terms' postings in the
    order the terms come, the order the plain loops used: the sums, so the
    scores, are the same to the last bit as adding posting by posting in
    Python (tests/ask/test_faq_matcher.py checks it against such a loop).
    """

    def __init__(
        self,
        ids: tuple[str, ...],
        phrasings: tuple[_Phrasing, ...],
        word_postings: dict[str, _Postings],
        word_idf: dict[str, float],
        phrasing_mass: np.ndarray,
        entries_with_word: dict[str, np.ndarray],
        word_of_surface: dict[str, tuple[str, ...]],
        deletion_index: dict[str, tuple[str, ...]],
        gram_postings: dict[str, _Postings],
        gram_idf: dict[str, float],
        vocabulary: Vocabulary,
        threshold: float,
        margin: float,
    ) -> None:
        self._ids = ids
        self._passages: FaqMatcher | None = None
        self._vocabulary = vocabulary
        self._phrasings = phrasings
        self._word_postings = word_postings
        self._word_idf = word_idf
        self._phrasing_mass = phrasing_mass
        self._entries_with_word = entries_with_word
        self._word_of_surface = word_of_surface
        self._deletion_index = deletion_index
        self._gram_postings = gram_postings
        self._gram_idf = gram_idf
        self._unknown_word_idf = UNKNOWN_WORD_WEIGHT * _idf(0, len(ids))
        self._unknown_gram_idf = _idf(0, len(ids))
        # A question's 3-gram is looked up once: its idf and its postings
        # together (every gram with an idf has postings, and the reverse).
        self._gram_table = {gram: (gram_idf[gram], found.phrasings, found.weights, len(found.phrasings))
                            for gram, found in gram_postings.items()}
        self.threshold = threshold
        self.margin = margin
        self._pipeline = Pipeline()
        self._corrections: dict[str, tuple[str, int] | None] = {}
        self._exact: dict[tuple[str, str], object] = {}  # _exact_other's answers
        # Phrasings come in entry order: an entry's best phrasing is one
        # np.maximum.reduceat over its slice (entries without a phrasing score 0).
        owners = np.fromiter((p.entry for p in phrasings), dtype=np.intp, count=len(phrasings))
        self._scored_entries = np.unique(owners)
        self._id_rank = np.argsort(np.argsort(np.array(ids, dtype=object), kind="stable"))
        self._entry_starts = np.searchsorted(owners, self._scored_entries)
        # Per language given: 1 for phrasings in it, OTHER_LANGUAGE_FACTOR for the others.
        self._language_factor = {
            lang: np.array([1.0 if p.lang == lang else OTHER_LANGUAGE_FACTOR for p in phrasings])
            for lang in LANGUAGES
        }

    # ------------------------------------------------------------------ build

    @classmethod
    def build(
        cls,
        entries: Iterable[tuple[str, Mapping[str, Sequence[str]]]],
        threshold: float = DEFAULT_THRESHOLD,
        margin: float = DEFAULT_MARGIN,
        answers: Mapping[str, Mapping[str, str]] | None = None,
        corrections: bool = True,
    ) -> FaqMatcher:
        """Index ``(faq id, {"en": [phrasings...], "es": [phrasings...]})``;
        with ``answers`` ({faq id: {"en": answer, "es": answer}}) also each
        answer's sentences, for ``passage_scores``. ``corrections=False``
        corrects no typo (the passage index: its many long words would make
        the typo index the most of its build time and memory, and a typo is
        corrected against the phrasings already)."""
        entries = list(entries)
        pipeline = Pipeline()
        ids: list[str] = []
        phrasings: list[_Phrasing] = []
        stem_counts: list[dict[str, int]] = []
        gram_counts: list[dict[str, int]] = []
        surface: dict[str, set[str]] = defaultdict(set)
        entries_with_word: dict[str, set[int]] = defaultdict(set)
        entries_with_gram: dict[str, set[int]] = defaultdict(set)
        texts: list[tuple[str, str]] = []

        for entry_id, questions in entries:
            entry = len(ids)
            ids.append(entry_id)
            for lang in LANGUAGES:
                for text in questions.get(lang, ()) or ():
                    texts.append((lang, str(text)))
                    analysed = pipeline.analyse(str(text)[:MAX_INPUT_CHARS], lang, MAX_TOKENS)
                    if not analysed.words:
                        continue
                    phrasings.append(_Phrasing(entry, lang))
                    counts: dict[str, int] = defaultdict(int)
                    for word, stem in zip(analysed.words, analysed.stems, strict=True):
                        counts[stem] += 1
                        surface[word].add(stem)
                        entries_with_word[stem].add(entry)
                    stem_counts.append(counts)
                    grams: dict[str, int] = defaultdict(int)
                    for gram in char_ngrams(analysed.words, NGRAM):
                        grams[gram] += 1
                        entries_with_gram[gram].add(entry)
                    gram_counts.append(grams)

        n_entries = len(ids)
        word_idf = {w: _idf(len(e), n_entries) for w, e in entries_with_word.items()}
        gram_idf = {g: _idf(len(e), n_entries) for g, e in entries_with_gram.items()}

        # BM25 weight of each stem in each phrasing, before multiplying by idf
        # (kept apart so the query side can mix in its own idf and penalties).
        lengths = [sum(c.values()) for c in stem_counts]
        avg_len = sum(lengths) / len(lengths) if lengths else 1.0
        word_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for p, counts in enumerate(stem_counts):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[p] / avg_len)
            for stem, tf in counts.items():
                saturation = tf * (BM25_K1 + 1) / (tf + norm)
                word_postings[stem].append((p, min(1.0, saturation)))

        # Each phrasing's 3-gram tf-idf vector, normalised once here (the
        # question's side is normalised per question).
        gram_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for p, grams in enumerate(gram_counts):
            weights = {g: tf * gram_idf[g] for g, tf in grams.items()}
            length = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for gram, weight in weights.items():
                gram_postings[gram].append((p, weight / length))

        deletion_index: dict[str, set[str]] = defaultdict(set)
        for word in surface if corrections else ():
            if _max_edits(word) and word not in CANONICAL_TOKENS:
                for variant in _deletions(word, _max_edits(word)):
                    deletion_index[variant].add(word)

        matcher = cls(
            ids=tuple(ids),
            phrasings=tuple(phrasings),
            word_postings={k: _Postings(v) for k, v in word_postings.items()},
            word_idf=word_idf,
            entries_with_word={k: np.array(sorted(v), dtype=np.intp) for k, v in entries_with_word.items()},
            phrasing_mass=np.array([sum(word_idf[w] for w in c) or 1.0 for c in stem_counts]),
            word_of_surface={k: tuple(sorted(v)) for k, v in surface.items()},
            deletion_index={k: tuple(sorted(v)) for k, v in deletion_index.items()},
            gram_postings={k: _Postings(v) for k, v in gram_postings.items()},
            gram_idf=gram_idf,
            vocabulary=vocabulary_from(texts),
            threshold=threshold,
            margin=margin,
        )
        if answers is not None:
            matcher.index_answers(answers)
        return matcher

    # ------------------------------------------------------------------ match

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def language_of(self, text: str, fallback: str | None = None) -> str:
        """The language ``text`` is written in ('en' or 'es'), ``fallback``
        (else English) when it does not tell: see ``bot.ask.question_language``.
        The FAQ's one-language words count as weak evidence ("asilo").

        A question is read twice in a row (the language is chosen, then the
        question scored in it, which reads it again with that language as
        the fallback): the second reading is the first's answer, since a
        text that tells gives its own language whatever the fallback, and
        one that does not gives the fallback. So the last answer is kept
        (``_last_read``: the very text object and its language) and given
        once without reading again; about 35 µs a question."""
        last = getattr(self, "_last_read", None)
        if last is not None and last[0] is text and fallback == last[1]:
            self._last_read = None
            return fallback
        lang = detect_language(text, fallback or "en", self._vocabulary)
        self._last_read = (text, lang)
        return lang

    def match(self, text: str, lang: str | None = None) -> Match:
        """Answer with the best entry, or decline with the closest three.

        ``lang`` is a hint: the question is read in the language it is
        written in (``language_of``), ``lang`` only when it does not tell."""
        return self.scored(text, lang)[0]

    def scored(self, text: str, lang: str | None = None) -> tuple[Match, np.ndarray | None]:
        """``match`` and every entry's score (build order; None when the text
        has no words), from one scoring: the combined matcher needs both."""
        scores = self._scores(text, lang)
        if scores is None:
            return EMPTY, None
        return self._decide(scores), scores

    def _decide(self, scores: np.ndarray) -> Match:
        # Highest score first, ties by id: one lexsort (its last key leads).
        order = np.lexsort((self._id_rank, -scores))
        ranked = order[scores[order] > 0].tolist()
        scores = scores.tolist()
        if not ranked:
            return Match(None, 0.0, ())
        best = ranked[0]
        best_score = scores[best]
        second = scores[ranked[1]] if len(ranked) > 1 else 0.0
        if best_score >= self.threshold and best_score - second >= self.margin:
            runners_up = tuple(self._ids[e] for e in ranked[1 : 1 + SUGGESTIONS])
            return Match(self._ids[best], round(best_score, 4), runners_up)
        closest = tuple(self._ids[e] for e in ranked[:SUGGESTIONS])
        return Match(None, round(best_score, 4), closest)

    def index_answers(self, answers: Mapping[str, Mapping[str, str]]) -> None:
        """Index each entry's answer ({faq id: {"en": answer, "es": answer}})
        for ``passage_scores``: the one thing added after build. The bot does
        it beside the semantic tier's build, off the start path (the only
        reader is the fused decision, which needs that tier anyway); until
        then ``passage_scores`` is None. One reference assigned at the end,
        so a reader sees no index or the whole one."""
        self._passages = type(self).build(
            [(entry_id, {lang: answer_passages((answers.get(entry_id) or {}).get(lang, ""))
                         for lang in LANGUAGES}) for entry_id in self._ids], corrections=False)

    @property
    def answers_indexed(self) -> bool:
        """Whether ``index_answers`` has run (``passage_scores`` can answer)."""
        return self._passages is not None

    def passage_scores(self, text: str, lang: str | None = None) -> np.ndarray | None:
        """Each entry's score (build order) against the sentences of its
        answer, read as phrasings are (0..1); None when the matcher was built
        without answers or the text has no words."""
        if self._passages is None:
            return None
        return self._passages._scores(text, lang)

    def entry_scores(self, text: str, lang: str | None = None) -> list[float]:
        """Each entry's score (its best phrasing's), in build order; [] if no words."""
        scores = self._scores(text, lang)
        return [] if scores is None else scores.tolist()

    def _scores(self, text: str, lang: str | None) -> np.ndarray | None:
        if not isinstance(text, str):
            return None
        given = lang if lang in LANGUAGES else None
        analysed = self._pipeline.analyse(text[:MAX_INPUT_CHARS], self.language_of(text, lang), MAX_TOKENS)
        if not analysed.words:
            return None
        query_cover, phrasing_cover, entry_cover = self._word_scores(
            analysed.words, analysed.stems, analysed.lang
        )
        grams = self._gram_scores(analysed.words)
        scores = (
            QUERY_COVER_WEIGHT * query_cover
            + PHRASING_COVER_WEIGHT * phrasing_cover
            + (1 - QUERY_COVER_WEIGHT - PHRASING_COVER_WEIGHT) * grams
        )
        if given is not None:
            scores *= self._language_factor[analysed.lang]
        best = np.zeros(len(self._ids))
        if len(scores):
            best[self._scored_entries] = np.maximum.reduceat(scores, self._entry_starts)
            np.maximum(best, 0.0, out=best)
        combined = (1 - ENTRY_COVER_WEIGHT) * best + ENTRY_COVER_WEIGHT * entry_cover
        return np.minimum(combined, 1.0)

    def _word_scores(
        self, words: tuple[str, ...], stems: tuple[str, ...], lang: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per phrasing: normalised BM25 (how much of the question it covers)
        and how much of the phrasing the question covers; per entry: how much
        of the question all its phrasings together cover. All idf-weighted."""
        terms: dict[str, float] = {}  # index stem -> weight (1, or less if corrected)
        denominator = 0.0
        fuzzy_budget = MAX_FUZZY_WORDS
        for word, stem in zip(words, stems, strict=True):
            resolved = self._resolve(word, stem, lang, fuzzy_budget > 0)
            if resolved is None:
                fuzzy_budget -= 1
                denominator += self._unknown_word_idf
                continue
            index_stem, edits = resolved
            fuzzy_budget -= 1 if edits else 0
            if index_stem in terms:
                continue
            terms[index_stem] = FUZZY_PENALTY if edits else 1.0
            denominator += self._word_idf[index_stem]
        n_phrasings, n_entries = len(self._phrasings), len(self._ids)
        if not terms or denominator <= 0:
            return np.zeros(n_phrasings), np.zeros(n_phrasings), np.zeros(n_entries)
        postings = [self._word_postings[term] for term in terms]
        entries = [self._entries_with_word[term] for term in terms]
        idfs = np.array([weight * self._word_idf[term] for term, weight in terms.items()])
        contributions = idfs / denominator
        where = np.concatenate([p.phrasings for p in postings])
        per_posting = [len(p.phrasings) for p in postings]
        saturations = np.concatenate([p.weights for p in postings])
        query_cover = np.bincount(where, np.repeat(contributions, per_posting) * saturations, n_phrasings)
        mass_share = np.repeat(idfs, per_posting) / self._phrasing_mass[where]
        phrasing_cover = np.bincount(where, mass_share, n_phrasings)
        entry_share = np.repeat(contributions, [len(e) for e in entries])
        entry_cover = np.bincount(np.concatenate(entries), entry_share, n_entries)
        return query_cover, phrasing_cover, entry_cover

    def _resolve(
        self, word: str, stem: str, lang: str, may_correct: bool
    ) -> tuple[str, int] | None:
        """The index stem a question word stands for, and the edits it took."""
        if stem in self._word_idf:
            return stem, 0
        exact = self._exact.get((word, lang), _UNREAD)
        if exact is _UNREAD:
            exact = self._exact_other(word, lang)
            if len(self._exact) > 8192:
                self._exact.clear()
            self._exact[word, lang] = exact
        if exact is not None:
            return exact
        if not may_correct:
            return None
        if word not in self._corrections:
            if len(self._corrections) > 4096:
                self._corrections.clear()
            self._corrections[word] = self._correct(word)
        return self._corrections[word]

    def _exact_other(self, word: str, lang: str) -> tuple[str, int] | None:
        """Without correcting: the word's stem in the other language, or the
        index stem its very surface form has. Pure: kept per (word, lang)."""
        other = "es" if lang == "en" else "en"
        other_stem = self._pipeline.stem(word, other)
        if other_stem in self._word_idf:
            return other_stem, 0
        if word in self._word_of_surface:
            return self._word_of_surface[word][0], 0
        return None

    def _correct(self, word: str) -> tuple[str, int] | None:
        """Nearest index word within the edit bound: fewest edits, then the
        most widely used, then alphabetical (deterministic)."""
        bound = _max_edits(word)
        if not bound:
            return None
        candidates: set[str] = set()
        for variant in _deletions(word, bound):
            candidates.update(self._deletion_index.get(variant, ()))
        best: tuple[int, float, str] | None = None
        for candidate in candidates:
            distance = _osa_distance(word, candidate, min(bound, _max_edits(candidate)))
            if distance > min(bound, _max_edits(candidate)):
                continue
            stem = self._word_of_surface[candidate][0]
            key = (distance, self._word_idf[stem], candidate)
            if best is None or key < best:
                best = key
        if best is None:
            return None
        return self._word_of_surface[best[2]][0], best[0]

    def _gram_scores(self, words: tuple[str, ...]) -> np.ndarray:
        """Tf-idf cosine of character 3-grams against every phrasing."""
        where, products, weights, lengths = [], [], [], []
        norm_sq = 0.0
        table, unknown = self._gram_table, self._unknown_gram_idf
        for gram, tf in _gram_counts(words):
            found = table.get(gram)
            if found is None:
                weight = tf * unknown
                norm_sq += weight * weight
                continue
            weight = tf * found[0]
            norm_sq += weight * weight
            where.append(found[1])
            products.append(found[2])
            weights.append(weight)
            lengths.append(found[3])
        n_phrasings = len(self._phrasings)
        if norm_sq <= 0 or not where:
            return np.zeros(n_phrasings)
        products = np.array(weights).repeat(lengths) * np.concatenate(products)
        scores = np.bincount(np.concatenate(where), products, n_phrasings)
        return scores / math.sqrt(norm_sq)


# A question's words are the same for both indexes (phrasings and answers:
# only stemming needs the language), so are its 3-grams: counted once.
@functools.lru_cache(maxsize=64)
def _gram_counts(words: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Each 3-gram of ``words`` and how often it occurs, in order of first occurrence."""
    return _count_grams(words)


def _count_grams(words: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """``_gram_counts`` itself, uncached."""
    counts: dict[str, int] = defaultdict(int)
    for word in words:
        for gram in _word_grams(word):
            counts[gram] += 1
    return tuple(counts.items())


@functools.lru_cache(maxsize=16384)
def _word_grams(word: str) -> tuple[str, ...]:
    """One word's 3-grams (``char_ngrams``), kept for the words seen most."""
    return tuple(char_ngrams((word,), NGRAM))


def _idf(entries_with_term: int, n_entries: int) -> float:
    """BM25's idf, counted over entries (always positive)."""
    return math.log(1 + (n_entries - entries_with_term + 0.5) / (entries_with_term + 0.5))
