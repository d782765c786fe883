"""One long pair aligned in one process, stage by stage (issue 17 item 4: alignment linear in a
pair's length past 100,000 words a side).

    python bench/longpair.py [--pair ihkam|khatib|bible] [--cuts 0.125 0.25 0.5 1] [--rounds 1] [--json]
                             [--mirror /work/.mirror] [--bible-books N]

The pairs (rebuilt from the mirrors on every run; no text is written into this repository):

* ``ihkam``: Ibn Hazm's al-Ihkam fi usul al-ahkam (0456), two version files of ~3.8 MB
  (OpenITI/0475AH; the largest edition pair under the snapshots' 4 MiB a file), ~400,000 words a side;
* ``khatib``: al-Khatib al-Baghdadi's Muwaddih awham (0463, bench/books.py's), ~190,000 words a side;
* ``bible``: the Arabic Bible (Smith-Van Dyck, krezek/Peshitta) against the King James Version,
  verse by verse, one verse a line, the books both spell alike in canonical order (bench/realtext.py's
  reading): a cross-language pair of ~500,000 Arabic and ~750,000 English words whole.

Each cut c keeps the first c of both texts (bench/books.py's `prefix`, at a line end), reads each
with the trace's own reading (`pipeline.read` and `pipeline.segment`: a file must be one
document), and aligns the pair with USE (`pair.align`, the trace's vectors function with no cache,
so every unit that pays USE is encoded) in this process on one BLAS thread. The CPU
(`time.process_time`) is charged to the innermost stage running, by wrapping the functions
`align/pair.py` calls:

* ``reuse``: `find_reuse` (seeds, chains, their alignment; same language only);
* ``passages``: the reuse matches made passages (`_sentence_passages`, `_runs`, `_grown`);
* ``units``: the sentences less what reuse explains (`_units`);
* ``static``: the static vectors of a same-language pair's units (`screen.static_vectors`);
* ``plan``: the windows' plan (`windows.windows_of`: the probed units' best partners);
* ``screen``: the cells a screen reads (`screen.candidates`, `screen.candidates_in`);
* ``encode``: USE on the units that pay it (every unit of a cross-language pair);
* ``pairs``: `_pairs_whole`, once for a short pair or once a window (cosines, margins, scores,
  choice, and across languages the order's fills and the path);
* ``rest``: everything else in `align` (the merge into passages, the dispatch).

Printed per cut: words and units a side, units encoded, windows, `_pairs_whole`'s cells, the CPU of
each stage and its ratio to the cut before (linear = the ratio of the lengths, 2 for a doubling).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from books import prefix  # noqa: E402
from realtext import BIBLE_AR, BIBLE_EN, MIRROR, MissingData, Repo, openiti_plain  # noqa: E402

D = "data/"
IHKAM = ("OpenITI/0475AH", D + "0456IbnHazm/0456IbnHazm.IhkamFiUsulAhkam/0456IbnHazm.IhkamFiUsulAhkam.")
TIRMIDHI = ("OpenITI/0300AH", D + "0279Tirmidhi/0279Tirmidhi.Sunan/0279Tirmidhi.Sunan.")
PAIRS = {  # a pair's works: each side is one edition of each, in this order
    "ihkam": [IHKAM],
    "khatib": [("OpenITI/0475AH", D + "0463KhatibBaghdadi/0463KhatibBaghdadi.MuwaddihAwham/"
                "0463KhatibBaghdadi.MuwaddihAwham.")],
    "double": [IHKAM, TIRMIDHI],  # ~800,000 words a side: two 4 MB works one after the other
}
_SQL_VERSE = re.compile(r'VALUES \((\d+), (\d+), [^,]*, [^,]*, "(.*)"\);')


def openiti_pair(mirror: Path, name: str) -> tuple[str, str]:
    """Each work's two largest version files (their plain text, bench/realtext.py's reading), the
    works one after another on each side."""
    out = ["", ""]
    for repo_name, stem in PAIRS[name]:
        repo = Repo(mirror, repo_name)
        files = {p: n for p, n in repo.files(stem.rsplit("/", 1)[0]).items()
                 if p.startswith(stem) and "-ara" in p and not p.endswith(".yml")}
        if len(files) < 2:
            raise SystemExit(f"longpair: {repo_name} has no two version files {stem}* under {mirror}")
        a, b = sorted(files, key=lambda p: -files[p])[:2]
        print(f"{name}: {a.rsplit('/', 1)[-1]} ({files[a]:,} bytes), {b.rsplit('/', 1)[-1]} ({files[b]:,} bytes)",
              file=sys.stderr)
        out = [out[0] + openiti_plain(repo.read(a)) + "\n", out[1] + openiti_plain(repo.read(b)) + "\n"]
    return out[0], out[1]


def books_pairs(mirror: Path, cut: float, work: Path) -> list[tuple[Any, Any]]:
    """bench/books.py's whole set (11 files) at ``cut``: every pair of its files, as its trace aligns
    them at 11 documents (every pair), each file one side."""
    from books import SETS, load

    if not hasattr(books_pairs, "truth"):
        books_pairs.truth = load(mirror, list(SETS))  # type: ignore[attr-defined]
    sides = [side(f"f{k}", prefix(b.text, cut), work) for k, b in enumerate(books_pairs.truth.books)]  # type: ignore[attr-defined]
    return [(sides[i], sides[j]) for i in range(len(sides)) for j in range(i + 1, len(sides))]


def bible_pair(mirror: Path, books: int | None) -> tuple[str, str]:
    """Every verse both sides hold, book by book in the KJV's order, one verse a line."""
    arabic, english = Repo(mirror, BIBLE_AR), Repo(mirror, BIBLE_EN)
    ar_books = {p.split("/")[2] for p in arabic.files("data/initial") if p.count("/") == 3}
    names = []
    for title in json.loads(english.read("Books.json")):  # the canonical order
        num, _, rest = title.partition(" ")
        # "1 Samuel" is samuel_1 there, "Song of Solomon" song_of_solomon
        ar = f"{rest}_{num}".lower() if num.isdigit() else title.lower().replace(" ", "_")
        if ar.replace(" ", "_") in ar_books:
            names.append((title.replace(" ", "") + ".json", ar.replace(" ", "_")))
    names = names[:books]
    ar_lines, en_lines = [], []
    for en_file, book in names:
        for c in json.loads(english.read(en_file))["chapters"]:
            ch = int(c["chapter"])
            try:
                sql = arabic.read(f"data/initial/{book}/{book}_{ch}.sql")
            except MissingData:
                continue
            ar = {int(v): body.strip() for b, v, body in (m.groups() for m in _SQL_VERSE.finditer(sql)) if int(b) == ch}
            for v in c["verses"]:
                k = int(v["verse"])
                if ar.get(k) and v["text"].strip():
                    ar_lines.append(ar[k])
                    en_lines.append(v["text"].strip())
    print(f"bible: {len(names)} books, {len(ar_lines):,} verses", file=sys.stderr)
    return "\n".join(ar_lines) + "\n", "\n".join(en_lines) + "\n"


class Stages:
    """CPU charged to the innermost wrapped stage running (exclusive times)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack = ["rest"]
        self.mark = time.process_time()

    def _switch(self) -> None:
        now = time.process_time()
        self.cpu[self.stack[-1]] += now - self.mark
        self.mark = now

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch()
            self.stack.append(label)
            self.calls[label] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self._switch()
                self.stack.pop()
        return timed


def side(name: str, text: str, work: Path) -> Any:
    """A text read as the trace reads it (one file): its longest document as an alignment side."""
    from sourcetrace import pipeline
    from sourcetrace.align import pair

    path = work / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    source = pipeline.read(path)
    docs, sentences = pipeline.segment(source, name)
    if len(docs) != 1:
        print(f"  {name}: read as {len(docs)} documents; the longest is aligned", file=sys.stderr)
    doc = max(docs, key=lambda d: d.end - d.start)
    return pair.Side(doc, source.text, [s for s in sentences if s.doc == doc.id])


def aligned(pairs: list[tuple[Any, Any]], memo: dict[str, Any] | None = None) -> dict:
    """The pairs aligned with USE one after another in this process, CPU per stage summed.
    ``memo``: vectors kept by text across the pairs (as a trace's store keeps them: a document's
    units are encoded once for all its pairs), else every pair encodes its own."""
    import numpy as np

    from sourcetrace.align import pair, screen, windows
    from sourcetrace.encode import get_encoder
    from sourcetrace.encode.products import one_blas_thread
    from sourcetrace.encode.vectors import encoded

    use = get_encoder("use")
    use.encode(["warm up"])  # the model's load is no stage of a pair
    st = Stages()
    counts: dict[str, int] = defaultdict(int)

    def vectors(encoder: Any, texts: list[str]) -> Any:
        todo = texts if memo is None else list(dict.fromkeys(t for t in texts if t not in memo))
        counts["encoded"] += len(todo)
        counts["encoded_chars"] += sum(len(t) for t in todo)
        if memo is None:
            return encoded(encoder, texts)
        if todo:
            memo.update(zip(todo, encoded(encoder, todo), strict=True))
        return np.stack([memo[t] for t in texts]) if texts else encoded(encoder, texts)

    saved = {}

    def patch(module: Any, attr: str, label: str, count: Callable[..., None] | None = None) -> None:
        fn = getattr(module, attr)
        saved[module, attr] = fn
        wrapped = st.wrap(label, fn)
        if count is None:
            setattr(module, attr, wrapped)
            return

        def counted(*args: Any, **kwargs: Any) -> Any:
            count(*args)
            return wrapped(*args, **kwargs)
        setattr(module, attr, counted)

    def cells(ua: list, ub: list, *_: Any) -> None:
        counts["pairs_calls"] += 1
        counts["pairs_cells"] += len(ua) * len(ub)

    patch(pair, "find_reuse", "reuse")
    for f in ("_sentence_passages", "_runs", "_grown"):
        patch(pair, f, "passages")
    patch(pair, "_units", "units")
    patch(screen, "static_vectors", "static")
    patch(windows, "windows_of", "plan")
    patch(screen, "candidates", "screen")
    patch(screen, "candidates_in", "screen")
    patch(pair, "_pairs_whole", "pairs", cells)
    found = []
    try:
        import gc
        gc.collect()
        st.mark = time.process_time()
        t0, c0 = time.perf_counter(), time.process_time()
        with one_blas_thread():
            for a, b in pairs:
                found.append(pair.align(a, b, encoder=use, vectors=st.wrap("encode", vectors)))
        st._switch()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        for (module, attr), fn in saved.items():
            setattr(module, attr, fn)
    a, b = pairs[0]
    passages = [p for ps in found for p in ps]
    every = {s.doc.id: s for p in pairs for s in p}.values()
    return {"words_all": sum(len(s.text.split()) for s in every), "units_all": sum(len(s.sentences) for s in every),
            "words": [len(a.text.split()), len(b.text.split())], "chars": [len(a.text), len(b.text)],
            "sentences": [len(a.sentences), len(b.sentences)], "pairs": len(pairs), "cpu": cpu, "wall": wall,
            "stages": dict(st.cpu), "calls": dict(st.calls), "counts": dict(counts),
            "passages": len(passages), "kinds": dict(_kinds(passages))}


def _kinds(passages: list) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for p in passages:
        out[p.kind] += 1
    return out


STAGES = ("reuse", "passages", "units", "static", "plan", "screen", "encode", "pairs", "rest")


def report(name: str, runs: list[dict]) -> str:
    lines = [f"{name}: CPU s per stage (ratio to the cut before)"]
    lines.append(f"{'cut':10}" + "".join(f"{r['cut']:>17g}" for r in runs))
    rows = [("words all", lambda r: r["words_all"]), ("sentences all", lambda r: r["units_all"]),
            ("words a", lambda r: r["words"][0]), ("words b", lambda r: r["words"][1]),
            ("sentences a", lambda r: r["sentences"][0]), ("sentences b", lambda r: r["sentences"][1]),
            ("encoded", lambda r: r["counts"].get("encoded", 0)),
            ("pairs calls", lambda r: r["counts"].get("pairs_calls", 0)),
            ("pairs Mcells", lambda r: r["counts"].get("pairs_cells", 0) / 1e6),
            ("passages", lambda r: r["passages"])]
    for label, get in rows:
        lines.append(f"{label:13}" + "".join(f"{get(r):>16,.6g}" for r in runs))
    for s in (*STAGES, "total"):
        row, prev = f"{s:12}", None
        for r in runs:
            c = r["cpu"] if s == "total" else r["stages"].get(s, 0.0)
            row += f"{c:10.2f}" + (f" ({c / prev:4.2f})" if prev else "       ")
            prev = c if c > 0.01 else None
        lines.append(row)
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pair", choices=(*PAIRS, "bible", "books"), default="ihkam")
    ap.add_argument("--cuts", type=float, nargs="+", default=[0.125, 0.25, 0.5, 1.0])
    ap.add_argument("--mirror", type=Path, default=MIRROR)
    ap.add_argument("--bible-books", type=int, default=None, help="the first N books only")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.pair != "books":
        a, b = bible_pair(args.mirror, args.bible_books) if args.pair == "bible" else openiti_pair(args.mirror, args.pair)
    runs = []
    with tempfile.TemporaryDirectory(prefix="longpair") as tmp:
        for cut in args.cuts:
            if args.pair == "books":  # the units of a document encoded once for all its pairs, as in a trace
                r = aligned(books_pairs(args.mirror, cut, Path(tmp)), memo={})
            else:
                r = aligned([(side("a", prefix(a, cut), Path(tmp)), side("b", prefix(b, cut), Path(tmp)))])
            r["cut"] = cut
            runs.append(r)
            print(f"cut {cut:g}: {r['cpu']:.1f} CPU s, " + ", ".join(f"{k} {v:.2f}" for k, v in r["stages"].items()),
                  file=sys.stderr, flush=True)
    print(report(args.pair, runs))
    if args.json:
        print(json.dumps(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
