"""Books of 10-50 MB in one file (issue 17 item 4: OpenITI from 0700AH on holds multi-volume works of
10-40 MB a file, our mirrors none over 4 MiB): what does `sourcetrace trace` do with them?

    python bench/huge.py build DIR [--mirror /work/.mirror]
    python bench/huge.py trace DIR NAME [--vmem-gb 10] [--timeout 1800]

`build` writes into DIR, from the OpenITI mirrors before 0700AH (nothing is copied into this
repository), the raw mARkdown of WORKS' two largest version files (two editions, checked by
realtext's rule: each shares half its 8-word runs with the other), joined in WORKS' order as one big
OpenITI file is: the first work's metadata header, then every work's body (page and milestone
markers, headings and all). Folders (each traced in its own store):

* ``w3``, ``w5``, ``w11``: file A (one edition of the first 3, 5, 11 works: ~11, ~19, ~41 MB) and
  file B (the other edition of the same works in the same order), truth `copy`/`revision`;
* ``single``: one file alone, A's works then two more (~47 MB);
* ``over``: a file of ~52 MB (over `readers.DEFAULT_MAX_BYTES`) beside a short one (the first
  work's A edition): the big one must be refused with a clear error and the short one traced.

`trace` runs `python -m sourcetrace trace DIR/NAME --out DIR/out-NAME --db DIR/out-NAME/x.db` (the
checkout's src first) under `/usr/bin/time -v`, with the address space capped (`--vmem-gb`) and a
timeout, sampling the process tree every 0.5 s as bench/books.py does: per stage wall, CPU and peak
RSS; every progress line is logged with its time to DIR/NAME.log. Printed: size, words, lines of
each file, per stage wall / CPU / peak MB, time's peak RSS, and what the outputs say (documents per
file, the relations between files). Figures: bench/README.md, bigbook39 (40 MB pair: 831 CPU s, 8.8 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from books import Sampler, load_jsonl  # noqa: E402
from cores import stage_of, tree_cpu  # noqa: E402
from realtext import MIRROR, Repo, _shared_runs, openiti_plain  # noqa: E402

D = "data/"
# (repository, work folder): the largest works with two version files of 3.3-4 MB in the mirrors, in
# the order they are joined.
WORKS = [
    ("OpenITI/0300AH", "0280HudHawwari/0280HudHawwari.Tafsir"),
    ("OpenITI/0475AH", "0456IbnHazm/0456IbnHazm.IhkamFiUsulAhkam"),
    ("OpenITI/0300AH", "0279Tirmidhi/0279Tirmidhi.Sunan"),
    ("OpenITI/0300AH", "0283IbnRumi/0283IbnRumi.Diwan"),
    ("OpenITI/0450AH", "0445AbuCabdAllahCalawi/0445AbuCabdAllahCalawi.JamicKafi"),
    ("OpenITI/0450AH", "0429AbuMansurThacalibi/0429AbuMansurThacalibi.YatimatDahr"),
    ("OpenITI/0450AH", "0430AbuNucaymIsbahani/0430AbuNucaymIsbahani.MusnadMustakhrajCalaSahihMuslim"),
    ("OpenITI/0475AH", "0463IbnCabdBarr/0463IbnCabdBarr.IsticabFiMacrifatAshab"),
    ("OpenITI/0475AH", "0475IbnMakula/0475IbnMakula.IkmalFiRafcIrtiyab"),
    ("OpenITI/0375AH", "0363QadiNucman/0363QadiNucman.SharhAkhbar"),
    ("OpenITI/0375AH", "0370IbnCaliJassas/0370IbnCaliJassas.MukhtasarIkhtilafCulama"),
    # the single file's and the over-the-limit file's extra works
    ("OpenITI/0450AH", "0428IbnSina/0428IbnSina.ShifaTabiciyyat"),
    ("OpenITI/0475AH", "0465IbnHawazinQushayri/0465IbnHawazinQushayri.LataifIsharat"),
    ("OpenITI/0300AH", "0283AbuIshaqThaqafi/0283AbuIshaqThaqafi.Gharat"),
]
SETS = {"w3": 3, "w5": 5, "w11": 11}
HEADER_END = "#META#Header#End#"


def editions(mirror: Path) -> list[tuple[str, str, str]]:
    """Each work's two largest version files, raw (name of A's, A's text, B's text)."""
    repos: dict[str, Repo] = {}
    out = []
    for repo_name, folder in WORKS:
        repo = repos.setdefault(repo_name, Repo(mirror, repo_name))
        files = {p: n for p, n in repo.files(D + folder).items() if "-ara" in p and not p.endswith(".yml")}
        a, b = sorted(files, key=lambda p: -files[p])[:2]
        ta, tb = repo.read(a), repo.read(b)
        pa, pb = openiti_plain(ta), openiti_plain(tb)
        shared = (_shared_runs(pa, pb), _shared_runs(pb, pa))
        print(f"{folder.rsplit('/', 1)[-1]}: {files[a]:,} / {files[b]:,} bytes, shared 8-word runs "
              f"{shared[0]:.2f} / {shared[1]:.2f}", file=sys.stderr, flush=True)
        out.append((a.rsplit("/", 1)[-1], ta, tb))
    return out


def joined(texts: list[str]) -> str:
    """Texts joined as one OpenITI file: the first whole (its header), the rest their bodies."""
    parts = [texts[0].rstrip("\n")]
    parts += [t.split(HEADER_END, 1)[-1].strip("\n") for t in texts[1:]]
    return "\n\n".join(parts) + "\n"


def build(mirror: Path, root: Path) -> None:
    eds = editions(mirror)
    for name, n in SETS.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "Joined.A-ara1").write_text(joined([a for _, a, _ in eds[:n]]), encoding="utf-8")
        (root / name / "Joined.B-ara1").write_text(joined([b for _, _, b in eds[:n]]), encoding="utf-8")
    (root / "single").mkdir(parents=True, exist_ok=True)
    (root / "single" / "Joined.Single-ara1").write_text(joined([a for _, a, _ in eds[:13]]), encoding="utf-8")
    (root / "over").mkdir(parents=True, exist_ok=True)
    (root / "over" / "Joined.Over-ara1").write_text(joined([a for _, a, _ in eds[:14]]), encoding="utf-8")
    (root / "over" / eds[0][0]).write_text(eds[0][1], encoding="utf-8")
    for f in sorted(root.glob("*/*")):
        if f.is_file() and f.parent.name in (*SETS, "single", "over"):
            raw = f.read_bytes()
            lines = raw.count(b"\n")
            print(f"{f.relative_to(root)}: {len(raw):,} bytes, {len(raw.split()):,} words, {lines:,} lines",
                  file=sys.stderr)


def run(root: Path, name: str, vmem_gb: float, timeout: float) -> dict:
    folder, out = root / name, root / f"out-{name}"
    if out.exists():
        raise SystemExit(f"huge: {out} exists: every run is a fresh store")
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cap = int(vmem_gb * 2**30)

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    log = (root / f"{name}.log").open("w", encoding="utf-8")
    cmd = ["timeout", str(int(timeout)), "/usr/bin/time", "-v", sys.executable, "-m", "sourcetrace", "trace",
           str(folder), "--out", str(out), "--db", str(out / "x.db")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                            env=env, preexec_fn=limits)
    seen = {"stage": "start"}
    t0 = time.perf_counter()
    tail: list[str] = []

    def follow() -> None:
        buf = ""
        assert proc.stderr is not None
        while ch := proc.stderr.read(1):
            if ch in "\r\n":
                if buf.strip():
                    seen["stage"] = stage_of(buf, seen["stage"])
                    log.write(f"{time.perf_counter() - t0:9.1f} {buf}\n")
                    log.flush()
                    tail.append(buf)
                buf = ""
            else:
                buf += ch

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    sampler = Sampler()
    wall: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    rss: dict[str, float] = defaultdict(float)
    last_t, last_cpu = time.perf_counter(), 0.0
    while proc.poll() is None:
        time.sleep(0.5)
        c, now = tree_cpu(proc.pid), time.perf_counter()
        if c is None:
            break
        st = seen["stage"]
        wall[st] += now - last_t
        cpu[st] += c - last_cpu
        rss[st] = max(rss[st], sampler._tree_rss(proc.pid))
        last_t, last_cpu = now, c
    stdout = proc.stdout.read() if proc.stdout else ""
    code = proc.wait()
    reader.join(timeout=5)
    log.close()
    timed = {k.strip(): v.strip() for k, _, v in (line.rpartition(": ") for line in tail) if k.strip() in (
        "Maximum resident set size (kbytes)", "Elapsed (wall clock) time (h:mm:ss or m:ss)",
        "User time (seconds)", "System time (seconds)", "Exit status")}
    res = {"name": name, "exit": code, "wall": time.perf_counter() - t0, "time": timed,
           "stages": {s: {"wall": wall[s], "cpu": cpu[s], "rss_mb": rss[s]} for s in wall},
           "stdout_tail": stdout[-2000:], "stderr_tail": [t for t in tail[-40:] if ":" in t][-12:]}
    if (out / "documents.jsonl").exists():
        docs = load_jsonl(out / "documents.jsonl")
        file_of = {d["id"]: Path(d["path"]).name for d in docs}
        per: dict[str, int] = defaultdict(int)
        for d in docs:
            per[file_of[d["id"]]] += 1
        res["documents"] = dict(per)
        if (out / "relations.jsonl").exists():
            res["relations"] = [{"a": file_of.get(r["a"]), "b": file_of.get(r["b"]), "type": r["type"],
                                 "source": file_of.get(r.get("source")) if r.get("source") else None,
                                 "coverage": [r.get("coverage_a"), r.get("coverage_b")]}
                                for r in load_jsonl(out / "relations.jsonl")]
        res["outputs"] = {f.name: f.stat().st_size for f in sorted(out.iterdir()) if f.is_file()}
    return res


def report(res: dict) -> str:
    lines = [f"{res['name']}: exit {res['exit']}, wall {res['wall']:.1f} s, time -v: {res['time']}"]
    lines.append(f"{'stage':14}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}")
    for s, v in res["stages"].items():
        lines.append(f"{s:14}{v['wall']:9.1f}{v['cpu']:9.1f}{v['rss_mb']:9.0f}")
    for key in ("documents", "relations", "outputs"):
        if key in res:
            lines.append(f"{key}: {res[key]}")
    lines.append("last lines: " + " | ".join(res["stderr_tail"][-6:]))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("root", type=Path)
    b.add_argument("--mirror", type=Path, default=MIRROR)
    t = sub.add_parser("trace")
    t.add_argument("root", type=Path)
    t.add_argument("name")
    t.add_argument("--vmem-gb", type=float, default=10.0, help="address space cap (ulimit -v)")
    t.add_argument("--timeout", type=float, default=1800.0)
    t.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.cmd == "build":
        build(args.mirror, args.root)
        return 0
    res = run(args.root, args.name, args.vmem_gb, args.timeout)
    (args.root / f"{args.name}.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(res, ensure_ascii=False, indent=1) if args.json else report(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
