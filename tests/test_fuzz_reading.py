"""The reading side fuzzed (issue 19): random text, random bytes and pathological lines through
decoding, the readers, segmentation and sentence splitting (``read_file``, ``pipeline.segment``).

Whatever comes in, a file is read or refused with a :class:`ReadError` (never another exception),
and what is read keeps DESIGN.md's offsets: documents, boilerplate and sentences are spans of the
file's text, in order, not overlapping, sentences inside their document's content and at most
``MAX_SENTENCE`` long. Pathological text (no punctuation, one enormous token, thousands of
repeated or short lines) costs work linear in its size: counted as lines of sourcetrace's own
code executed, not timed, so a busy machine cannot make the test flaky.
"""

from __future__ import annotations

import codecs
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sourcetrace import pipeline
from sourcetrace.readers import ReadError, read_file
from sourcetrace.records import Document, Part, Sentence, SourceFile
from sourcetrace.segment.boilerplate import boilerplate_lines, lines_of
from sourcetrace.segment.documents import content_spans
from sourcetrace.text.sentences import MAX_SENTENCE, NEWLINES
from work import lines_executed

# Suffixes of every reader, upper-case and unknown ones (read by content), and none.
SUFFIXES = ["", ".txt", ".md", ".markdown", ".text", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson",
            ".json", ".csv", ".TXT", ".HTML"]

# Characters that stress the reading rules: both scripts, digits of both, sentence and clause
# marks, quotes and brackets, every line break, controls, bidi and zero-width marks, NBSP, BOM,
# combining marks, a tatweel, an emoji.
_CHARS = (list("aZ9 .,;:!?…-—'\"()[]«»“”<>&#{}=/\\*")
          + list("بتثجحخد هـ٣٫٠١، ؛؟۔ًّ")
          + list(NEWLINES) + list("\x00\x01\x07\x08\x1b\x7f\x9b")
          + list("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2069\u061c\u200b\u200d\ufeff")
          + list("\t\u00a0\u3000\u0301\U0001f600"))
_WORDS = ["the", "council", "said", "Mr.", "U.S.", "e.g.", "1.", "iv.", "No.", "7.7", "http://x.org/a.b",
          "قال", "المجلس", "إن", "الأمن", "أ.د.", "٣٫٥", "«نحن»", "وخاطب", "الأمين", "العام", "June", "4,",
          "2020", "٤", "حزيران/يونيو", "Share", "Read more", "اقرأ أيضا", "We", "use", "cookies"]

_text = st.one_of(
    st.text(alphabet=st.sampled_from(_CHARS), max_size=300),
    st.text(max_size=200),  # any code point but surrogates
    # Lines of words and separators: headlines, paragraphs, repeated lines, list items.
    st.lists(st.lists(st.sampled_from(_WORDS + list(".!?؟،")), max_size=25).map(" ".join), max_size=25)
    .map("\n".join),
)


def _records() -> st.SearchStrategy[bytes]:
    """JSONL: mostly records with a ``text`` of any kind and metadata of any type, some garbage."""
    value = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _text, st.lists(st.integers(), max_size=2))
    record = st.fixed_dictionaries({"text": st.one_of(_text, _text, _text, value)},
                                   optional={k: value for k in ("id", "title", "date", "url", "lang")})
    good = st.builds(json.dumps, record, ensure_ascii=st.booleans())
    line = st.one_of(good, good, good, _text.map(lambda t: t.replace("\n", " ")))
    return st.lists(line, max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))


def _page() -> st.SearchStrategy[bytes]:
    """HTML: random tags (blocks, inline, skipped, void, unclosed) around random text."""
    tags = st.sampled_from(["p", "div", "h1", "li", "br", "b", "script", "style", "title", "table", "td",
                            "article", "nav", "span", "!--", "meta charset='cp1256'", "meta charset=utf-8"])
    piece = st.one_of(_text, tags.map(lambda t: f"<{t}>"), tags.map(lambda t: f"</{t.split()[0]}>"))
    head = st.sampled_from(["", "<!DOCTYPE html>", "<html>", "<?xml version='1.0' encoding='utf-8'?><html>"])
    return st.builds(lambda h, body: (h + "".join(body)).encode("utf-8", "surrogatepass"), head, st.lists(piece, max_size=20))


def _encoded() -> st.SearchStrategy[bytes]:
    """Random text in an encoding a user's file may have (unencodable characters dropped)."""
    codec = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1256",
                             "iso8859-6", "cp1252", "latin-1"])
    return st.builds(lambda t, c: t.encode(c, "ignore"), _text, codec)


_any_suffix = st.sampled_from(SUFFIXES)
# (bytes, suffix): anything under any name, and records and pages mostly under their own.
_files = st.one_of(
    st.tuples(st.one_of(st.binary(max_size=600), _encoded(), _records(), _page(),
                        # a BOM or a NUL in front of anything
                        st.builds(bytes.__add__, st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\x00", b"\xff"]),
                                  st.binary(max_size=200))),
              _any_suffix),
    st.tuples(_records(), st.sampled_from([".jsonl", ".ndjson", ""])),
    st.tuples(_page(), st.sampled_from([".html", ".htm", ".xhtml", ""])),
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes, str], Path]:
    """Writes bytes to a new file with the suffix given (hypothesis cannot use ``tmp_path``)."""
    folder = tmp_path_factory.mktemp("fuzz")
    counter = itertools.count()

    def write(raw: bytes, suffix: str) -> Path:
        path = folder / f"f{next(counter)}{suffix}"
        path.write_bytes(raw)
        return path

    return write


def read_checked(path: Path, raw: bytes) -> SourceFile | None:
    """``read_file`` on any bytes: a SourceFile that keeps the offset rules, or a ReadError."""
    try:
        source = read_file(path)
    except ReadError as err:
        assert err.reason and "\n" not in err.reason  # one line a user can act on
        event(f"refused: {err.reason[:20]}")
        return None
    text = source.text
    event(f"read as {source.format}")
    assert text.strip() and source.size == len(raw)
    assert source.format in ("text", "html", "jsonl")
    if source.format == "text":
        assert raw.decode(source.encoding) == text  # offsets are code points of the decoded bytes
    pos = 0
    for part in source.parts:
        assert pos <= part.start < part.end <= len(text)
        pos = part.end
    for problem in source.problems:
        assert problem.reason and "\n" not in problem.reason
    return source


def check_segmented(text: str, docs: list[Document], sentences: list[Sentence]) -> None:
    """The reading stages' offset contract (DESIGN.md, "Offsets"), checked on any text."""
    pos = 0
    for k, doc in enumerate(docs, start=1):
        assert doc.id.endswith(f"#{k}") and doc.lang
        assert pos <= doc.start < doc.end <= len(text)
        assert not text[doc.start].isspace() and not text[doc.end - 1].isspace()
        pos = doc.end
        json.dumps(doc.to_json(), ensure_ascii=False)
    spans = [span for doc in docs for span in doc.boilerplate]
    for s, e in spans:
        assert 0 <= s < e <= len(text)
    for doc in docs:
        assert doc.boilerplate == sorted(doc.boilerplate)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(doc.boilerplate))
    by_doc = {d.id: content_spans(d) for d in docs}
    assert [s.doc for s in sentences] == sorted((s.doc for s in sentences), key=[d.id for d in docs].index)
    prev = None
    for s in sentences:
        assert 0 < s.end - s.start <= MAX_SENTENCE
        assert any(cs <= s.start and s.end <= ce for cs, ce in by_doc[s.doc])
        piece = text[s.start:s.end]
        assert not piece[0].isspace() and not piece[-1].isspace()
        assert not any(c in NEWLINES for c in piece)
        if prev is not None and prev.doc == s.doc:
            assert prev.end <= s.start
        prev = s


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=_files)
def test_any_bytes_are_read_or_refused_and_keep_offsets(files, file: tuple[bytes, str]) -> None:
    raw, suffix = file
    source = read_checked(files(raw, suffix), raw)
    if source is not None:
        docs, sentences = pipeline.segment(source, "f")
        check_segmented(source.text, docs, sentences)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text, fmt=st.sampled_from(["text", "html", "jsonl"]))
def test_any_text_segments_and_splits_within_its_spans(text: str, fmt: str) -> None:
    # Formats that declare their documents are segmented per part, the others as a whole file.
    parts = [Part(0, len(text))] if fmt != "text" and text.strip() else []
    source = SourceFile("t.txt", text, "utf-8", fmt, "0" * 64, len(text), parts)
    docs, sentences = pipeline.segment(source, "t")
    check_segmented(text, docs, sentences)
    if text.strip(" \t\n\r") and not parts:
        assert docs or _all_boilerplate(text)


def _all_boilerplate(text: str) -> bool:
    spans = lines_of(text)
    flags = boilerplate_lines(text, spans)
    return all(f or not text[s:e].strip() for (s, e), f in zip(spans, flags, strict=True))


# -- pathological lines: linear work ------------------------------------------------------------

_BODY = "The two delegations met in the capital on Sunday and agreed to set up a joint committee.\n"
_NO_PUNCT = "the council said that سيادة العراق and security in the region would be discussed "
# Each maker gives pathological text of about n lines (or n words for a single line).
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "no punctuation, one line": lambda n: _NO_PUNCT * (n // 10),
    "one enormous token": lambda n: "x" * (80 * n),
    "one enormous Arabic token": lambda n: "ب" * (80 * n),
    "repeated lines": lambda n: "The council met today in Baghdad.\n" * n,
    "repeated captions": lambda n: _BODY + "Photo: the council in session\n" * n + _BODY,
    "short lines after body": lambda n: _BODY + "".join(f"item {i} of the list\n" for i in range(n)),
    "alternating scripts": lambda n: "".join("Words of an English line in the file here\n" if i % 2 else
                                             "كلمات سطر عربي في هذا الملف هنا\n" for i in range(n)),
    "blank lines": lambda n: "\n" * (40 * n) + "x",
    "carriage returns only": lambda n: "The council met today in Baghdad\r" * n,
    "terminators and openers": lambda n: "Why?! (((« \"" * (4 * n),
    "clause marks, no stop": lambda n: "، قال المتحدث" * (3 * n),
    "controls and marks": lambda n: "\u200f\u202b\t\u00a0word\u200d " * (6 * n),
}
N = 400  # lines; 4 N must cost at most LINEAR_SLACK * 4 times as much work as N
LINEAR_SLACK = 1.15  # constant costs make the ratio fall below 4; quadratic work would make it 16


@pytest.mark.parametrize("kind", PATHOLOGICAL)
def test_pathological_text_costs_linear_work(kind: str, files) -> None:
    make = PATHOLOGICAL[kind]

    def work(n: int) -> tuple[int, SourceFile, list[Document], list[Sentence]]:
        text = make(n)
        raw = text.encode("utf-8")
        path = files(raw, ".txt")
        got: list = []

        def read_and_segment() -> None:
            source = read_file(path)
            got.extend([source, *pipeline.segment(source, "p")])

        ops = lines_executed(read_and_segment)
        source, docs, sentences = got
        check_segmented(source.text, docs, sentences)
        return ops, source, docs, sentences

    work(N // 4)  # warm caches (lingua, regexes) so they do not count for the small run only
    small, _, _, s_small = work(N)
    large, source, docs, s_large = work(4 * N)
    assert large <= LINEAR_SLACK * 4 * small, f"{kind}: {small} lines of work for {N}, {large} for {4 * N}"
    # Sentences grow with the text, none longer than the bound, whatever the text lacks.
    assert len(s_large) <= 4 * len(s_small) + 4
    assert all(s.end - s.start <= MAX_SENTENCE for s in s_large)
    covered = sum(s.end - s.start for s in s_large)
    assert covered <= len(source.text)
