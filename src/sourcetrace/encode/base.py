"""The one interface every sentence encoder implements, plus helpers they share.

An encoder maps sentences to unit vectors so that the dot product of two rows is their cosine
similarity. Encoders load their model on the first call to :meth:`Encoder.encode`, serialise
calls with a lock (the bundled engines are not re-entrant) and batch internally.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from sourcetrace.progress import note

# Arabic short vowels, tanween, shadda, sukun, dagger alef and tatweel. Tatoeba-style text carries
# them unevenly (تحصّل vs تحصل); both bundled models were trained mostly on undiacritised text
# and match better without them (bench/tatoeba.py: +1.5 points nearest-neighbour for e5 and USE).
# Also the Qur'anic annotation signs and small letters of Uthmani script (U+0610-061A,
# U+0653-065F, U+06D6-06ED): the models never saw them, and a sura's verses aligned with nothing.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
# Alef wasla (ٱ), Uthmani script's article and verb-initial alef, is a plain alef to a reader.
_WASLA = "\u0671"
_ALEF_WASLA = str.maketrans({_WASLA: "\u0627"})
# The dagger alef of Uthmani (and fully vocalised) text is a long a that ordinary spelling writes
# with an alef: تُجَٰدِلُكَ is تجادلك, ٱلسَّمَٰوَٰتِ is السماوات, يَلْقَىٰهَا is يلقاها. Dropped, it
# left words the models never saw (تجدلك, السموت: the Qur'an's chapters stood out of their
# translations' neighbours less than the Bible's, bench/realtext.py). Not after a final alef
# maqsura (عَلَىٰ is على), nor in the closed set of words spelled without it (هٰذا, ذٰلك, لٰكن,
# أولٰئك, هٰؤلاء, اللّٰه, إلٰه, الرحمٰن), with their clitics.
_DAGGER = "\u0670"
_DAGGER_WORD = re.compile(f"\\S*{_DAGGER}\\S*")
_MAQSURA_END = re.compile(f"\u0649([\u064b-\u065f]*){_DAGGER}(?![\u064b-\u065f\u06d6-\u06ed]*[\u0621-\u064a])")
_SPELLED_WITHOUT = re.compile("^[وف]?[بكل]?(?:ال|لل)?(?:هذا|هذه|هذان|هذين|هؤلاء|ذلك|ذلكم|ذلكما|ذلكن|أولئك|لكن|لكنه|لكنها|"
                              "لكنهم|لكنكم|لكننا|لكني|الله|لله|اللهم|إله|اله|إلهكم|إلهنا|إلهك|إلهه|إلههم|رحمن)$")


# Encodes batches of preprocessed texts elsewhere (worker processes), yielding their raw rows in order.
BatchRunner = Callable[[list[list[str]]], Iterable[np.ndarray]]

# In the encoders' names: vectors cached under another set of stripping rules are not reused.
STRIP_RULES = "strip3"


def strip_arabic_marks(text: str) -> str:
    """Remove Arabic diacritics, Qur'anic marks and tatweel, read alef wasla as alef and a dagger
    alef as the alef ordinary spelling writes; other characters are left as they are."""
    if text.isascii():  # nothing to strip (most English text): no pattern scanned
        return text
    if _DAGGER in text:
        text = _DAGGER_WORD.sub(_spelled, text)
    text = _ARABIC_MARKS.sub("", text)
    # translate looks every character up in a dict: 7x the regex over Arabic text without a
    # wasla (most of it), a sixth of the static encoder's pieces (the topics stage)
    return text.translate(_ALEF_WASLA) if _WASLA in text else text


def _spelled(word: re.Match[str]) -> str:
    """A word with a dagger alef as ordinary spelling writes it (marks are removed after)."""
    w = _MAQSURA_END.sub("\u0649\\1", word.group())
    if _DAGGER not in w or _SPELLED_WITHOUT.match(_ARABIC_MARKS.sub("", w).translate(_ALEF_WASLA)):
        return w
    return w.replace("\u0649" + _DAGGER, "\u0627").replace(_DAGGER, "\u0627")


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows divided by their Euclidean norm (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0).astype(np.float32)


@runtime_checkable
class Encoder(Protocol):
    """A sentence encoder.

    ``name`` is a stable id of the model, its settings and the package version; it is the key
    under which vectors may be cached, so anything that changes the vectors changes the name.
    ``encode`` returns float32 rows of unit L2 norm, shape ``(len(texts), dim)``; an empty input
    gives ``(0, dim)``.
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class LazyBatchEncoder:
    """Shared plumbing: lazy model load, one lock, length-sorted batches, normalised output.

    Subclasses set ``name`` and ``dim`` and implement ``_load() -> model`` and
    ``_encode_batch(model, texts) -> array``.
    """

    name: str = ""
    dim: int = 0
    batch_size: int = 64

    def __init__(self, preprocess: Callable[[str], str] | None = strip_arabic_marks) -> None:
        self._preprocess = preprocess
        self._model: object | None = None
        self._lock = threading.Lock()

    def _load(self) -> object:  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode_batch(self, model: object, texts: list[str]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def encode(self, texts: Sequence[str], *, run: BatchRunner | None = None) -> np.ndarray:
        """Unit rows of ``texts``. ``run``: what encodes the batches instead of this process (a
        pool of worker processes, each holding this encoder: engines/workers.py); it receives
        every batch's preprocessed texts and yields their raw rows in order (:meth:`raw_rows`).
        The batches are the same either way, so the vectors are bit for bit the same: a row
        depends on the other texts of its batch in the last bits (the matrix products' blocking)."""
        if isinstance(texts, str):  # a bare string is a common slip: treat it as one sentence
            texts = [texts]
        items = [self._preprocess(t) if self._preprocess else t for t in texts]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if not items:
            return out
        # Sorting by length keeps each batch's padding small; rows are put back in input order.
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        batches = [order[b : b + self.batch_size] for b in range(0, len(order), self.batch_size)]
        done = 0
        note("encode", 0, len(items))  # a long pair's units, as each batch begins (sourcetrace/progress.py)
        if run is None:
            for idx in batches:
                out[idx] = self.raw_rows([items[i] for i in idx])
                done += len(idx)
                note("encode", done, len(items))
        else:
            for idx, rows in zip(batches, run([[items[i] for i in idx] for idx in batches]), strict=True):
                out[idx] = rows
                done += len(idx)
                note("encode", done, len(items))
        return l2_normalize(out)

    def raw_rows(self, items: list[str]) -> np.ndarray:
        """The model's rows (not yet normalised) of one batch of preprocessed texts."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._encode_batch(self._model, items)
