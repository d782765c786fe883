"""Where a trace's memory peak is: `sourcetrace trace` on a folder, its process tree sampled, the peak
of each stage with the processes that make it.

    python bench/memory.py CORPUS [--work DIR] [--every 0.2] [--encoder NAME]

Every `--every` seconds (default 0.2) the resident memory (VmRSS) of the CLI and each of its
descendants (document and pair workers, a forked child, the outputs' process) is read from /proc and
summed, as bench/vs_passim.py's peak is (../shared/peers/passim/rss_peak.py, every 0.5 s); the
CLI's progress lines ("sourcetrace: candidates, ...") mark the stages. Prints, per stage, the largest
sum sampled in it, the CLI's own share of that sum and each other process's, then the whole run's
peak, wall time and the CPU of the tree (user + system of every process seen). The samples are kept
in DIR/rss.tsv (time, total MiB, pid:name:MiB ...) and the CLI's standard error, timed, in
DIR/stderr.log (DIR: --work, else a temporary folder, removed). A forked child shares its parent's
pages: their sum counts such pages twice, as the bar's measure does.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
STAGE = re.compile(r"sourcetrace: ([a-z][a-z ]*?)(?: \d+/\d+)?, ")


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as fh:
                    kids.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(p))
            except (OSError, IndexError, ValueError):
                continue
    return kids


def sample(root: int, cpu: dict[int, float]) -> list[tuple[int, str, int]]:
    """(pid, name, RSS KiB) of ``root`` and its descendants; ``cpu`` updated with each one's CPU s."""
    kids, todo, out = _children(), [root], []
    while todo:
        pid = todo.pop()
        todo += kids.get(pid, [])
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
            with open(f"/proc/{pid}/comm") as fh:
                name = fh.read().strip()
            with open(f"/proc/{pid}/status") as fh:
                rss = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except (OSError, StopIteration):
            continue
        out.append((pid, name, rss))
    return out


def run(corpus: Path, work: Path, every: float, encoder: str | None) -> tuple[list[tuple[float, list]], list, float, float]:
    """Trace ``corpus`` on a fresh store in ``work``: (samples (time, [(pid, name, KiB)]), stage
    marks (time, stage), wall s, CPU s)."""
    exe = Path(sys.executable).with_name("sourcetrace")
    cmd = [str(exe) if exe.exists() else "sourcetrace", "trace", str(corpus), "--out", str(work / "out"),
           "--db", str(work / "x.db")] + (["--encoder", encoder] if encoder else [])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    marks: list[tuple[float, str]] = []

    def read_stderr() -> None:  # the progress lines, timed as they come
        assert proc.stderr is not None
        with open(work / "stderr.log", "w") as log:
            for line in proc.stderr:
                at = time.perf_counter() - t0
                log.write(f"{at:8.2f} {line}")
                m = STAGE.search(line)
                if m and (not marks or marks[-1][1] != m.group(1)):
                    marks.append((at, m.group(1)))

    reader = threading.Thread(target=read_stderr)
    reader.start()
    samples, cpu = [], {}
    with open(work / "rss.tsv", "w") as tsv:
        while proc.poll() is None:
            at, tree = time.perf_counter() - t0, sample(proc.pid, cpu)
            samples.append((at, tree))
            tsv.write(f"{at:.2f}\t{sum(k for _, _, k in tree) // 1024}\t"
                      + " ".join(f"{p}:{n}:{k // 1024}" for p, n, k in tree) + "\n")
            time.sleep(every)
    reader.join()
    if proc.returncode:
        sys.exit(f"sourcetrace trace failed (exit {proc.returncode}); see {work / 'stderr.log'}")
    return samples, marks, time.perf_counter() - t0, sum(cpu.values())


def stage_peaks(samples: list[tuple[float, list]], marks: list[tuple[float, str]], root_name: str = "sourcetrace"
                ) -> list[tuple[str, int, int, list[int]]]:
    """Per stage (from its mark to the next): (stage, peak MiB summed, the CLI's MiB then, the other
    processes' MiB then, largest first). Samples before the first mark count as "start"."""
    bounds = [(0.0, "start"), *marks]
    out = []
    for i, (start, name) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else float("inf")
        inside = [tree for at, tree in samples if start <= at < end]
        if not inside:
            continue
        top = max(inside, key=lambda tree: sum(k for _, _, k in tree))
        main = max((k for _, n, k in top if n == root_name), default=0)
        others = sorted((k // 1024 for _, n, k in top if n != root_name and k >= 1024), reverse=True)
        out.append((name, sum(k for _, _, k in top) // 1024, main // 1024, others))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--work", type=Path, help="keep the store, outputs and samples here (default: a temporary folder)")
    ap.add_argument("--every", type=float, default=0.2, help="seconds between samples")
    ap.add_argument("--encoder", help="pass --encoder to sourcetrace trace")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_memory_"))
    if args.work:
        shutil.rmtree(work / "out", ignore_errors=True)
        for p in work.glob("x.db*"):
            p.unlink()
        work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    try:
        samples, marks, wall, cpu = run(args.corpus, work, args.every, args.encoder)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    for name, total, main_mib, others in stage_peaks(samples, marks):
        print(f"{name:<12} peak {total:>6,} MiB: sourcetrace {main_mib:,}" + "".join(f" + {o:,}" for o in others))
    peak = max((sum(k for _, _, k in tree) for _, tree in samples), default=0) // 1024
    print(f"peak {peak:,} MiB, wall {wall:.1f} s, CPU {cpu:.1f} s, load {load:.1f}-{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
