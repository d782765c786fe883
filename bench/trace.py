"""Corpus-scale benchmark of `sourcetrace trace` on a planted corpus: speed, memory, accuracy.

    .venv/bin/python bench/trace.py [--docs 50000] [--half] [--incremental 0.01] [--keep DIR]
                                    [--seed 7] [--check-docs 6000]

`synthetic.planted_corpus` writes N documents with planted copies, near-copies, translations,
derived reports and revisions; the stages `sourcetrace trace` runs (ingest -> sentence vectors ->
topic vectors -> candidates -> align_all with the fast encoder "use" -> relate_all -> facts; the
quote index is left to the first search) then run in this process against a fresh SQLite store, each timed. Printed:

* documents/s overall and per stage; with --half the same corpus family at N/2 first, and the
  ratio time(N) / time(N/2) (bar <= 2.3: near-linear scaling);
* peak RSS (bar < 4 GB): this process and its alignment workers together, sampled every 0.2 s per
  stage, or this process's own ru_maxrss if higher (sampling can miss a short spike; ru_maxrss
  cannot). The children's ru_maxrss is no measure of the workers: a spawned worker is forked
  before it execs, and that instant counts the whole parent's RSS as the child's;
* candidate recall on the planted pairs, by type (bar >= 0.99);
* relation recall (a planted pair is found when a relation of an acceptable type joins the two
  documents: copy -> copy|derived, near-copy -> copy|derived, translation -> translation,
  derived -> derived, revision -> revision|derived) and precision (share of the directed, i.e.
  non-"related", relations inside one planted family, i.e. an original and the documents planted
  from it; bar >= 0.95). Two copies of one original rightly relate to each other without being a
  planted pair: a strict figure that counts such siblings as wrong is printed beside it.
  Direction accuracy: the relation's source is the planted source;
* incremental: 1% new documents (new originals from another seed, and documents planted from
  existing originals: copies, near-copies, translations, derived reports, revisions) are written
  next to the corpus and the stages run again on the same store; that run's time as a share of the
  fresh run (bar <= 5%), its accuracy on the grown ground truth, and whether its relations equal
  those of a fresh run over all the files ("same answers"; above --check-docs documents the
  comparison runs on a separate corpus of --check-docs documents).

Speed figures are printed, never asserted. Sentence encoding (USE, 2 threads) dominates; pairs are
aligned in one worker process per core ($SOURCETRACE_WORKERS).
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from sourcetrace.encode import get_encoder  # noqa: E402
from sourcetrace.engines import local  # noqa: E402
from sourcetrace.engines.ingest import ingest  # noqa: E402
from sourcetrace.engines.workers import default_workers  # noqa: E402
from sourcetrace.records import Relation  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

STAGES = ("read", "encode", "topics", "candidates", "align", "relate", "facts")  # the quote index: first search
TYPES = ("copy", "near-copy", "translation", "derived", "revision")
ACCEPT = {"copy": {"copy", "derived"}, "near-copy": {"copy", "derived"}, "translation": {"translation"},
          "derived": {"derived"}, "revision": {"revision", "derived"}}
NEW_DIR = "zz_new"  # incremental files go here, after the corpus in walk order


WORKERS = default_workers()


class Memory:
    """The RSS of this process and of its worker processes together, sampled every `every`
    seconds in a thread, with the maximum per stage: the real simultaneous peak (workers run only
    during the align stage). A spike shorter than `every` can
    be missed; this process's own exact peak (ru_maxrss) is printed beside it. Sampling reads
    only the processes' statm files: scanning /proc for descendants cost a tenth of a core."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.stage = "-"
        self.peak: dict[str, float] = defaultdict(float)  # stage -> all processes
        self.own: dict[str, float] = defaultdict(float)  # stage -> this process alone
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @classmethod
    def _rss_mb(cls, pid: int | str) -> float:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                return int(fh.read().split()[1]) * cls.PAGE / 2**20
        except (OSError, IndexError, ValueError):
            return 0.0

    def _run(self) -> None:
        import multiprocessing

        while not self._stop.wait(self.every):
            own = self._rss_mb("self")
            try:
                children = [c.pid for c in multiprocessing.active_children()]
            except RuntimeError:  # the pool started a process while we looked
                continue
            mb = own + sum(self._rss_mb(pid) for pid in children)
            stage = self.stage
            self.peak[stage] = max(self.peak[stage], mb)
            self.own[stage] = max(self.own[stage], own)

    @property
    def overall(self) -> float:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return max([own, *self.peak.values()])


MEMORY: Memory | None = None


def at_stage(name: str) -> None:
    if MEMORY is not None:
        MEMORY.stage = name


def say(msg: str) -> None:
    print(msg, flush=True)


# -- running the stages ----------------------------------------------------------------------------
@dataclass
class Run:
    """One pass of the trace stages over a directory against a store."""

    docs: int = 0
    files_read: int = 0
    times: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds, this process and its reaped workers
    pairs: set[tuple[str, str]] = field(default_factory=set)  # candidate pairs, a < b
    aligned: int = 0  # pairs aligned this run (not already in the store)
    passages: int = 0
    relations: list[Relation] = field(default_factory=list)
    families: int = 0
    key_of: dict[str, str] = field(default_factory=dict)  # document id -> "relpath#N"
    memory: dict[str, float] = field(default_factory=dict)  # stage -> sampled peak MB, all processes
    memory_own: dict[str, float] = field(default_factory=dict)  # stage -> sampled peak MB, this process

    @property
    def total(self) -> float:
        return sum(self.times.values())


def _cpu() -> float:
    """CPU seconds so far of this process (all its threads: the encoder's) and of its children
    that have ended (the alignment workers, counted once their pool is closed). Wall time on a
    shared machine says how busy it was; CPU time says what a stage costs."""
    own, done = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + done.ru_utime + done.ru_stime


def run_trace(root: Path, store: Store, label: str) -> Run:
    """`sourcetrace trace` through the local engine (engines/local.py), each stage timed as the
    engine announces it."""
    run = Run()
    clock = {"stage": "read", "t": time.perf_counter(), "cpu": _cpu()}
    todo: list[int] = []

    def stage(name: str) -> None:
        now, cpu = time.perf_counter(), _cpu()
        run.times[clock["stage"]] = run.times.get(clock["stage"], 0.0) + now - clock["t"]
        run.cpu[clock["stage"]] = run.cpu.get(clock["stage"], 0.0) + cpu - clock["cpu"]
        say(f"  [{label}] {clock['stage']} {now - clock['t']:.1f}s (cpu {cpu - clock['cpu']:.1f}s)")
        clock.update(stage=name, t=now, cpu=cpu)
        if name in STAGES:
            at_stage(f"{label} {name}")

    def total(n: int) -> None:
        if clock["stage"] == "align":
            todo.append(n)

    at_stage(f"{label} read")
    report = ingest([str(root)], store, workers=WORKERS)  # as `sourcetrace trace` reads
    docs = list(store.documents(report.files))
    say(f"  [{label}] read {len(docs)} documents ({report.read} files read, {report.unchanged} unchanged, "
        f"{len(report.failures)} failures)")
    # As the command line asks (no corpus's sentences and texts in the Trace), where the code has the
    # choice (bench/rerun.py runs other checkouts' code through this).
    asked = {"corpus": False} if "corpus" in inspect.signature(local.trace_documents).parameters else {}
    result = local.trace_documents(store, docs, encoder=get_encoder("use"),
                                   progress=local.Progress(stage=stage, total=total), **asked)
    run.times.pop("done", None)
    run.cpu.pop("done", None)
    run.docs, run.files_read = len(docs), report.read
    run.pairs = {(a, b) if a < b else (b, a) for a, b in result.pairs.related}
    run.aligned, run.passages = (todo[0] if todo else 0), len(result.passages)
    relations, fams = result.relations, result.families
    run.relations, run.families = relations, len(fams)
    at_stage(f"{label} evaluation")
    if MEMORY is not None:
        run.memory = {s: MEMORY.peak.get(f"{label} {s}", 0.0) for s in STAGES}
        run.memory_own = {s: MEMORY.own.get(f"{label} {s}", 0.0) for s in STAGES}
    say(f"  [{label}] relations {len(relations)} ({Counter(r.type for r in relations)}), {len(fams)} families "
        f"{run.times['relate']:.1f}s; total {run.total:.1f}s, "
        f"peak RSS, sampled, all processes: "
        f"{', '.join(f'{k} {v:.0f}' for k, v in run.memory.items())} MB")
    # planted keys are "relpath#N": map ids by file path and document order
    nth: dict[str, int] = defaultdict(int)
    for d in docs:
        rel = os.path.relpath(d.path, root).replace(os.sep, "/")
        nth[rel] += 1
        run.key_of[d.id] = f"{rel}#{nth[rel]}"
    return run


# -- incremental documents -------------------------------------------------------------------------
def add_documents(root: Path, truth: dict, seed: int, n_new: int, tag: str = "incremental",
                  new_dir: str = NEW_DIR) -> dict:
    """Write `n_new` documents under root/NEW_DIR: about 40% planted from existing originals (one of
    each type in turn), the rest new originals drawn with another seed. Returns their ground truth
    in the shape of `planted_corpus`'s."""
    rng = random.Random(f"{seed}:{tag}")
    other = 1_000_003 if tag == "incremental" else zlib.crc32(tag.encode())  # new originals' seed offset
    keys = list(truth["docs"])  # planted_corpus positions, in order
    originals = [pos for pos, k in enumerate(keys) if truth["docs"][k]["role"] == "original"]
    n_planted = min(len(originals), round(n_new * 0.4)) if n_new >= 3 else 0
    out: dict = {"docs": {}, "pairs": []}
    (root / new_dir).mkdir(parents=True, exist_ok=True)
    for i in range(n_new):
        rel = f"{new_dir}/add{i:05d}.txt"
        key = f"{rel}#1"
        if i < n_planted:
            kind = TYPES[i % len(TYPES)]
            pos = rng.choice(originals)
            src, lang = synthetic._original(seed, pos)
            info = truth["docs"][keys[pos]]
            text = (root / info["file"]).read_text(encoding="utf-8")
            assert text[info["start"]:info["end"]] == src.render(lang), "cannot rebuild the original"
            prng = random.Random(f"{seed}:{tag}:{i}")
            if kind == "copy":
                doc = synthetic._copy(src, prng)
            elif kind == "near-copy":
                doc = synthetic._near_copy(src, prng)
            elif kind == "translation":
                doc, lang = src, ("en" if lang == "ar" else "ar")
            elif kind == "derived":
                doc, _ = synthetic._derived(src, prng)
            else:
                doc = synthetic._revision(src, prng)
            out["pairs"].append({"a": keys[pos], "b": key, "type": kind, "source": keys[pos]})
            role = kind
        else:
            doc, lang = synthetic._original(seed + other, i)
            role = "original"
        body = doc.render(lang)
        (root / rel).write_text(body, encoding="utf-8")
        out["docs"][key] = {"file": rel, "role": role, "lang": lang, "start": 0, "end": len(body)}
    return out


# -- accuracy --------------------------------------------------------------------------------------
@dataclass
class Accuracy:
    cand: dict[str, list[int]] = field(default_factory=dict)  # type -> [planted, in candidates]
    rel: dict[str, list[int]] = field(default_factory=dict)  # type -> [planted, found, any relation]
    direction: dict[str, list[int]] = field(default_factory=dict)  # type -> [found, right, no source]
    confusion: dict[str, Counter] = field(default_factory=dict)  # planted type -> relation type got
    directed: int = 0
    precise: int = 0
    in_family: int = 0  # directed relations inside one planted family (planted or implied)
    examples: list[str] = field(default_factory=list)

    def cand_recall(self) -> float:
        return sum(v[1] for v in self.cand.values()) / max(1, sum(v[0] for v in self.cand.values()))

    def rel_recall(self) -> float:
        return sum(v[1] for v in self.rel.values()) / max(1, sum(v[0] for v in self.rel.values()))

    def direction_acc(self) -> float:
        return sum(v[1] for v in self.direction.values()) / max(1, sum(v[0] for v in self.direction.values()))


def evaluate(run: Run, truth: dict, root: Path, max_examples: int = 4) -> Accuracy:
    acc = Accuracy()
    id_of = {k: i for i, k in run.key_of.items()}
    planted: dict[tuple[str, str], dict] = {}
    family: dict[str, str] = {}  # key -> its family's original
    for p in truth["pairs"]:
        planted[(min(p["a"], p["b"]), max(p["a"], p["b"]))] = p
        family[p["b"]] = p["source"]
        family.setdefault(p["a"], p["source"])
    by_pair = {}
    for r in run.relations:
        ka, kb = run.key_of.get(r.a, r.a), run.key_of.get(r.b, r.b)
        by_pair[(min(ka, kb), max(ka, kb))] = r
    missed_cand: list[str] = []
    wrong: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pk, p in planted.items():
        t = p["type"]
        a, b = id_of.get(pk[0]), id_of.get(pk[1])
        c = acc.cand.setdefault(t, [0, 0])
        c[0] += 1
        in_cand = a is not None and b is not None and (min(a, b), max(a, b)) in run.pairs
        c[1] += in_cand
        if not in_cand:
            missed_cand.append(f"missed candidate: {t} {p['source']} -> {p['b']} ({_describe(truth, p, root)})")
        r = by_pair.get(pk)
        got = r.type if r else "none"
        acc.confusion.setdefault(t, Counter())[got] += 1
        v = acc.rel.setdefault(t, [0, 0, 0])
        v[0] += 1
        v[2] += r is not None
        if r is not None and got in ACCEPT[t]:
            v[1] += 1
            d = acc.direction.setdefault(t, [0, 0, 0])
            d[0] += 1
            src = run.key_of.get(r.source) if r.source else None
            d[1] += src == p["source"]
            d[2] += src is None
            if src != p["source"]:
                wrong[(t, "direction")].append(
                    f"wrong direction: {t} planted {p['source']} -> {p['b']}, got {got} with source "
                    f"{src} [{'; '.join(r.evidence)}] ({_describe(truth, p, root)})")
        elif in_cand:
            ev = "; ".join(r.evidence) if r else "no relation"
            wrong[(t, got)].append(f"wrong type: {t} {p['source']} -> {p['b']} got {got} "
                                   f"(cov {r.coverage_a:.2f}/{r.coverage_b:.2f}, {r.passages} passages) [{ev}]"
                                   if r else f"wrong type: {t} {p['source']} -> {p['b']} got no relation "
                                   f"({_describe(truth, p, root)})")
    false_pos: list[str] = []
    for pk, r in by_pair.items():
        if r.type == "related":
            continue
        acc.directed += 1
        p = planted.get(pk)
        if p is not None and r.type in ACCEPT[p["type"]]:
            acc.precise += 1
            acc.in_family += 1
        elif pk[0] in family and family.get(pk[0]) == family.get(pk[1]):
            acc.in_family += 1  # e.g. two copies of one original, or a copy and a translation
        else:
            what = f"planted {p['type']}" if p else "not planted, different families"
            false_pos.append(f"false {r.type}: {pk[0]} / {pk[1]} ({what}; cov {r.coverage_a:.2f}/"
                             f"{r.coverage_b:.2f}, {r.passages} passages) [{'; '.join(r.evidence)}]")
    acc.examples = missed_cand[:max_examples]
    for key in sorted(wrong):
        acc.examples += wrong[key][:max_examples]
    acc.examples += false_pos[:max_examples]
    return acc


def _describe(truth: dict, p: dict, root: Path) -> str:
    a, b = truth["docs"][p["source"]], truth["docs"][p["b"]]
    return f"{a['lang']} {a['end'] - a['start']} chars / {b['lang']} {b['end'] - b['start']} chars"


def rel_key(run: Run, r: Relation) -> tuple:
    ka, kb = run.key_of.get(r.a, r.a), run.key_of.get(r.b, r.b)
    src = run.key_of.get(r.source, r.source) if r.source else None
    return (min(ka, kb), max(ka, kb), r.type, src)


def same_answers(one: Run, two: Run) -> tuple[bool, list[str]]:
    a = {rel_key(one, r) for r in one.relations}
    b = {rel_key(two, r) for r in two.relations}
    diff = [f"only incremental: {x}" for x in sorted(a - b)[:3]] + [f"only fresh: {x}" for x in sorted(b - a)[:3]]
    return a == b, diff + ([f"({len(a - b)} only incremental, {len(b - a)} only fresh of {len(b)})"]
                           if a != b else [])


# -- one experiment: fresh run, accuracy, incremental, optional fresh-over-all comparison ----------
@dataclass
class Result:
    n: int
    gen: float = 0.0
    fresh: Run | None = None
    acc: Accuracy | None = None
    inc: Run | None = None
    inc_acc: Accuracy | None = None
    n_new: int = 0
    same: bool | None = None
    same_notes: list[str] = field(default_factory=list)
    same_at: int = 0


def experiment(n: int, seed: int, work: Path, incremental: float, check: bool, label: str,
               accuracy: bool = True) -> Result:
    res = Result(n)
    corpus, db = work / f"corpus{n}", work / f"store{n}.db"
    for p in (corpus, db):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    t = time.perf_counter()
    truth = synthetic.planted_corpus(corpus, n, seed)
    res.gen = time.perf_counter() - t
    say(f"[{label}] planted corpus of {len(truth['docs'])} documents, {len(truth['pairs'])} planted pairs "
        f"({Counter(p['type'] for p in truth['pairs'])}) in {res.gen:.1f}s -> {corpus}")
    with Store(db) as store:
        res.fresh = run_trace(corpus, store, f"{label} fresh")
        if accuracy:
            res.acc = evaluate(res.fresh, truth, corpus)
            say(f"[{label}] accuracy of the fresh run (candidate recall {res.acc.cand_recall():.4f}):")
            _accuracy_rows(lambda name, value, bar="": say(f"    {name}: {value} {bar}".rstrip()), res.acc,
                           lambda cond: "ok" if cond else "MISSED")
        if incremental > 0:
            res.n_new = max(1, round(n * incremental))
            new = add_documents(corpus, truth, seed, res.n_new)
            truth["docs"].update(new["docs"])
            truth["pairs"] += new["pairs"]
            say(f"[{label}] added {res.n_new} documents ({len(new['pairs'])} planted from existing originals)")
            res.inc = run_trace(corpus, store, f"{label} incremental")
            if accuracy:
                res.inc_acc = evaluate(res.inc, truth, corpus)
    if check and res.inc is not None:
        db2 = work / f"store{n}-all.db"
        if db2.exists():
            db2.unlink()
        with Store(db2) as store:
            whole = run_trace(corpus, store, f"{label} fresh over all files")
        res.same, res.same_notes = same_answers(res.inc, whole)
        res.same_at = whole.docs
    return res


# -- the table -------------------------------------------------------------------------------------
def table(res: Result, half: Result | None, check: Result | None, encoder_load: float) -> str:
    f = res.fresh
    assert f is not None and res.acc is not None
    rows: list[tuple[str, str, str]] = []

    def row(name: str, value: str, bar: str = "") -> None:
        rows.append((name, value, bar))

    def ok(cond: bool) -> str:
        return "ok" if cond else "MISSED"

    row("documents (fresh run)", f"{f.docs}")
    row("corpus generation (not timed in trace)", f"{res.gen:.1f} s")
    row("encoder load (once, not in stages)", f"{encoder_load:.1f} s")
    row("trace total", f"{f.total:.1f} s = {f.docs / f.total:.1f} docs/s")
    for s in STAGES:
        row(f"  {s}", f"{f.times[s]:.1f} s = {f.docs / max(f.times[s], 1e-9):.0f} docs/s  ({f.times[s] / f.total:.0%}); "
            f"cpu {f.cpu.get(s, 0.0):.1f} s = {1000 * f.cpu.get(s, 0.0) / max(f.docs, 1):.2f} ms/doc")
    row("candidate pairs / aligned pairs / passages", f"{len(f.pairs)} ({len(f.pairs) / f.docs:.2f}/doc) / "
        f"{f.aligned} / {f.passages}")
    row("relations / families", f"{len(f.relations)} ({dict(Counter(r.type for r in f.relations))}) / {f.families}")
    if half is not None and half.fresh is not None:
        ratio = f.total / half.fresh.total
        row(f"time(N)/time(N/2) ({f.docs} vs {half.fresh.docs} docs)", f"{f.total:.1f}/{half.fresh.total:.1f} s "
            f"= {ratio:.2f}", f"<= 2.3 {ok(ratio <= 2.3)}")
        for s in STAGES:
            row(f"  {s}", f"{f.times[s] / max(half.fresh.times[s], 1e-9):.2f}")
    if MEMORY is not None and f.memory:
        peak = MEMORY.overall
        row("peak RSS of the whole bench, all processes at once (sampled, or this process's ru_maxrss "
            "if higher)", f"{peak:.0f} MB", f"< 4096 {ok(peak < 4096)}")
        row("  fresh run, by stage (sampled)", "")
        for s in STAGES:
            row(f"  {s}", f"{f.memory[s]:.0f} MB (this process {f.memory_own[s]:.0f} MB)" if f.memory[s]
                else "(shorter than one sample)")

    a = res.acc
    cr = a.cand_recall()
    row("candidate recall (planted pairs)", f"{cr:.4f}", f">= 0.99 {ok(cr >= 0.99)}")
    for t in TYPES:
        if t in a.cand:
            row(f"  {t}", f"{a.cand[t][1] / a.cand[t][0]:.4f} (n={a.cand[t][0]})")
    _accuracy_rows(row, a, ok)
    if res.inc is not None:
        i = res.inc
        share = i.total / f.total
        row(f"incremental: +{res.n_new} docs, time share of fresh", f"{i.total:.1f} s = {share:.1%}",
            f"<= 5% {ok(share <= 0.05)}")
        for s in STAGES:
            row(f"  {s}", f"{i.times[s]:.1f} s ({i.times[s] / max(f.times[s], 1e-9):.0%} of fresh)")
        row("  pairs aligned in incremental run", f"{i.aligned}")
        if res.inc_acc is not None:
            ia = res.inc_acc
            row("  after incremental: candidate / relation recall", f"{ia.cand_recall():.4f} / {ia.rel_recall():.4f}")
            row("  after incremental: precision strict / in-family",
                f"{ia.precise / max(1, ia.directed):.4f} / {ia.in_family / max(1, ia.directed):.4f}")
    src = res if res.same is not None else check
    if src is not None and src.same is not None:
        row(f"same answers as a fresh run over all files ({src.same_at} docs)", "yes" if src.same else "no",
            ok(src.same))
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    lines = [f"{'figure':<{w}}  {'value':<{v}}  bar", "-" * (w + v + 16)]
    lines += [f"{n:<{w}}  {val:<{v}}  {bar}".rstrip() for n, val, bar in rows]
    return "\n".join(lines)


def _accuracy_rows(row, a: Accuracy, ok) -> None:
    rr = a.rel_recall()
    row("relation recall (acceptable type)", f"{rr:.4f}")
    for t in TYPES:
        if t in a.rel:
            n, found, any_rel = a.rel[t]
            conf = ", ".join(f"{k} {v}" for k, v in a.confusion[t].most_common())
            row(f"  {t}", f"{found / n:.4f} (n={n}; any relation {any_rel / n:.3f}; got: {conf})")
    p = a.in_family / max(1, a.directed)
    row("relation precision (same planted family)", f"{p:.4f} ({a.in_family}/{a.directed} directed)",
        f">= 0.95 {ok(p >= 0.95)}")
    row("  strict: planted pairs only", f"{a.precise / max(1, a.directed):.4f} (siblings, e.g. two copies "
        "of one original, count as wrong)")
    row("direction accuracy (found pairs)", f"{a.direction_acc():.4f}")
    for t in TYPES:
        if t in a.direction:
            n, right, none = a.direction[t]
            row(f"  {t}", f"{right / max(1, n):.4f} (n={n}, no source {none})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--half", action="store_true", help="also run N/2 first (same seed) for the scaling ratio")
    ap.add_argument("--incremental", type=float, default=0.01, help="share of documents added (0: skip)")
    ap.add_argument("--check-docs", type=int, default=6000,
                    help="compare incremental with fresh-over-all at full size up to this many documents, "
                         "else on a separate corpus of this size (0: skip)")
    ap.add_argument("--keep", type=Path, help="keep corpora and stores in this directory")
    args = ap.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench_trace_")
        work = Path(tmp.name)
    say(f"bench/trace.py --docs {args.docs} --seed {args.seed} half={args.half} incremental={args.incremental} "
        f"work={work}")
    global MEMORY
    MEMORY = Memory()
    t = time.perf_counter()
    get_encoder("use").encode(["warm up the encoder", "تسخين"])
    encoder_load = time.perf_counter() - t
    try:
        half = None
        if args.half:
            half = experiment(args.docs // 2, args.seed, work, 0, False, "N/2", accuracy=False)
        full_check = args.incremental > 0 and 0 < args.docs <= args.check_docs
        res = experiment(args.docs, args.seed, work, args.incremental, full_check, "N")
        check = None
        if args.incremental > 0 and args.check_docs > 0 and not full_check:
            check = experiment(args.check_docs, args.seed + 1, work, args.incremental, True, "check",
                               accuracy=False)
        say("\nexamples (missed candidates, wrong types or directions, false directed relations):")
        for line in res.acc.examples if res.acc else []:
            say(f"  {line}")
        for src in (res, check):
            if src is not None and src.same is False:
                say("differences incremental vs fresh over all files:")
                for line in src.same_notes:
                    say(f"  {line}")
        if MEMORY is not None:
            say("sampled peak RSS per step, all processes (this process): " + ", ".join(
                f"{k} {v:.0f} ({MEMORY.own[k]:.0f})" for k, v in MEMORY.peak.items()))
        say(f"\n== sourcetrace trace on a planted corpus of {args.docs} documents ==")
        say(table(res, half, check, encoder_load))
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
