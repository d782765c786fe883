"""sourcetrace against passim on the same planted corpus, in the same run (issue 18).

    PASSIM_VENV=/work/passim-venv .venv/bin/python bench/vs_passim.py [--docs 10000 25000 50000]
        [--seed 7] [--passim-venv DIR] [--peers DIR] [--encoder SPEC] [--passim-options "-m 20"]
        [--without-passim] [--keep DIR] [--json] [--rounds N]

For each size, `synthetic.planted_corpus` writes the corpus as one `.txt` file per document in one
directory (what passim's run.sh reads); then, one after the other:

* sourcetrace: `sourcetrace trace CORPUS --out OUT --db DB` on a fresh store, as its own process
  (the CLI a user runs, from this checkout's src/), with no --encoder unless --encoder is given;
* passim: `../shared/peers/passim/run.sh CORPUS OUT [OPTIONS]` (Spark local[2]; passim's defaults
  unless --passim-options is given, e.g. "-m 20": its README's n-gram filter, which a user tunes
  when too many document pairs share a few n-grams. On the planted corpus at 10,000 documents
  passim's defaults (-n 25 -u 100 -m 5) make 401,050 candidate pairs (99.7% across families: the
  generator's ten topics share their phrases); -m 20 makes 1,668 and keeps 1,099 of the 1,100
  monolingual planted pairs, counted with passim's own n-gram rule).

Both are timed from outside, and the resident memory of each whole process tree (sourcetrace's
alignment workers; passim's JVM and Spark's Python workers) is summed and sampled every 0.5 s by
the same script, `../shared/peers/passim/rss_peak.py`. passim's wall time is its own
metrics.json `wall_s` (spark-submit alone, without converting the corpus to its JSON input or its
output back, which run.sh also does: that total is printed beside it), so the ratio
ours/passim is the stricter one for sourcetrace. Bar: ratio <= 0.5, peak memory <= passim's.

Both outputs are scored against the planted truth with bench/trace.py's `evaluate`: relation
recall per planted type (copy, near-copy, derived, revision: monolingual; translation) and
relation precision (directed relations inside one planted family; strict: planted pairs only).
passim types no relation: each document pair sharing a passage is "derived", which bench/trace.py
accepts for every planted type but translation. passim names documents by file stem.

--rounds N runs every size N times (the corpora written once), the sizes alternated (10k, 25k,
10k, 25k, ...: the machine's load moves in an hour as much as the 50k/25k ratio's margin) and,
with passim, the two tools in turn (sourcetrace first in odd rounds, passim first in even ones),
sourcetrace each time on a fresh store; after the table of the last round it prints every run
(wall and CPU s, load), each size's medians, and the ratios of medians (each size over the
previous; sourcetrace over passim) with the min and max of the same ratio within each round.

--without-passim runs sourcetrace alone (issue 18's "fact-checker's day": --docs 15000
--without-passim; the table gives the sentences sourcetrace stored, headline lines included).

The load average before and after each side is printed: figures taken while other work shares the
cores are noisy. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402
import synthetic  # noqa: E402
from sourcetrace.records import Relation  # noqa: E402
from sourcetrace.relate.coverage import merge_spans  # noqa: E402

bench_trace = load.bench_trace()
TYPES: tuple[str, ...] = bench_trace.TYPES

MONOLINGUAL = tuple(t for t in TYPES if t != "translation")
SETUP_HINT = ("passim is set up once with ../shared/peers/passim/setup.sh GIT_DIR VENV, GIT_DIR a git "
              "directory of github.com/dasmiq/passim (see ../shared/peers/passim/README.md); then pass "
              "--passim-venv VENV or set PASSIM_VENV")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class Side:
    """One tool's run on one corpus: how long, how much memory, how accurate."""

    tool: str
    ran: bool = True
    wall_s: float = 0.0  # what the ratio uses
    total_s: float = 0.0  # the whole command, for passim with its input/output conversion
    peak_mib: float = 0.0  # whole process tree, summed, sampled every 0.5 s
    cpu_s: float = 0.0  # CPU seconds of the tree (less sensitive than wall time to a busy machine)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after
    relations: int = 0  # typed relations: what precision counts
    recall: dict[str, float] = field(default_factory=dict)  # planted type -> relation recall
    planted: dict[str, int] = field(default_factory=dict)
    monolingual: float = 0.0
    precision: float = 0.0  # directed relations inside one planted family
    precision_strict: float = 0.0  # planted pairs only
    examples: list[str] = field(default_factory=list)


@dataclass
class Size:
    docs: int
    mb: float
    gen_s: float
    ours: Side
    passim: Side
    sentences: int = 0  # in sourcetrace's store
    passim_first: bool = False  # which ran first

    @property
    def ratio(self) -> float:
        return self.ours.wall_s / max(self.passim.wall_s, 1e-9)


# -- running a command as a measured process tree ------------------------------------------------
def measured(cmd: list[str], log: Path, peers: Path, env: dict[str, str] | None = None
             ) -> tuple[float, float, float, int]:
    """Run `cmd` (output to `log`) with rss_peak.py sampling its process tree: (wall s, peak MiB,
    CPU s, exit code)."""
    sample = log.with_suffix(".rss")
    sample.unlink(missing_ok=True)
    t = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        sampler = subprocess.Popen([sys.executable, str(peers / "rss_peak.py"), str(proc.pid), str(sample)])
        rc = proc.wait()
    wall = time.perf_counter() - t
    sampler.wait()
    kib, cpu = sample.read_text().split() if sample.exists() else ("0", "0")
    return wall, int(kib) / 1024, float(cpu), rc


def _failed(what: str, log: Path, rc: int) -> NoReturn:
    tail = log.read_text(errors="replace").splitlines()[-20:]
    sys.exit("\n".join(tail + [f"{what} failed (exit {rc}); log in {log}"]))


def run_ours(corpus: Path, work: Path, peers: Path, encoder: str | None) -> tuple[Side, Path]:
    out, db = work / "ours", work / "ours.db"
    shutil.rmtree(out, ignore_errors=True)
    for p in (db, *db.parent.glob(db.name + "-*")):  # a fresh store: no SQLite WAL left either
        p.unlink(missing_ok=True)
    exe = Path(sys.executable).with_name("sourcetrace")
    cmd = [str(exe) if exe.exists() else "sourcetrace", "trace", str(corpus), "--out", str(out), "--db", str(db)]
    cmd += ["--encoder", encoder] if encoder else []
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    say(f"  sourcetrace: {' '.join(cmd)}")
    side = Side("sourcetrace", load=(os.getloadavg()[0], 0.0))
    side.wall_s, side.peak_mib, side.cpu_s, rc = measured(cmd, work / "ours.log", peers, env)
    side.total_s, side.load = side.wall_s, (side.load[0], os.getloadavg()[0])
    if rc != 0:
        _failed("sourcetrace trace", work / "ours.log", rc)
    return side, out


def run_passim(corpus: Path, work: Path, peers: Path, venv: Path, options: list[str]) -> tuple[Side, Path]:
    out = work / "passim"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(peers / "run.sh"), str(corpus), str(out), *options]
    say(f"  passim: PASSIM_VENV={venv} {' '.join(cmd)}")
    side = Side("passim", load=(os.getloadavg()[0], 0.0))
    side.total_s, tree_mib, tree_cpu, rc = measured(cmd, work / "passim.log", peers, dict(os.environ, PASSIM_VENV=str(venv)))
    side.load = (side.load[0], os.getloadavg()[0])
    if rc != 0:
        _failed("passim (run.sh)", work / "passim.log", rc)
    # run.sh samples spark-submit's own tree: that, not its conversion scripts, is passim
    m = json.loads((out / "metrics.json").read_text())
    side.wall_s = m["wall_s"]
    side.peak_mib = m.get("peak_rss_tree_mib") or tree_mib
    side.cpu_s = m.get("cpu_tree_s") or tree_cpu
    return side, out


# -- scoring -------------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def coverage(out: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(a, b) -> the share of each document its passages cover: passim's relations carry none."""
    length = {d["id"]: max(1, d["end"] - d["start"]) for d in read_jsonl(out / "documents.jsonl")}
    spans: dict[tuple[str, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    for p in read_jsonl(out / "passages.jsonl"):
        a, b = (p["a_start"], p["a_end"]), (p["b_start"], p["b_end"])
        if p["a"] > p["b"]:  # relations name a pair in order, passages either way round
            a, b = b, a
        sa, sb = spans[(min(p["a"], p["b"]), max(p["a"], p["b"]))]
        sa.append(a)
        sb.append(b)
    return {(a, b): (sum(e - s for s, e in merge_spans(sa)) / length[a], sum(e - s for s, e in merge_spans(sb)) / length[b])
            for (a, b), (sa, sb) in spans.items()}


def as_run(out: Path, key_of: dict[str, str]) -> bench_trace.Run:
    """An output directory's relations as bench/trace.py's Run, ids mapped to planted keys.
    The output contract holds no candidate pairs: the pairs of the relations stand in for them."""
    rows = read_jsonl(out / "relations.jsonl")
    cov = coverage(out) if rows and "coverage_a" not in rows[0] else {}
    rels = [Relation(a=r["a"], b=r["b"], type=r["type"], coverage_a=r.get("coverage_a", cov.get((r["a"], r["b"]), (0, 0))[0]),
                     coverage_b=r.get("coverage_b", cov.get((r["a"], r["b"]), (0, 0))[1]), score=r.get("score", 0.0),
                     source=r.get("source"), evidence=r.get("evidence", []), passages=r.get("passages", 0))
            for r in rows]
    return bench_trace.Run(docs=len(key_of), relations=rels, key_of=key_of,
               pairs={(min(r.a, r.b), max(r.a, r.b)) for r in rels})


def our_keys(out: Path, corpus: Path) -> dict[str, str]:
    """Document id -> planted key "relpath#N" (N: the document's place in its file)."""
    by_file: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for d in read_jsonl(out / "documents.jsonl"):
        rel = os.path.relpath(Path(d["path"]).resolve(), corpus.resolve()).replace(os.sep, "/")
        by_file[rel].append((d["start"], d["id"]))
    return {i: f"{rel}#{n}" for rel, docs in by_file.items() for n, (_, i) in enumerate(sorted(docs), 1)}


def passim_keys(out: Path) -> dict[str, str]:
    return {d["id"]: f"{d['path']}#1" for d in read_jsonl(out / "documents.jsonl")}


def score(side: Side, run: bench_trace.Run, truth: dict, corpus: Path) -> None:
    acc = bench_trace.evaluate(run, truth, corpus)
    side.relations = acc.directed
    side.planted = {t: acc.rel[t][0] for t in TYPES if t in acc.rel}
    side.recall = {t: acc.rel[t][1] / acc.rel[t][0] for t in side.planted}
    mono = [acc.rel[t] for t in MONOLINGUAL if t in acc.rel]
    side.monolingual = sum(v[1] for v in mono) / max(1, sum(v[0] for v in mono))
    side.precision = acc.in_family / max(1, acc.directed)
    side.precision_strict = acc.precise / max(1, acc.directed)
    side.examples = acc.examples


# -- one size ------------------------------------------------------------------------------------
@dataclass
class Corpus:
    """One size's planted corpus, written once for every run of that size."""

    work: Path
    path: Path
    truth: dict
    mb: float
    gen_s: float


def planted(n: int, seed: int, work: Path) -> Corpus:
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    t = time.perf_counter()
    truth = synthetic.planted_corpus(corpus, n, seed, one_per_file=True)
    gen = time.perf_counter() - t
    mb = sum(p.stat().st_size for p in corpus.glob("*.txt")) / 1e6
    say(f"[{n}] corpus: {len(truth['docs'])} documents, {mb:.1f} MB, {len(truth['pairs'])} planted pairs, "
        f"written in {gen:.1f}s -> {corpus}")
    return Corpus(work, corpus, truth, mb, gen)


def one_size(c: Corpus, peers: Path, venv: Path | None, encoder: str | None, passim_options: list[str],
             passim_first: bool = False) -> Size:
    """Both tools on ``c`` (sourcetrace on a fresh store), passim first if ``passim_first``."""
    n = len(c.truth["docs"])

    def ours_side() -> Side:
        ours, ours_out = run_ours(c.path, c.work, peers, encoder)
        say(f"[{n}] sourcetrace {ours.wall_s:.1f}s, CPU {ours.cpu_s:.1f}s, peak {ours.peak_mib:.0f} MiB")
        score(ours, as_run(ours_out, our_keys(ours_out, c.path)), c.truth, c.path)
        return ours

    def passim_side() -> Side:
        if venv is None:
            return Side("passim", ran=False)
        theirs, passim_out = run_passim(c.path, c.work, peers, venv, passim_options)
        say(f"[{n}] passim {theirs.wall_s:.1f}s ({theirs.total_s:.1f}s with conversions), CPU {theirs.cpu_s:.1f}s, "
            f"peak {theirs.peak_mib:.0f} MiB")
        score(theirs, as_run(passim_out, passim_keys(passim_out)), c.truth, c.path)
        return theirs

    theirs = passim_side() if passim_first else None
    ours = ours_side()
    with sqlite3.connect(f"file:{c.work / 'ours.db'}?mode=ro", uri=True) as db:
        sentences = db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    if theirs is None:
        theirs = passim_side()
    return Size(n, c.mb, c.gen_s, ours, theirs, sentences, passim_first)


def clear_runs(work: Path) -> None:
    """A size's store and outputs (the next run makes them fresh): only one run's are on disk."""
    for p in (work / "ours", work / "passim"):
        shutil.rmtree(p, ignore_errors=True)
    for p in work.glob("ours.db*"):
        p.unlink(missing_ok=True)


# -- several rounds --------------------------------------------------------------------------------
def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _spread(pairs: list[tuple[float, float]]) -> str:
    """Median of the numerators over median of the denominators, then the min and max of the
    ratios of each round's pair."""
    ratios = [a / max(b, 1e-9) for a, b in pairs]
    med = _median([a for a, _ in pairs]) / max(_median([b for _, b in pairs]), 1e-9)
    return f"{med:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})"


def rounds_table(rounds: list[list[Size]]) -> str:
    """Each run in the order it ran, the median of each size, and the ratios of medians: each size
    over the previous (wall and CPU; the spread is the min-max of the same round's ratios) and,
    where passim ran, sourcetrace over passim (the spread is each round's pair's)."""
    lines = ["round  documents  tool         wall s   CPU s  1-min load before-after"]
    for r, sizes in enumerate(rounds, 1):
        for s in sizes:
            sides = [s.passim, s.ours] if s.passim.ran and s.passim_first else [s.ours, s.passim]
            for side in (x for x in sides if x.ran):
                lines.append(f"{r:>5}  {s.docs:>9,}  {side.tool:<11}  {side.wall_s:>6.1f}  {side.cpu_s:>6.1f}  "
                             f"{side.load[0]:.1f}-{side.load[1]:.1f}")
    lines.append("")
    sizes = list(zip(*rounds, strict=True))  # per size, its runs
    for runs in sizes:
        passim = [s.passim for s in runs if s.passim.ran]
        lines.append(f"median {runs[0].docs:,} ({len(runs)} runs): sourcetrace wall {_median([s.ours.wall_s for s in runs]):.1f} s, "
                     f"CPU {_median([s.ours.cpu_s for s in runs]):.1f} s"
                     + (f"; passim wall {_median([x.wall_s for x in passim]):.1f} s, CPU {_median([x.cpu_s for x in passim]):.1f} s"
                        if passim else ""))
    for prev, runs in zip(sizes, sizes[1:], strict=False):
        lines.append(f"sourcetrace {runs[0].docs:,} / {prev[0].docs:,}: wall "
                     f"{_spread([(s.ours.wall_s, p.ours.wall_s) for p, s in zip(prev, runs, strict=True)])}, CPU "
                     f"{_spread([(s.ours.cpu_s, p.ours.cpu_s) for p, s in zip(prev, runs, strict=True)])}  bar 50k/25k <= 2.2")
    for runs in sizes:
        if all(s.passim.ran for s in runs):
            lines.append(f"sourcetrace / passim at {runs[0].docs:,}: wall "
                         f"{_spread([(s.ours.wall_s, s.passim.wall_s) for s in runs])}, CPU "
                         f"{_spread([(s.ours.cpu_s, s.passim.cpu_s) for s in runs])}  bar wall <= 0.5")
    return "\n".join(lines)


# -- the table -----------------------------------------------------------------------------------
def table(sizes: list[Size]) -> str:
    """One column per size; each cell 'sourcetrace / passim' where both have a figure."""
    rows: list[tuple[str, list[str], str]] = []

    def row(name: str, cells: list[str], bar: str = "") -> None:
        rows.append((name, cells, bar))

    def both(fmt: str, get) -> list[str]:
        return [f"{fmt.format(get(s.ours))} / {fmt.format(get(s.passim)) if s.passim.ran else '-'}" for s in sizes]

    row("documents", [f"{s.docs:,}" for s in sizes])
    row("corpus MB", [f"{s.mb:.1f}" for s in sizes])
    row("sentences (sourcetrace's store)", [f"{s.sentences:,}" for s in sizes])
    row("wall s (sourcetrace / passim)", both("{:.1f}", lambda x: x.wall_s))
    row("ratio sourcetrace/passim", [f"{s.ratio:.2f} {'ok' if s.ratio <= 0.5 else 'MISSED'}" if s.passim.ran else "-"
                                     for s in sizes],
        "<= 0.5")
    row("  passim with run.sh's conversions, s", [f"{s.passim.total_s:.1f}" if s.passim.ran else "-" for s in sizes])
    row("CPU s, process tree", both("{:.0f}", lambda x: x.cpu_s))
    row("peak MiB, process tree", both("{:.0f}", lambda x: x.peak_mib), "ours <= passim's")
    row("1-min load before-after (ours; passim)",
        [f"{s.ours.load[0]:.1f}-{s.ours.load[1]:.1f}; "
         + (f"{s.passim.load[0]:.1f}-{s.passim.load[1]:.1f}" if s.passim.ran else "-") for s in sizes],
        "2 cores")
    row("relations typed (sourcetrace's 'related' left out)", both("{}", lambda x: x.relations))
    for t in TYPES:
        row(f"recall {t} (n={'/'.join(str(s.ours.planted.get(t, 0)) for s in sizes)})",
            both("{:.4f}", lambda x, t=t: x.recall.get(t, 0.0)))
    row("recall monolingual (all but translation)", both("{:.4f}", lambda x: x.monolingual), ">= 0.999")
    row("recall translation", both("{:.4f}", lambda x: x.recall.get("translation", 0.0)), ">= 0.95")
    row("precision (same planted family)", both("{:.4f}", lambda x: x.precision), ">= 0.99")
    row("  strict: planted pairs only", both("{:.4f}", lambda x: x.precision_strict))
    if len(sizes) > 1:
        row("wall time / previous size's (sourcetrace / passim)", ["-"] + [
            f"{s.ours.wall_s / p.ours.wall_s:.2f} / "
            + (f"{s.passim.wall_s / p.passim.wall_s:.2f}" if s.passim.ran and p.passim.ran else "-")
            for p, s in zip(sizes, sizes[1:], strict=False)], "50k/25k <= 2.2")
    w = max(len(r[0]) for r in rows)
    c = [max(len(r[1][i]) for r in rows) for i in range(len(sizes))]
    lines = [f"{'figure':<{w}}  " + "  ".join(f"{f'{s.docs:,} docs':<{c[i]}}" for i, s in enumerate(sizes)) + "  bar"]
    lines.append("-" * len(lines[0]))
    for name, cells, bar in rows:
        lines.append((f"{name:<{w}}  " + "  ".join(f"{v:<{c[i]}}" for i, v in enumerate(cells)) + f"  {bar}").rstrip())
    return "\n".join(lines)


BYTES_A_DOCUMENT = 300_000  # disk a planted document costs while its size runs (measured: 25,000 took 5-7 GB)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[10000, 25000, 50000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--passim-venv", type=Path, default=os.environ.get("PASSIM_VENV"),
                    help="passim's virtual environment (default $PASSIM_VENV)")
    ap.add_argument("--peers", type=Path, default=ROOT.parent / "shared" / "peers" / "passim",
                    help="the directory of run.sh and rss_peak.py (default ../shared/peers/passim)")
    ap.add_argument("--encoder", help="pass --encoder to sourcetrace trace (default: none, as a user runs it)")
    ap.add_argument("--passim-options", default="", help='options for passim after run.sh\'s, e.g. "-m 20" '
                    "(default: none, passim's defaults)")
    ap.add_argument("--without-passim", action="store_true", help="run sourcetrace alone")
    ap.add_argument("--keep", type=Path, help="keep corpora and outputs in this directory")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every size this many times, the sizes alternated (and sourcetrace and passim, "
                         "their order swapped each round), each on a fresh store; prints each run, the "
                         "medians and the ratios of medians with their spread over the rounds")
    args = ap.parse_args()
    if args.rounds < 1:
        sys.exit("--rounds takes 1 or more")
    if not (args.peers / "run.sh").exists():
        sys.exit(f"no {args.peers}/run.sh: this bench needs ../shared/peers/passim (or --peers DIR)")
    if args.without_passim:
        args.passim_venv = None
    elif args.passim_venv is None or not os.access(args.passim_venv / "bin" / "spark-submit", os.X_OK):
        where = f"no passim at {args.passim_venv}" if args.passim_venv else "no passim venv given"
        sys.exit(f"{where}: {SETUP_HINT}")
    # One size at a time is on disk (corpus, store, both outputs; 25,000 documents took 5-7 GB):
    # a full disk fails the run late, as SQLite's "database or disk is full" in some stage.
    need = max(args.docs) * BYTES_A_DOCUMENT
    where = args.keep or Path(tempfile.gettempdir())
    where.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(where).free
    if free < need:
        sys.exit(f"{where}: {free / 2**30:.1f} GiB free, {need / 2**30:.1f} GiB needed for {max(args.docs):,} "
                 "documents: free some space or pass --keep DIR on a larger disk")
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_vs_passim_"))
    say(f"bench/vs_passim.py --docs {' '.join(map(str, args.docs))} --seed {args.seed} "
        f"--passim-options '{args.passim_options}' --rounds {args.rounds} work={work}")
    tools = (args.peers.resolve(), args.passim_venv and args.passim_venv.resolve(), args.encoder,
             args.passim_options.split())
    rounds: list[list[Size]] = []
    try:
        if args.rounds == 1:  # each size's corpus written when its turn comes
            rounds.append([one_size(planted(n, args.seed, work / f"n{n}"), *tools) for n in args.docs])
        else:  # every corpus written first, then the sizes in turn, round after round
            corpora = [planted(n, args.seed, work / f"n{n}") for n in args.docs]
            for r in range(args.rounds):
                rounds.append([])
                for c in corpora:
                    say(f"round {r + 1} of {args.rounds}: {len(c.truth['docs']):,} documents")
                    rounds[-1].append(one_size(c, *tools, passim_first=r % 2 == 1))
                    if r + 1 < args.rounds or args.keep is None:
                        clear_runs(c.work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    sizes = rounds[-1]
    if args.json:
        runs = [[{**asdict(s), "ratio": round(s.ratio, 3)} for s in r] for r in rounds]
        print(json.dumps(runs[0] if args.rounds == 1 else runs, indent=1))
        return
    for s in sizes:
        for side in (s.ours, s.passim):
            if side.examples:
                print(f"\n{s.docs:,} documents, {side.tool}: examples (missed, wrong types, false relations)")
                print("\n".join(f"  {line}" for line in side.examples))
    last = f" (the last of {args.rounds} rounds)" if args.rounds > 1 else ""
    print(f"\n== sourcetrace vs passim on planted corpora (seed {args.seed}), one .txt per document; "
          f"passim options: {args.passim_options or 'its defaults'}{last} ==")
    print(table(sizes))
    if args.rounds > 1:
        print(f"\n== {args.rounds} rounds, the sizes alternated{', sourcetrace and passim in turn' if sizes[0].passim.ran else ''} ==")
        print(rounds_table(rounds))
        for tool in ("ours", "passim"):
            moved = [runs[0].docs for runs in zip(*rounds, strict=True) if len({_answers(s, tool) for s in runs}) > 1]
            name = "sourcetrace" if tool == "ours" else "passim"
            if moved:
                print(f"{name}: answers DIFFER between rounds at {', '.join(f'{n:,}' for n in moved)} documents")
            elif getattr(sizes[0], tool).ran:
                print(f"{name}: the same answers in every round (relations, recall, precision)")


def _answers(s: Size, tool: str) -> str:
    """What a run of ``tool`` found (not how fast): the same in every round of the same code and corpus."""
    x = getattr(s, tool)
    return json.dumps([x.relations, x.recall, x.precision, x.precision_strict] + ([s.sentences] if tool == "ours" else []))


if __name__ == "__main__":
    main()
