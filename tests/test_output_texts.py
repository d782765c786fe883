"""texts.jsonl (outputs.write_texts): the text every offset points into is written with the
outputs, so that every span can be shown from them alone: for an HTML input, the extracted text
(slicing the page itself gives markup)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import sourcetrace
from conftest import DEMO


def _jsonl(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_html_passages_sliced_from_the_written_text_are_what_compare_shows(tmp_path):
    for name in ("news_page_cp1256.html", "statement_ar.txt"):
        shutil.copy(DEMO / name, tmp_path / name)
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "trace", "news_page_cp1256.html", "statement_ar.txt",
                          "--db", "s.db", "--out", "out"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    texts = {r["path"]: r["text"] for r in _jsonl(out / "texts.jsonl")}
    docs = {d["id"]: d for d in _jsonl(out / "documents.jsonl")}
    assert set(texts) == {d["path"] for d in docs.values()} == {"news_page_cp1256.html", "statement_ar.txt"}
    page = next(d for d in docs.values() if d["path"].endswith(".html"))
    assert "<" not in texts[page["path"]] and texts[page["path"]][page["start"]:page["end"]].strip()
    other = next(d for d in docs.values() if d["path"] == "statement_ar.txt")
    shown = sourcetrace.compare(page["id"], other["id"], db=tmp_path / "s.db")
    assert shown.passages, "the page quotes the statement"
    side = {shown.a.doc.id: shown.a.text, shown.b.doc.id: shown.b.text}
    passages = [p for p in _jsonl(out / "passages.jsonl") if page["id"] in (p["a"], p["b"])]
    assert passages
    for p in passages:
        for doc, start, end in ((p["a"], p["a_start"], p["a_end"]), (p["b"], p["b_start"], p["b_end"])):
            assert texts[docs[doc]["path"]][start:end] == side[doc][start:end]
    raw = (tmp_path / "news_page_cp1256.html").read_bytes().decode("cp1256")
    assert raw[:20] != texts[page["path"]][:20]  # what the issue saw: the page's own characters are markup


def test_compare_out_writes_both_texts(tmp_path):
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "compare", str(DEMO / "statement_en.txt"),
                          str(DEMO / "statement_ar.txt"), "--db", str(tmp_path / "s.db"), "--out", str(out), "--json"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    texts = {r["path"]: r["text"] for r in _jsonl(out / "texts.jsonl")}
    for d in _jsonl(out / "documents.jsonl"):
        assert texts[d["path"]] == (DEMO / d["path"].rsplit("/", 1)[-1]).read_text(encoding="utf-8")


def test_read_out_writes_each_files_text_once(tmp_path):
    shutil.copy(DEMO / "news_page_cp1256.html", tmp_path / "page.html")
    (tmp_path / "two.txt").write_text("First document.\n\n\n\nSecond document here.\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "sourcetrace", "read", "page.html", "two.txt", "--db", "s.db",
                          "--out", "out"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    texts = _jsonl(tmp_path / "out" / "texts.jsonl")
    assert sorted(t["path"] for t in texts) == ["page.html", "two.txt"]
    by_path = {t["path"]: t["text"] for t in texts}
    assert by_path["two.txt"] == (tmp_path / "two.txt").read_text(encoding="utf-8")
    for s in _jsonl(tmp_path / "out" / "sentences.jsonl"):
        doc = next(d for d in _jsonl(tmp_path / "out" / "documents.jsonl") if d["id"] == s["doc"])
        assert by_path[doc["path"]][s["start"]:s["end"]].strip()
    assert "<" not in by_path["page.html"]
