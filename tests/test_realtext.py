"""The real-text evaluation's breakdown of lost sentence pairs (bench/realtext.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import io  # noqa: E402
import tarfile  # noqa: E402
import zipfile  # noqa: E402

from realtext import (  # noqa: E402
    EDITION_SHARED,
    TED,
    TICO,
    Corpus,
    Pair,
    _lemma_words,
    _pan_case,
    _shared_runs,
    _sharing_blocks,
    lines_text,
    miss_shares,
    misses,
    paragraphs_text,
    ted_documents,
    tico_documents,
)

GOLD = [((0, 10), (0, 10)), ((10, 20), (10, 20)), ((20, 30), (20, 30)), ((30, 40), (30, 40))]


def test_every_lost_area_goes_to_one_kind_of_miss():
    pred = [
        ((0, 10), (0, 10)),    # found whole
        ((10, 15), (10, 20)),  # half the verse on one side: half its area missed
        ((20, 30), (30, 40)),  # verses 3 and 4 swapped: each side of each is paired elsewhere
        ((30, 40), (20, 30)),
    ]
    lost = misses(pred, GOLD)
    assert lost["gold"] == 400
    assert lost["part of the verse missing"] == 50
    assert lost["both sides aligned elsewhere"] == 200
    assert miss_shares(lost) == {"part of the verse missing": 0.125, "both sides aligned elsewhere": 0.5}
    # verse 3 paired with verse 4's English alone: verse 4's Arabic is unpaired, its English is not
    lost = misses(pred[:3], GOLD)
    assert lost["one side aligned elsewhere"] == 200 and lost["both sides aligned elsewhere"] == 0


def test_a_pair_nobody_paired_is_unaligned():
    lost = misses([((0, 10), (0, 10))], GOLD[:2])
    assert lost["unaligned"] == 100 and lost["gold"] == 200


def test_a_pan_case_is_placed_where_the_two_texts_run_together_near_its_offsets():
    """PAN's offsets count its own files' characters; the copy mangled some ("’" -> "CI"), so a
    case drifts: it is placed where the two texts share the same text around PAN's offsets."""
    taken = ("The bachelor degree program is open to students who possess a high school diploma "
             "or its equivalent and want the standard four-year undergraduate degree.")
    susp = "Our own opening words, writtenCI here for this test. " * 3 + taken + " And our closing words here."
    src = "Some other page about colleges and fees. " + taken + " Fees are due in the spring."
    pan_offsets = {"this_offset": str(susp.index(taken) - 6), "this_length": str(len(taken)),
                   "source_offset": str(src.index(taken) + 4), "source_length": str(len(taken))}
    ga, gb = _pan_case(susp, src, pan_offsets)
    # the shared text, with at most the punctuation and spaces both texts have around it
    for text, (s, e) in ((susp, ga), (src, gb)):
        assert taken in text[s:e] and e - s <= len(taken) + 3
    far = {**pan_offsets, "this_offset": "0"}  # nowhere near the shared text: no case
    assert _pan_case(susp, src, far) is None


def test_paragraphs_keep_every_unit_at_its_span():
    units = ["First one.", "Second, longer one.", "Third.", "Fourth starts a paragraph.", "A heading", "Fifth."]
    text, spans = paragraphs_text(units, size=3)
    assert [text[s:e] for s, e in spans] == units
    assert text == "First one. Second, longer one. Third.\n\nFourth starts a paragraph.\n\nA heading\n\nFifth.\n"
    text, spans = lines_text(units)
    assert [text[s:e] for s, e in spans] == units and text.count("\n") == 6


def test_texts_sharing_a_run_of_words_are_found_and_others_not():
    run = " ".join(f"w{k}" for k in range(20))
    texts = {"x": ["Our own words.", run + "."], "y": [run.upper() + ", and more."], "z": [run[:-4] + " other."]}
    assert _sharing_blocks(texts) == [("x", "y")]  # z keeps 19 words of the run only


class _Repo:
    """A snapshot holding TICO-19's translation memory, made here: two documents, units out of order."""

    def __init__(self, tmx: str) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("all.en-ar.tmx", tmx)
        self.data = buf.getvalue()

    def read_bytes(self, path: str) -> bytes:
        assert path == TICO[1]
        return self.data


def _tu(tuid: str, en: str, ar: str) -> str:
    return (f'<tu tuid="{tuid}"><prop type="note">https://example.org/{tuid}</prop>'
            f'<tuv xml:lang="en"><seg>{en}</seg></tuv><tuv xml:lang="ar"><seg>{ar}</seg></tuv></tu>')


def test_translation_memory_units_become_documents_in_their_order():
    tmx = ('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header/><body>'
           + _tu("News_2:12", "Second  sentence.", "الجملة الثانية.") + _tu("News_2:11", "First &amp; one.", "الأولى.")
           + _tu("Wiki_1:3", "Other text.", "نص آخر.") + _tu("Wiki_1:4", "Untranslated.", "") + "</body></tmx>")
    docs = tico_documents(_Repo(tmx))
    assert docs == [("tico.News_2", ["الأولى.", "الجملة الثانية."], ["First & one.", "Second sentence."]),
                    ("tico.Wiki_1", ["نص آخر."], ["Other text."])]


class _Tgz:
    """A snapshot holding WIT3's two test archives (Arabic, English), made here."""

    def __init__(self, files: dict[str, dict[str, str]]) -> None:
        self.data = {}
        for tgz, members in files.items():
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w:gz") as tar:
                for name, text in members.items():
                    info = tarfile.TarInfo(name)
                    info.size = len(text.encode())
                    tar.addfile(info, io.BytesIO(text.encode()))
            self.data[f"{TED[1]}/{tgz}"] = buf.getvalue()

    def read_bytes(self, path: str) -> bytes:
        return self.data[path]


def _talks(lang: str, talks: dict[str, list[tuple[int, str]]]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><mteval><srcset>'
            + "".join(f'<doc docid="{t}"><title>x</title>' + "".join(f'<seg id="{i}">  {s}  </seg>' for i, s in segs)
                      + "</doc>" for t, segs in talks.items()) + "</srcset></mteval>")


def test_a_ted_talk_is_cut_in_two_halves_whose_segments_pair_by_id():
    """Segments pair by their ids (not their order in the file); a segment empty on one side is left
    out of both; each talk gives two documents, cut at its middle segment."""
    ar = {"7": [(3, "ج"), (1, "أ"), (2, "ب"), (4, "د"), (5, "")], "9": [(1, "س"), (2, "ص")]}
    en = {"7": [(1, "A  one"), (2, "B"), (3, "C"), (4, "D"), (5, "E")], "9": [(1, "S"), (2, "T")]}
    repo = _Tgz({"ar/en/ar-en.tgz": {"ar-en/IWSLT17.TED.tst2017.ar-en.ar.xml": _talks("ar", ar), "ar-en/README": ""},
                 "en/ar/en-ar.tgz": {"en-ar/IWSLT17.TED.tst2017.en-ar.en.xml": _talks("en", en)}})
    assert ted_documents(repo) == [("ted.7.1", ["أ", "ب"], ["A one", "B"]), ("ted.7.2", ["ج", "د"], ["C", "D"]),
                                   ("ted.9.1", ["س"], ["S"]), ("ted.9.2", ["ص"], ["T"])]


def test_two_editions_share_their_runs_and_two_parts_of_a_collection_do_not():
    """OpenITI files the parts of a hadith collection under one work: they share chains of
    transmitters only, under EDITION_SHARED of their 8-word runs; two editions differ in marks,
    hamza and a line here and there."""
    chain = "عن أبي صالح عن أبي هريرة قال قال رسول الله صلى الله عليه وسلم "
    body = " ".join(f"كلمة{k} من متن الحديث" for k in range(60))
    edition = chain + body
    other = "أَنَّ " + chain.replace("أبي", "ابي") + body.replace("كلمة7 ", "كلمة7 زيادة ")
    part = chain + " ".join(f"لفظ{k} من حديث آخر" for k in range(60))
    assert _shared_runs(edition, other) >= EDITION_SHARED and _shared_runs(other, edition) >= EDITION_SHARED
    assert _shared_runs(edition, part) < 0.1


def test_only_keeps_the_files_of_a_set_that_the_truth_pairs_with_nothing():
    corpus = Corpus(17)
    for key in ("a", "b", "p1", "p2", "q"):
        corpus.add(key, "ar", key)
    corpus.pairs.append(Pair("edition", "openiti", "a", "b"))
    corpus.pairs.append(Pair("translation", "quran", "q", "q"))
    corpus.unpaired.update({"p1": "openiti", "p2": "openiti"})
    corpus.sharing |= {frozenset(("q", "p1")), frozenset(("a", "p1"))}
    corpus.only(["openiti"])
    assert sorted(corpus.files) == ["a", "b", "p1", "p2"]
    assert corpus.sharing == {frozenset(("a", "p1"))}  # a left-out file's would name a file no longer there


def test_the_base_words_a_commentary_quotes_are_those_in_a_five_word_run_it_holds():
    base = "قال رسول الله الماء طهور لا ينجسه شيء ثم ذكر حديثا آخر في الباب"
    commentary = "وقوله: «الماء طَهور لا ينجسه شيء» يريد أن الماء لا ينجس إلا بالتغير ثم ذكر حديثا"
    starts = _lemma_words(base, commentary)
    assert [base[s:].split()[0] for s in starts] == ["الماء", "طهور", "لا", "ينجسه", "شيء"]
    assert _lemma_words(base, "الماء طهور لا ينجسه") == []  # four words: no lemma
