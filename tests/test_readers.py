"""Reading layer: read_file for each format, failures a user can act on, and discover()."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from pathlib import Path

import pytest
import trafilatura

from sourcetrace.readers import NotDocuments, ReadError, discover, read_file
from sourcetrace.readers.base import Reader, choose_reader, default_readers

# All fixture texts are invented for these tests.
ARABIC = (
    "أصدرت وزارة الخارجية اليوم بيانا مشتركا في ختام جولة الحوار بين الحكومتين.\n"
    "وأكد الجانبان التزامهما بدعم استقرار المنطقة وتعزيز التعاون في مجالات الطاقة والمياه والتعليم.\n"
    "واتفق الوفدان على تشكيل لجنة فنية تجتمع كل ثلاثة أشهر وترفع تقريرها قبل نهاية العام.\n"
)
ENGLISH = (
    "The two delegations met in the capital on Sunday.\n"
    "They agreed to set up a technical committee that meets every three months.\n"
)

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Ministers agree on river basin committee | The Evening Ledger</title>
<link rel="canonical" href="https://ledger.example.org/world/2021/03/river-basin-committee">
<meta property="og:title" content="Ministers agree on river basin committee">
<meta property="article:published_time" content="2021-03-14T09:30:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept all cookies</div>
<main><article>
<h1>Ministers agree on river basin committee</h1>
<p>The foreign ministers of the two countries met in the capital on Sunday and agreed to set up a joint committee on the shared river basin.</p>
<p>According to the final statement, the committee will meet every three months and report to both governments before the end of the year.</p>
<p>Officials said the talks had been frank and constructive, and that further rounds were expected in the spring.</p>
</article></main>
<footer><p>Copyright 2021 The Evening Ledger. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>
"""


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- text ------------------------------------------------------------------------------------

def test_utf8_text_file(tmp_path: Path) -> None:
    raw = (ENGLISH + ARABIC).encode("utf-8")
    path = write(tmp_path / "note.txt", raw)
    src = read_file(path)
    assert src.format == "text"
    assert src.encoding == "utf-8"
    assert src.text == ENGLISH + ARABIC
    assert src.parts == [] and src.problems == []
    assert src.size == len(raw)
    assert src.sha256 == hashlib.sha256(raw).hexdigest()
    assert src.path == str(path)


def test_utf8_bom_not_counted_in_offsets(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF8 + ARABIC.encode("utf-8")
    src = read_file(write(tmp_path / "bom.txt", raw))
    assert src.encoding == "utf-8-sig"
    assert src.text == ARABIC
    assert src.text[:5] == ARABIC[:5]  # offset 0 is the first letter, not the BOM
    assert src.size == len(raw)  # the raw count still includes the BOM's 3 bytes


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_bom_files(tmp_path: Path, codec: str, bom: bytes) -> None:
    src = read_file(write(tmp_path / "wide.txt", bom + ARABIC.encode(codec)))
    assert (src.text, src.encoding) == (ARABIC, "utf-16")


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
def test_arabic_code_page_files(tmp_path: Path, codec: str) -> None:
    src = read_file(write(tmp_path / "legacy.txt", ARABIC.encode(codec)))
    assert (src.text, src.encoding) == (ARABIC, codec)


def test_crlf_kept_as_in_file(tmp_path: Path) -> None:
    src = read_file(write(tmp_path / "dos.txt", b"first line\r\nsecond line\r\n"))
    assert src.text == "first line\r\nsecond line\r\n"
    assert src.text[12:18] == "second"


def test_markdown_is_text_with_markup_kept(tmp_path: Path) -> None:
    src = read_file(write(tmp_path / "memo.md", "# Joint statement\n\nThe *two* sides met.\n"))
    assert src.format == "text"
    assert src.text.startswith("# Joint statement")


def test_display_path_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "sub" / "a.txt", ENGLISH)
    monkeypatch.chdir(tmp_path)
    assert read_file("sub/a.txt").path == "sub/a.txt"
    assert read_file(tmp_path / "sub" / "a.txt", display_path="given/a.txt").path == "given/a.txt"


# --- HTML ------------------------------------------------------------------------------------

def test_html_news_page_main_text_and_metadata(tmp_path: Path) -> None:
    src = read_file(write(tmp_path / "report.html", NEWS_PAGE))
    assert src.format == "html"
    assert src.encoding == "utf-8"
    lines = src.text.split("\n")
    assert "The foreign ministers of the two countries met in the capital on Sunday" in lines[1]
    assert lines[-1].startswith("Officials said the talks had been frank")
    for dropped in ("cookies", "Privacy policy", "All rights reserved", "Sport"):
        assert dropped not in src.text
    assert "<p>" not in src.text
    [part] = src.parts
    assert (part.start, part.end) == (0, len(src.text))
    assert part.title == "Ministers agree on river basin committee"
    assert part.date == "2021-03-14"
    assert part.url == "https://ledger.example.org/world/2021/03/river-basin-committee"
    assert part.lang == "en"
    # sha256/size describe the raw page, not the extracted text
    assert src.size == len(NEWS_PAGE.encode("utf-8"))


def test_html_in_windows_1256_with_meta_charset(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in ARABIC.splitlines())
    page = ('<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            f"<title>بيان مشترك</title></head><body><article>{paragraphs}</article></body></html>")
    src = read_file(write(tmp_path / "bayan.htm", page.encode("cp1256")))
    assert src.encoding == "cp1256"
    assert src.format == "html"
    assert src.text.split("\n") == ARABIC.splitlines()
    assert src.parts[0].title == "بيان مشترك"
    assert src.parts[0].lang == "ar"


def test_html_sniffed_without_suffix(tmp_path: Path) -> None:
    src = read_file(write(tmp_path / "download", NEWS_PAGE))
    assert src.format == "html"
    assert "joint committee on the shared river basin" in src.text


def test_html_fallback_to_body_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    page = ("<html><head><title>x</title><script>var a = 1;</script></head><body>"
            "<h2>Heading</h2><p>First   paragraph.</p><div>Line one<br>line two</div>"
            "<ul><li>item a</li><li>item b</li></ul></body></html>")
    src = read_file(write(tmp_path / "odd.html", page))
    assert src.text == "Heading\nFirst paragraph.\nLine one\nline two\nitem a\nitem b"
    assert src.parts[0].end == len(src.text)


def test_html_without_any_text(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no text found"):
        read_file(write(tmp_path / "blank.html", "<html><head><title>t</title></head><body></body></html>"))


# --- JSONL -----------------------------------------------------------------------------------

def test_jsonl_documents_and_malformed_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "s1", "text": ENGLISH, "title": "Statement", "date": "2020-06-04T10:00:00Z",
                    "url": "https://example.org/s1", "lang": "en"}),
        '{"id": "broken", "text": "no closing brace"',
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "s2", "text": ARABIC, "lang": "ar"}, ensure_ascii=False),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"title": "no text at all"}),
        json.dumps({"id": 7, "text": "A third, short one.", "date": "June 2020"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    src = read_file(path, display_path="feed.jsonl")
    assert src.format == "jsonl"
    assert src.text == ENGLISH + "\n\n" + ARABIC + "\n\n" + "A third, short one."
    assert [src.text[p.start:p.end] for p in src.parts] == [ENGLISH, ARABIC, "A third, short one."]
    first, second, third = src.parts
    assert (first.id, first.title, first.date, first.url, first.lang) == (
        "s1", "Statement", "2020-06-04", "https://example.org/s1", "en")
    assert (second.id, second.lang, second.title) == ("s2", "ar", None)
    assert (third.id, third.date) == ("7", "June 2020")

    assert [p.path for p in src.problems] == ["feed.jsonl:2", "feed.jsonl:4", "feed.jsonl:6", "feed.jsonl:7"]
    reasons = [p.reason for p in src.problems]
    assert reasons[0].startswith("line 2: invalid JSON (Expecting ',' delimiter")
    assert reasons[1] == "line 4: not a JSON object (got a list)"
    assert reasons[2] == 'line 6: "text" is empty'
    assert reasons[3] == 'line 7: no "text" field'


def test_jsonl_with_no_usable_line(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r'no usable JSON record.*line 1: "text" is a number'):
        read_file(write(tmp_path / "bad.ndjson", '{"text": 5}\n{oops}\n'))


def test_json_file_of_one_record_or_a_list_of_them(tmp_path: Path) -> None:
    listed = json.dumps([{"id": "a", "text": ENGLISH}, {"text": ""}, {"id": "b", "text": ARABIC, "lang": "ar"}],
                        ensure_ascii=False, indent=2)
    src = read_file(write(tmp_path / "export.json", listed), display_path="export.json")
    assert src.format == "jsonl" and src.text == ENGLISH + "\n\n" + ARABIC
    assert [(p.id, p.lang) for p in src.parts] == [("a", None), ("b", "ar")]
    assert [(p.path, p.reason) for p in src.problems] == [("export.json:2", 'item 2: "text" is empty')]
    one = read_file(write(tmp_path / "one.json", json.dumps({"text": "Only this.", "title": "T"}, indent=1)))
    assert one.text == "Only this." and one.parts[0].title == "T"


def test_json_without_documents_is_not_read_as_text(tmp_path: Path) -> None:
    """A corpus's annotation file (gold.json, say) beside its texts is no document to trace."""
    gold = json.dumps({"about": "answers", "documents": [{"id": "000", "file": "000.txt"}]}, indent=1)
    with pytest.raises(NotDocuments, match=r'gold.json: JSON holding no document \(no "text" field anywhere\)$'):
        read_file(write(tmp_path / "gold.json", gold))
    with pytest.raises(ReadError) as broken:  # not JSON at all: a failure, not a skip
        read_file(write(tmp_path / "cut.json", '{"about": "answers", "documents": ['))
    assert not isinstance(broken.value, NotDocuments)


def test_jsonl_sniffed_without_suffix(tmp_path: Path) -> None:
    body = json.dumps({"text": "one"}) + "\n" + json.dumps({"text": "two"}) + "\n"
    src = read_file(write(tmp_path / "export.data", body))
    assert src.format == "jsonl"
    assert src.text == "one\n\ntwo"


def test_format_choice_suffix_beats_content(tmp_path: Path) -> None:
    # A .txt file holding HTML is read as text: the user named it so.
    src = read_file(write(tmp_path / "page.txt", NEWS_PAGE))
    assert src.format == "text" and src.text == NEWS_PAGE
    assert choose_reader("x.NDJSON", b"", "plain words").name == "jsonl"
    assert choose_reader("x", b"", "plain words\n{}").name == "text"
    assert all(isinstance(r, Reader) for r in default_readers())


def test_the_suffix_registry_is_the_readers_own_suffixes() -> None:
    from sourcetrace.readers import readers_by_suffix

    registry = readers_by_suffix()
    assert {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson", ".json"} == set(registry)
    for suffix, reader in registry.items():
        assert suffix in reader.suffixes and choose_reader(f"x{suffix}", b"", "words").name == reader.name
    with pytest.raises(TypeError):
        registry[".pdf"] = registry[".txt"]  # read-only: one list, changed only in the readers


# --- failures --------------------------------------------------------------------------------

def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as err:
        read_file(write(tmp_path / "empty.txt", b""))
    assert err.value.reason == "empty file"
    assert err.value.path == str(tmp_path / "empty.txt")
    with pytest.raises(ReadError, match="only whitespace"):
        read_file(write(tmp_path / "blank.txt", b"  \n\n\t\n"))


def test_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    with pytest.raises(ReadError) as err:
        read_file(write(tmp_path / "image.txt", png))
    assert err.value.reason == "binary file (not text)"


def test_too_large(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "x" * 2500)
    with pytest.raises(ReadError) as err:
        read_file(path, max_bytes=1000)
    assert err.value.reason == "file is 2.5 kB, over the 1 kB limit (--max-bytes)"
    assert read_file(path, max_bytes=2500).size == 2500


def test_too_large_message_in_megabytes(tmp_path: Path) -> None:
    from sourcetrace.readers import _too_large

    assert _too_large(123_400_000, 50_000_000) == "file is 123.4 MB, over the 50 MB limit (--max-bytes)"


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as err:
        read_file(tmp_path / "nope.txt", display_path="nope.txt")
    assert (err.value.path, err.value.reason) == ("nope.txt", "no such file")
    assert str(err.value) == "nope.txt: no such file"
    with pytest.raises(ReadError, match="is a directory"):
        read_file(tmp_path)


# --- discover --------------------------------------------------------------------------------

def make_tree(root: Path) -> None:
    write(root / "b.txt", ENGLISH)
    write(root / "a.html", NEWS_PAGE)
    write(root / "sub" / "c.txt", ARABIC)
    write(root / "sub" / "deeper" / "d.html", NEWS_PAGE)
    write(root / ".git" / "config", "[core]\n")
    write(root / ".hidden.txt", "secret")
    write(root / "sourcetrace.db", b"SQLite format 3\x00")
    write(root / "sourcetrace.db-wal", b"\x00")


def test_discover_directory_recursive_sorted_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    files, failures = discover(["corpus"])
    assert failures == []
    assert files == [os.path.join("corpus", p) for p in ("a.html", "b.txt", "sub/c.txt", "sub/deeper/d.html")]


def test_discover_skips_the_stores_own_files_beside_it(tmp_path: Path) -> None:
    """A writer's lock, the quote index and the web app's uploads beside a store in the corpus
    folder were read back as inputs on the next run (the index a "binary file" failure)."""
    write(tmp_path / "b.txt", ENGLISH)
    write(tmp_path / "s.db", b"SQLite format 3\x00")
    write(tmp_path / "s.db.quotes.lock", b"")
    write(tmp_path / "s.db.quotes.faiss", b"IxFI\x00\x01")
    write(tmp_path / "s.db.quotes.faiss.tmp", b"IxFI\x00")
    write(tmp_path / "s.db.uploads" / "u1" / "upload.txt", ENGLISH)
    write(tmp_path / "notes.db.txt", ENGLISH)  # a user's file, whatever its name holds
    files, failures = discover([str(tmp_path)])
    assert failures == [] and [Path(f).name for f in files] == ["b.txt", "notes.db.txt"]


def test_discover_skips_the_output_sets_of_earlier_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`trace corpus --out corpus/out`, then `trace corpus` again: out/texts.jsonl (a "text" per
    file) was read back as a copy of every document."""
    write(tmp_path / "corpus" / "a.txt", ENGLISH)
    out = tmp_path / "corpus" / "out"
    write(out / "texts.jsonl", json.dumps({"path": "a.txt", "text": ENGLISH}) + "\n")
    write(out / "documents.jsonl", json.dumps({"id": "a#1", "path": "a.txt", "start": 0, "end": 5}) + "\n")
    write(out / "settings.json", json.dumps({"command": "trace", "sourcetrace": "0.1.0"}))
    spark = tmp_path / "corpus" / "cluster"  # a Spark run's tables: folders of parts
    write(spark / "documents" / "part-00000", "{}\n")
    write(spark / "settings.json" / "part-00000", "{}\n")
    write(spark / "texts" / "part-00000", json.dumps({"path": "a.txt", "text": ENGLISH}) + "\n")
    mine = tmp_path / "corpus" / "mine"  # a user's folder that merely holds a settings.json
    write(mine / "settings.json", json.dumps({"theme": "dark"}))
    write(mine / "documents.jsonl", json.dumps({"text": ARABIC}) + "\n")
    monkeypatch.chdir(tmp_path)
    files, failures = discover(["corpus"])
    assert failures == [] and files == [os.path.join("corpus", p) for p in ("a.txt", "mine/documents.jsonl",
                                                                           "mine/settings.json")]
    files, failures = discover(["corpus/**/*.jsonl"])
    assert failures == [] and files == ["corpus/mine/documents.jsonl"]
    files, failures = discover(["corpus/out", "corpus/cluster"])
    assert files == [] and [f.path for f in failures] == ["corpus/out", "corpus/cluster"]
    assert all("output of a sourcetrace run" in f.reason and "sourcetrace load" in f.reason for f in failures)


def test_discover_globs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path / "corpus")
    files, failures = discover(["*.txt", "**/*.html"])
    assert failures == []
    assert files == ["b.txt", "a.html", "sub/deeper/d.html"]


def test_discover_failures_and_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "corpus")
    (tmp_path / "hollow").mkdir()
    monkeypatch.chdir(tmp_path)
    files, failures = discover(["corpus/b.txt", "missing.txt", "corpus/*.pdf", "corpus", "hollow"])
    assert files[0] == "corpus/b.txt"
    assert files.count("corpus/b.txt") == 1 and len(files) == 4  # b.txt not listed twice
    assert [(f.path, f.reason) for f in failures] == [
        ("missing.txt", "no such file or directory"),
        ("corpus/*.pdf", "no files match this pattern"),
        ("hollow", "directory holds no readable files (hidden files and *.db are skipped)"),
    ]


def test_discover_lists_a_file_reached_by_links_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file is itself however it is reached: through a linked folder, a linked file, or "..";
    each folder's real path is resolved once, a linked file alone."""
    make_tree(tmp_path / "corpus")
    (tmp_path / "linked").symlink_to(tmp_path / "corpus" / "sub", target_is_directory=True)
    (tmp_path / "alias.txt").symlink_to(tmp_path / "corpus" / "b.txt")
    monkeypatch.chdir(tmp_path)
    files, failures = discover(["corpus", "linked/c.txt", "alias.txt", "corpus/sub/../b.txt", "linked"])
    assert failures == []
    assert files == [os.path.join("corpus", p) for p in ("a.html", "b.txt", "sub/c.txt", "sub/deeper/d.html")]


def test_discover_then_read_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    files, _ = discover(["corpus"])
    formats = [read_file(f).format for f in files]
    assert formats == ["html", "text", "text", "html"]


def test_discover_takes_an_existing_file_whose_name_looks_like_a_glob(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("[b]joint.txt").write_text("A statement.", encoding="utf-8")
    Path("bjoint.txt").write_text("Another.", encoding="utf-8")
    assert discover(["[b]joint.txt"]) == (["[b]joint.txt"], [])
    assert discover(["[b]*.txt"]) == (["bjoint.txt"], [])  # a name that does not exist is still a pattern


def test_reading_plain_text_loads_no_html_extractor(tmp_path):
    """trafilatura and lxml are imported at the first page read, not by every reading (most corpora
    hold no HTML; 0.14 CPU s a run and a reading worker)."""
    import subprocess
    import sys

    (tmp_path / "a.txt").write_text("A short story. It ends here.\n", encoding="utf-8")
    (tmp_path / "b.html").write_text("<html><body><p>A page with a sentence or two of text.</p></body></html>",
                                     encoding="utf-8")
    code = ("import sys; from sourcetrace.readers import read_file; "
            f"read_file({str(tmp_path / 'a.txt')!r}); print('trafilatura' in sys.modules, 'lxml.html' in sys.modules); "
            f"print(read_file({str(tmp_path / 'b.html')!r}).text.strip(), 'trafilatura' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["False False", "A page with a sentence or two of text. True"]
