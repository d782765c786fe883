"""The synthetic corpus generator (bench/synthetic.py): realistic, deterministic, with planted relations."""

from __future__ import annotations

import difflib
import itertools
import random
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import synthetic  # noqa: E402
from phrase_table import PEOPLE, PHRASE_TABLE, TOPIC_WORDS, TOPICS  # noqa: E402

_END = re.compile(r"[.!?؟][\"»”]?(?=\s|$)")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def _body(text: str) -> str:
    return "\n".join(text.splitlines()[3:])  # after headline, office and dateline


def _sentences(text: str) -> int:
    return len(_END.findall(_body(text)))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("planted")
    return root, synthetic.planted_corpus(root, 400, seed=3)


def _text(root: Path, truth: dict, key: str) -> str:
    d = truth["docs"][key]
    return (root / d["file"]).read_text(encoding="utf-8")[d["start"]:d["end"]]


def test_phrase_table_size_and_topics():
    assert len(PHRASE_TABLE) >= 400
    assert len(synthetic._TEMPLATES) >= 40
    assert set(TOPIC_WORDS) == set(TOPICS) and len(TOPICS) >= 10
    assert len(PEOPLE) + len(synthetic.ORGS) + len(synthetic.PLACES) >= 60
    assert all(ar.strip() for ar in PHRASE_TABLE.values())


def test_sentences_distinct_and_sized():
    en, ar, truth = synthetic.parallel_documents(1000, seed=5)
    assert len(set(en)) > 990 and len(set(ar)) > 990
    lengths = [len(s.split()) for s in en]
    assert min(lengths) >= 8 and max(lengths) <= 45
    assert max(lengths) - min(lengths) > 25
    assert truth == list(range(1000))
    assert any(re.search(r"\b\d{1,2} \S+/\S+ \d{4}\b", a) for a in ar)  # «12 آذار/مارس 2025»
    assert any(re.search(r"\b[A-Z][a-z]+ \d{1,2}, \d{4}\b", e) for e in en)  # "March 12, 2025"


def test_translate_is_template_level():
    en, ar, _ = synthetic.parallel_documents(300, seed=9)
    assert [synthetic.translate(s) for s in en] == ar
    for e, a in zip(en, ar, strict=True):
        assert sorted(re.findall(r"\d+", e)) == sorted(re.findall(r"\d+", a))
        assert not re.search(r"[A-Za-z]", a)  # no English left in the Arabic


def test_parallel_keep_and_block():
    en, ar, truth = synthetic.parallel_documents(200, seed=2, keep=0.7, block=5)
    assert len(en) == 200 and len(ar) == len(truth) and 100 < len(ar) < 180
    assert truth != sorted(truth)
    assert all(synthetic.translate(en[i]) == a for i, a in zip(truth, ar, strict=True))
    assert synthetic.parallel_documents(200, seed=2, keep=0.7, block=5) == (en, ar, truth)


def test_documents_keep_to_a_topic():
    rng = random.Random(4)
    docs = [synthetic.document(rng, "en", 1500) for _ in range(40)]
    sims = [len(_grams(a) & _grams(b)) / len(_grams(a) | _grams(b)) for a, b in itertools.combinations(docs, 2)]
    assert sum(sims) / len(sims) < 0.05
    assert all(1200 < len(d) < 2600 for d in docs)


def test_write_corpus(tmp_path):
    n = synthetic.write_corpus(tmp_path / "c", 30, seed=1)
    files = sorted((tmp_path / "c").rglob("*.txt"))
    assert 15 <= len(files) <= 30 and n == sum(f.stat().st_size for f in files)
    synthetic.write_corpus(tmp_path / "d", 30, seed=1)
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted((tmp_path / "d").rglob("*.txt"))]


def test_planted_deterministic(corpus, tmp_path):
    root, truth = corpus
    again = synthetic.planted_corpus(tmp_path / "again", 400, seed=3)
    assert again == truth
    for d in list(truth["docs"].values())[:50]:
        assert (root / d["file"]).read_bytes() == (tmp_path / "again" / d["file"]).read_bytes()
    other = synthetic.planted_corpus(tmp_path / "other", 400, seed=4)
    assert other["pairs"] != truth["pairs"]


def test_planted_keys_and_sizes(corpus):
    root, truth = corpus
    assert len(truth["docs"]) == 400
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.txt")}
    assert {d["file"] for d in truth["docs"].values()} == files
    assert sum(1 for k in truth["docs"] if k.endswith("#2")) >= 10  # some files hold two documents
    for key, d in truth["docs"].items():
        path, n = key.split("#")
        assert path == d["file"] and int(n) >= 1 and (root / path).is_file()
        nbytes = len(_text(root, truth, key).encode("utf-8"))
        assert 800 < nbytes < 6000, (key, nbytes)
    sizes = [len(_text(root, truth, k).encode()) for k, d in truth["docs"].items() if d["role"] == "original"]
    assert 1000 < sum(sizes) / len(sizes) < 3000
    langs = [d["lang"] for d in truth["docs"].values()]
    assert 0.4 < langs.count("ar") / len(langs) < 0.8
    for p in truth["pairs"]:
        assert p["a"] in truth["docs"] and p["b"] in truth["docs"] and p["source"] == p["a"]
        assert truth["docs"][p["a"]]["role"] == "original" and truth["docs"][p["b"]]["role"] == p["type"]
    counts = {t: sum(p["type"] == t for p in truth["pairs"]) for t in synthetic.PLANT_RATES}
    assert counts == {"copy": 12, "near-copy": 12, "translation": 16, "derived": 12, "revision": 8}


def _pairs(truth: dict, kind: str) -> list[dict]:
    return [p for p in truth["pairs"] if p["type"] == kind]


def _lines(text: str) -> list[str]:
    return [s for line in _body(text).splitlines() for s in re.split(r"(?<=[.])\s(?=\S)", line)]


def test_copies_share_their_sentences(corpus):
    root, truth = corpus
    for p in _pairs(truth, "copy"):
        a, b = _text(root, truth, p["a"]), _text(root, truth, p["b"])
        assert _body(a) == _body(b)
        assert truth["docs"][p["a"]]["lang"] == truth["docs"][p["b"]]["lang"]


def test_near_copies(corpus):
    root, truth = corpus
    kept = total = 0
    for p in _pairs(truth, "near-copy"):
        a, b = _text(root, truth, p["a"]), _text(root, truth, p["b"])
        sa, sb = _lines(a), _lines(b)
        assert len(sb) < len(sa) and set(sa) & set(sb)
        kept, total = kept + len(set(sa) & set(sb)), total + len(sb)
        wa, wb = _words(_body(a)), _words(_body(b))
        changed = 1 - difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()
        assert 0.05 < changed < 0.4, changed
    assert kept >= total // 4  # about 3 sentences in 10 are left as they were (one near-copy may keep 1 in 9)


def test_translations_same_number_of_sentences(corpus):
    root, truth = corpus
    for p in _pairs(truth, "translation"):
        a, b = _text(root, truth, p["a"]), _text(root, truth, p["b"])
        da, db = truth["docs"][p["a"]], truth["docs"][p["b"]]
        assert da["lang"] != db["lang"] and da["sentences"] == db["sentences"]
        assert _sentences(a) == _sentences(b) == da["sentences"]
        assert sorted(re.findall(r"\d+", a)) == sorted(re.findall(r"\d+", b))


def test_derived_reports_quote_their_source(corpus):
    root, truth = corpus
    for p in _pairs(truth, "derived"):
        a, b = _text(root, truth, p["a"]), _text(root, truth, p["b"])
        quotes = re.findall(r'"([^"]+)"|«([^»]+)»', b)
        quotes = [q or r for q, r in quotes]
        assert 2 <= len(quotes) <= 4 and all(q in a for q in quotes)
        assert truth["docs"][p["b"]]["quoted"] == len(quotes)


def test_revisions_keep_the_skeleton(corpus):
    root, truth = corpus
    for p in _pairs(truth, "revision"):
        a, b = _text(root, truth, p["a"]), _text(root, truth, p["b"])
        ya, yb = (int(re.search(r"\d{4}", t.splitlines()[2]).group()) for t in (a, b))
        assert yb == ya + 1
        assert len(_body(b).splitlines()) == len(_body(a).splitlines()) + 1
        shared = len(_grams(a) & _grams(b)) / len(_grams(a))
        assert 0.3 < shared < 0.95, shared


def test_unrelated_documents_share_few_4grams(corpus):
    root, truth = corpus
    related = {frozenset((p["a"], p["b"])) for p in truth["pairs"]}
    keys = [k for k, d in truth["docs"].items() if d["role"] == "original"][:60]
    sims = []
    for a, b in itertools.combinations(keys, 2):
        if frozenset((a, b)) in related:
            continue
        ga, gb = _grams(_text(root, truth, a)), _grams(_text(root, truth, b))
        sims.append(len(ga & gb) / len(ga | gb))
    assert sum(sims) / len(sims) < 0.03 and max(sims) < 0.25


def test_planted_corpus_of_3000(tmp_path):
    # its speed is bench/trace.py's to print (1.5 s of CPU for 3,000 documents), not a timed test
    truth = synthetic.planted_corpus(tmp_path / "fast", 3000, seed=1)
    assert len(truth["docs"]) == 3000 and len(truth["pairs"]) == 450


def test_many_names_and_wordings():
    """Unrelated documents do not repeat each other's long spans: thousands of local names, and a
    template's fixed words worded differently by different writers (a copy keeps its wording)."""
    rng = random.Random(6)
    sents = [synthetic._sentence(rng, "water", 2020) for _ in range(2000)]
    places = {v for s in sents for k, v in s.raw.items() if synthetic._kind(k) == "L"}
    people = {v for s in sents for k, v in s.raw.items() if synthetic._kind(k) == "P"}
    assert len(places) > 300 and len(people) > 300
    other = [s.copy(style=s.style + 1) for s in sents]
    for lang in ("en", "ar"):
        differ = sum(a.render(lang) != b.render(lang) for a, b in zip(sents, other, strict=True))
        assert differ > 0.7 * len(sents), (lang, differ)
    assert all(s.copy().render("en") == s.render("en") for s in sents[:100])
    assert all(synthetic.translate(b.render("en")) == b.render("ar") for b in other[:300])
