"""Long real books (issue 17 item 4): is a book one document, are two editions `copy`/`revision` and a
commentary `derived` from its base, and does every stage's time grow linearly with the length?

    python bench/books.py [--cuts 0.25 0.5 1] [--sets editions commentary unrelated] [--works Qutayba Khatib] [--keep DIR]
                          [--mirror /work/.mirror] [--encoder use] [--json]
    python bench/books.py --editions-sample N [--seed 36] [--batch 6] [--skip K] [--encoder use] [--keep DIR] [--json]

The books are OpenITI editions before 0700AH (CC BY-NC-SA 4.0: `fetch github:OpenITI/0300AH`, 0375AH,
0450AH, 0475AH; OpenITI's repositories from 0700AH on are held out and never read), rebuilt from the
mirrors on every run (nothing is copied into this repository), mARkdown reduced to plain text as
bench/realtext.py does (`openiti_plain`). The set (EDITIONS, COMMENTARIES, UNRELATED below):

* editions: two digital editions (different version files of one work id) of three works of
  0.7-1.9 MB each (poetry, a philologist's book, a hadith critic's book), truth `copy` or `revision`;
* commentary: al-Wahidi's commentary on al-Mutanabbi's poems (0468, 2.3 MB) with the Diwan it
  comments (0354, 92 KB), truth `derived` with the Diwan as source;
* unrelated: three long books of other fields (geography, al-Biruni on India, Ibn al-Haytham's
  optics), related to nothing: no strong relation (anything but `related`) may touch them.

Each cut c (default 1/4, 1/2, whole) keeps the first c of every book's plain text (cut at a line
end: prefixes of both editions, so a pair at c is a pair of c-long books) and traces the folder
with the CLI (`python -m sourcetrace trace`, the checkout's src first), sampling the process tree
every 0.5 s as bench/cores.py does: per stage wall, CPU and peak RSS (all processes together).
Printed: the corpus size per cut, per-stage CPU per cut and its ratio per doubling (linear = 2),
documents per file, each true pair's relation type and source, and the strong relations between
files the truth does not relate.

`--editions-sample N` traces edition pairs of N works picked by a rule instead (no cuts): every
work of the four mirrors with two or more version files of SAMPLE_BYTES (20-600 KB), in a shuffle
seeded by `--seed`, at most one work an author (the first in the shuffle), its first two such
versions by name. realtext's truth rule: a pair is two editions (`copy`/`revision` right) when
each shares half its 8-word runs or more with the other (`_shared_runs`); a pair under it is two
texts the truth does not relate (a strong relation between them counts as wrong, like one between
two works). The works are traced `--batch` at a time (each batch one folder, one trace): every
pair of a batch not an edition pair is a pair of unrelated texts (`--skip K`: the sample without its
first K works, so that later batches run apart). Printed per batch as for a cut,
then the pairs of every batch together: type, coverage, shared runs, lengths.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from cores import followed, tree_cpu  # noqa: E402
from realtext import EDITION_SHARED, MIRROR, OPENITI, STRENGTH, Repo, _shared_runs, openiti_plain  # noqa: E402

D = "data/"
# (repository, version file, version file) (status suffixes left off): two editions of one work, files of comparable length.
EDITIONS = [
    ("OpenITI/0300AH", D + "0276IbnQutaybaDinawari/0276IbnQutaybaDinawari.AdabKatib/"
     "0276IbnQutaybaDinawari.AdabKatib.JK000973-ara1",
     D + "0276IbnQutaybaDinawari/0276IbnQutaybaDinawari.AdabKatib/0276IbnQutaybaDinawari.AdabKatib.Shamela0026349-ara1"),
    ("OpenITI/0450AH", D + "0449AbuCalaMacarri/0449AbuCalaMacarri.Diwan/0449AbuCalaMacarri.Diwan.JK007580-ara1",
     D + "0449AbuCalaMacarri/0449AbuCalaMacarri.Diwan/0449AbuCalaMacarri.Diwan.ShamAY0037816-ara1"),
    ("OpenITI/0475AH", D + "0463KhatibBaghdadi/0463KhatibBaghdadi.MuwaddihAwham/"
     "0463KhatibBaghdadi.MuwaddihAwham.JK000776-ara1",
     D + "0463KhatibBaghdadi/0463KhatibBaghdadi.MuwaddihAwham/0463KhatibBaghdadi.MuwaddihAwham.Shamela0006025-ara1"),
]
# (commentary's repository, its file, base's repository, its file): the base is the source.
COMMENTARIES = [
    ("OpenITI/0475AH", D + "0468IbnAhmadWahidiNaysaburi/0468IbnAhmadWahidiNaysaburi.SharhDiwanMutanabbi/"
     "0468IbnAhmadWahidiNaysaburi.SharhDiwanMutanabbi.JK010754-ara1",
     "OpenITI/0375AH", D + "0354Mutanabbi/0354Mutanabbi.Diwan/0354Mutanabbi.Diwan.JK007610-ara1"),
]
UNRELATED = [
    ("OpenITI/0375AH", D + "0367IbnHawqal/0367IbnHawqal.SuratArd/0367IbnHawqal.SuratArd.Shamela0011780-ara1"),
    ("OpenITI/0450AH", D + "0440AbuRayhanBiruni/0440AbuRayhanBiruni.TahqiqMaLilHind/"
     "0440AbuRayhanBiruni.TahqiqMaLilHind.JK010648-ara1"),
    ("OpenITI/0450AH", D + "0430IbnHaytham/0430IbnHaytham.Manazir/0430IbnHaytham.Manazir.ALCorpus00006-ara2"),
]
SETS = ("editions", "commentary", "unrelated")
SAMPLE_BYTES = (20_000, 600_000)  # a version file's size for --editions-sample (UTF-8 Arabic: ~2 bytes a character)


@dataclass
class Book:
    key: str  # the version file's name: also the traced file's name
    text: str


@dataclass
class Truth:
    books: list[Book] = field(default_factory=list)
    pairs: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # kind, a, b, source
    # --editions-sample: every sampled pair, editions or not, by its two keys: shared runs, characters
    sampled: dict[tuple[str, str], dict] = field(default_factory=dict)


def load(mirror: Path, sets: list[str], works: list[str] | None = None) -> Truth:
    """The books of ``sets``; with ``works``, only the edition pairs whose version file names
    contain one of them (``--works Qutayba Khatib``: two works' editions, not the Diwans)."""
    repos: dict[str, Repo] = {}

    def book(repo: str, path: str) -> str:
        r = repos.setdefault(repo, Repo(mirror, repo))
        # the version file, whatever its status suffix (.completed, .mARkdown, .inProgress or none)
        found = [p for p in r.files(path.rsplit("/", 1)[0]) if p.startswith(path) and not p.endswith(".yml")]
        if not found:
            raise SystemExit(f"books: {repo} has no {path}* in {mirror}: run `fetch github:{repo}`")
        key = path.rsplit("/", 1)[-1]
        truth.books.append(Book(key, openiti_plain(r.read(min(found)))))
        return key

    truth = Truth()
    if "editions" in sets:
        for repo, a, b in EDITIONS:
            if works and not any(w in a for w in works):
                continue
            truth.pairs.append(("edition", book(repo, a), book(repo, b), None))
    if "commentary" in sets:
        for repo, comm, base_repo, base in COMMENTARIES:
            c, s = book(repo, comm), book(base_repo, base)
            truth.pairs.append(("commentary", c, s, s))
    if "unrelated" in sets:
        for repo, path in UNRELATED:
            book(repo, path)
    return truth


def sample_works(mirror: Path, n: int, seed: int) -> list[tuple[Repo, str, str]]:
    """(repository, version file, version file) of n works: every work with two or more version files
    of SAMPLE_BYTES, shuffled by `seed`, the first of each author in that order, its first two
    versions by name (no pick by what they share: the truth rule sorts editions from parts)."""
    works: dict[str, tuple[Repo, list[str]]] = {}
    for name in OPENITI:
        repo = Repo(mirror, name)
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for path, size in sorted(repo.files("data").items()):
            parts = path.rsplit("/", 1)[-1].split(".")
            if (len(parts) >= 3 and re.fullmatch(r".+-ara\d", parts[2]) and not path.endswith(".yml")
                    and SAMPLE_BYTES[0] <= size <= SAMPLE_BYTES[1]):
                found[".".join(parts[:2])].setdefault(parts[2], path)
        for work, versions in found.items():
            if len(versions) >= 2:
                works[work] = (repo, [versions[v] for v in sorted(versions)[:2]])
    order = sorted(works)
    random.Random(seed).shuffle(order)
    authors: set[str] = set()
    picked = []
    for work in order:
        if work.split(".")[0] not in authors:
            authors.add(work.split(".")[0])
            picked.append((works[work][0], *works[work][1]))
    return picked[:n]


def load_sample(picked: list[tuple[Repo, str, str]]) -> Truth:
    """The sampled pairs with realtext's truth: editions when each shares EDITION_SHARED of its 8-word
    runs with the other, else two texts the truth does not relate."""
    truth = Truth()
    for repo, *paths in picked:
        keys, texts = [], []
        for path in paths:
            keys.append(".".join(path.rsplit("/", 1)[-1].split(".")[:3]))  # status suffix left off
            texts.append(openiti_plain(repo.read(path)))
            truth.books.append(Book(keys[-1], texts[-1]))
        shared = (_shared_runs(texts[0], texts[1]), _shared_runs(texts[1], texts[0]))
        truth.sampled[(keys[0], keys[1])] = {"shared": shared, "chars": (len(texts[0]), len(texts[1]))}
        if min(shared) >= EDITION_SHARED:
            truth.pairs.append(("edition", keys[0], keys[1], None))
    return truth


def prefix(text: str, cut: float) -> str:
    """The first `cut` of a text, ended at a line end (the whole text at 1)."""
    if cut >= 1:
        return text
    end = text.rfind("\n", 0, int(len(text) * cut))
    return text[:end + 1] if end > 0 else text[:int(len(text) * cut)]


class Sampler:
    """Per stage wall, CPU and peak RSS of a process tree, sampled every `every` seconds: the stage is
    the last one the trace's progress lines on stderr name (bench/cores.py's reading)."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.rss: dict[str, float] = defaultdict(float)  # MB, all processes at once

    def _tree_rss(self, root: int) -> float:
        parents: dict[int, int] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):  # a process gone meanwhile
                    parents[int(name)] = int(Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[1])
        tree, todo = [], [root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(p for p, pp in parents.items() if pp == pid)
        mb = 0.0
        for pid in tree:
            with contextlib.suppress(OSError, IndexError, ValueError):
                mb += int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * self.PAGE / 2**20
        return mb

    def run(self, command: list[str], env: dict[str, str]) -> int:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
                                env=env)  # the trace's summary is not this bench's
        seen = followed(proc)
        last_t, last_cpu = time.perf_counter(), 0.0
        while proc.poll() is None:
            time.sleep(self.every)
            cpu, now = tree_cpu(proc.pid), time.perf_counter()
            if cpu is None:
                break
            st = seen["stage"]
            self.wall[st] += now - last_t
            self.cpu[st] += cpu - last_cpu
            self.rss[st] = max(self.rss[st], self._tree_rss(proc.pid))
            last_t, last_cpu = now, cpu
        return proc.wait()


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def judge(truth: Truth, out: Path) -> dict:
    """Documents per file, each true pair's strongest relation, strong relations between the rest."""
    docs = load_jsonl(out / "documents.jsonl")
    file_of = {d["id"]: Path(d["path"]).name for d in docs}
    per_file: dict[str, int] = defaultdict(int)
    for d in docs:
        per_file[file_of[d["id"]]] += 1
    rels: dict[frozenset, list[dict]] = defaultdict(list)
    for r in load_jsonl(out / "relations.jsonl"):
        rels[frozenset((file_of[r["a"]], file_of[r["b"]]))].append(r)
    passages: dict[frozenset, int] = defaultdict(int)
    for p in load_jsonl(out / "passages.jsonl"):
        passages[frozenset((file_of[p["a"]], file_of[p["b"]]))] += 1
    pairs, true_keys = [], set()
    for kind, a, b, source in truth.pairs:
        key = frozenset((a + ".txt", b + ".txt"))
        true_keys.add(key)
        rs = rels.get(key, [])
        best = max(rs, key=lambda r: (STRENGTH.get(r["type"], 1), r.get("score", 0.0))) if rs else None
        got_source = file_of.get(best["source"]) if best and best.get("source") else None
        ok = (best is not None and (best["type"] in ("copy", "revision") if kind == "edition" else
                                    best["type"] == "derived" and got_source == (source or "") + ".txt"))
        pairs.append({"kind": kind, "a": a, "b": b, "type": best["type"] if best else "none",
                      "source": got_source, "coverage": [best["coverage_a"], best["coverage_b"]] if best else None,
                      "passages": passages.get(key, 0), "right": ok})
    strong = sorted(" ~ ".join(sorted(k)) + f": {r['type']}" for k, rs in rels.items() if k not in true_keys
                    for r in rs if STRENGTH.get(r["type"], 1) > 0)
    sampled = []
    for (a, b), facts in truth.sampled.items():
        key = frozenset((a + ".txt", b + ".txt"))
        rs = rels.get(key, [])
        best = max(rs, key=lambda r: (STRENGTH.get(r["type"], 1), r.get("score", 0.0))) if rs else None
        sampled.append({"a": a, "b": b, "edition": key in true_keys, "type": best["type"] if best else "none",
                        "coverage": [best["coverage_a"], best["coverage_b"]] if best else None,
                        "passages": passages.get(key, 0), **facts})
    return {"documents": dict(per_file), "pairs": pairs, "strong_unrelated": strong, "sampled": sampled}


def trace_cut(truth: Truth, cut: float, work: Path, encoder: str | None = None, name: str = "") -> dict:
    name = name or f"cut{cut:g}"
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    chars = words = 0
    for b in truth.books:
        text = prefix(b.text, cut)
        (folder / f"{b.key}.txt").write_text(text, encoding="utf-8")
        chars, words = chars + len(text), words + len(text.split())
    out, db = work / f"out-{name}", work / f"{name}.db"
    db.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    sampler = Sampler()
    t0 = time.perf_counter()
    code = sampler.run([sys.executable, "-m", "sourcetrace", "trace", str(folder), "--out", str(out),
                        "--db", str(db), *(["--encoder", encoder] if encoder else [])], env)
    wall = time.perf_counter() - t0
    res = {"cut": cut, "chars": chars, "words": words, "exit": code, "wall": wall,
           "stages": {s: {"wall": sampler.wall[s], "cpu": sampler.cpu[s], "rss_mb": sampler.rss[s]}
                      for s in sampler.wall}}
    if code == 0:
        res.update(judge(truth, out))
    return res


def report(runs: list[dict]) -> str:
    lines = ["cut    words      chars   wall s   CPU s  peak MB"]
    for r in runs:
        st = r["stages"].values()
        lines.append(f"{r['cut']:<5g} {r['words']:>8,} {r['chars']:>10,} {r['wall']:8.1f} "
                     f"{sum(s['cpu'] for s in st):7.1f} {max((s['rss_mb'] for s in st), default=0):8.0f}")
    stages = [s for s in runs[-1]["stages"] if s != "start"]
    lines.append("\nCPU s per stage (ratio to the cut before; linear in the length = cut ratio)")
    lines.append(f"{'stage':12}" + "".join(f"{r['cut']:>16g}" for r in runs))
    for s in stages:
        row, prev = f"{s:12}", None
        for r in runs:
            c = r["stages"].get(s, {}).get("cpu", 0.0)
            row += f"{c:9.1f}" + (f" ({c / prev:4.2f})" if prev else "       ")
            prev = c if c > 0.05 else None
        lines.append(row)
    lines.append(f"{'peak MB':12}" + "".join(f"{max(x['rss_mb'] for x in r['stages'].values()):9.0f}       "
                                           for r in runs))
    for r in runs:
        lines.append(f"\ncut {r['cut']:g}: exit {r['exit']}")
        if "pairs" not in r:
            continue
        multi = {k: n for k, n in r["documents"].items() if n != 1}
        lines.append(f"  files {len(r['documents'])}, read as more than one document: {multi or 'none'}")
        for p in r["pairs"]:
            lines.append(f"  {p['kind']:10} {p['a']} ~ {p['b']}: {p['type']} source {p['source']} "
                         f"coverage {p['coverage']} passages {p['passages']} {'right' if p['right'] else 'WRONG'}")
        lines.append(f"  strong relations between unrelated files: {len(r['strong_unrelated'])} "
                     + "; ".join(r["strong_unrelated"][:6]))
    return "\n".join(lines)


def sample_report(runs: list[dict]) -> str:
    """Every sampled pair of every batch: the truth's reading (shared 8-word runs) and the type."""
    rows = [r for run in runs for r in run.get("sampled", [])]
    lines = [f"\n{len(rows)} sampled pairs; editions by the truth: {sum(r['edition'] for r in rows)}; "
             "type / coverage / shared runs / characters:"]
    for r in sorted(rows, key=lambda r: (not r["edition"], r["type"], r["a"])):
        right = r["type"] in ("copy", "revision") if r["edition"] else STRENGTH.get(r["type"], 1) <= 0
        cov = "-" if r["coverage"] is None else f"{r['coverage'][0]:.2f}/{r['coverage'][1]:.2f}"
        lines.append(f"  {'edition' if r['edition'] else 'not    '} {r['type']:9} {cov:9} "
                     f"shared {r['shared'][0]:.2f}/{r['shared'][1]:.2f} chars {r['chars'][0]:,}/{r['chars'][1]:,} "
                     f"{r['a']} ~ {r['b'].split('.')[-1]} {'right' if right else 'WRONG'}")
    eds = [r for r in rows if r["edition"]]
    lines.append(f"editions typed copy/revision: {sum(r['type'] in ('copy', 'revision') for r in eds)}/{len(eds)}; "
                 f"strong relations between files the truth does not relate: "
                 f"{sum(len(run.get('strong_unrelated', [])) for run in runs)}; files read as more than one document: "
                 f"{sum(n != 1 for run in runs for n in run.get('documents', {}).values())}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cuts", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    ap.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    ap.add_argument("--works", nargs="+", help="of the editions set, only the works whose file names contain one of these")
    ap.add_argument("--mirror", type=Path, default=MIRROR)
    ap.add_argument("--encoder", help="trace's --encoder (default: trace's own choice, E5+USE up to 200 documents)")
    ap.add_argument("--keep", type=Path, help="trace in this folder and keep it (default: a temporary one)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--editions-sample", type=int, metavar="N", help="edition pairs of N works picked by the rule above")
    ap.add_argument("--seed", type=int, default=36, help="the sample's shuffle")
    ap.add_argument("--batch", type=int, default=6, help="works traced together (--editions-sample)")
    ap.add_argument("--skip", type=int, default=0, help="leave out the sample's first works (batches run apart)")
    args = ap.parse_args()
    if args.editions_sample:
        picked = sample_works(args.mirror, args.editions_sample, args.seed)[args.skip:]
        with tempfile.TemporaryDirectory(prefix="books-") as tmp:
            work = args.keep or Path(tmp)
            runs = []
            for i in range(0, len(picked), args.batch):
                truth = load_sample(picked[i:i + args.batch])
                runs.append(trace_cut(truth, 1.0, work, args.encoder, name=f"batch{(args.skip + i) // args.batch}"))
                print(report(runs[-1:]) + sample_report(runs[-1:]), file=sys.stderr, flush=True)
        print(json.dumps(runs, ensure_ascii=False, indent=1) if args.json else sample_report(runs))
        return 0
    truth = load(args.mirror, args.sets, args.works)
    with tempfile.TemporaryDirectory(prefix="books-") as tmp:
        work = args.keep or Path(tmp)
        runs = []
        for cut in sorted(args.cuts):
            runs.append(trace_cut(truth, cut, work, args.encoder))
            print(report(runs[-1:]), file=sys.stderr, flush=True)
    print(json.dumps(runs, ensure_ascii=False, indent=1) if args.json else report(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
