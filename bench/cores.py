"""Where a run leaves a core idle: the cores a command's whole process tree uses, second by second,
summed per stage of sourcetrace's progress.

    python bench/cores.py [--interval 1.0] [--timeline FILE] -- COMMAND [ARGS...]
    python bench/cores.py -- .venv/bin/python -m sourcetrace trace CORPUS --out OUT --db STORE

Why it exists: on 2 cores a trace's wall is its CPU over 2 plus the stretches where one core idles,
and a stage's CPU alone does not show those stretches (bench/trace.py counts the workers' CPU only
once they are reaped). This samples /proc: every interval, the CPU of the command's process and of
every process under it (the reaped ones through the parent's children's times), and the stage the
last progress line on the command's stderr names ("sourcetrace: candidates, 10.3 s" -> candidates;
the lines after "done" are the outputs being written). It prints, per stage, its wall, CPU, mean
cores used and idle core-seconds (wall x cores of the machine - CPU); with --timeline, every sample;
with --processes STAGE, each process's own CPU in that stage and the seconds it was seen in it (a
stage's critical path under load, where walls mean nothing: its processes' CPU side by side).
Linux only (/proc). The command's stderr is read, not shown; its stdout passes through.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
# "sourcetrace: align 1584/5244, 10.5 s", "sourcetrace: topics, 0.0 s", "sourcetrace: done in 134.2 s"
STAGE = re.compile(r"sourcetrace: ([a-z][a-z ]*?)(?: \d+/\d+)?(?:,| in )")


@dataclass
class Stage:
    name: str
    wall: float = 0.0
    cpu: float = 0.0
    samples: list[float] = field(default_factory=list)


def _times(pid: int) -> tuple[int, float, float] | None:
    """(parent, own CPU, reaped children's CPU) of a process, in seconds; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def tree_cpu(root: int, own: dict[int, float] | None = None) -> float | None:
    """CPU seconds of ``root``, its reaped children and every live process under it; ``own``
    gets each live process's own CPU by pid."""
    live: dict[int, list[int]] = {}
    cpu: dict[int, tuple[float, float]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (t := _times(int(name))) is not None:
            live.setdefault(t[0], []).append(int(name))
            cpu[int(name)] = (t[1], t[2])
    if root not in cpu:
        return None
    total, todo = sum(cpu[root]), list(live.get(root, []))
    if own is not None:
        own[root] = cpu[root][0]
    while todo:
        pid = todo.pop()
        if own is not None:
            own[pid] = cpu[pid][0]
        total += cpu[pid][0]  # a live child's reaped children count once it is reaped in turn
        total += cpu[pid][1]
        todo.extend(live.get(pid, []))
    return total


def stage_of(line: str, current: str) -> str:
    """The stage a progress line names; after "done", the outputs being written."""
    m = STAGE.search(line)
    if not m:
        return current
    name = m.group(1).strip()
    return "outputs" if name == "done" else name


def followed(proc: subprocess.Popen) -> dict[str, str]:
    """The stage `proc` is in (``seen["stage"]``), kept up to date by a thread reading its stderr's
    progress lines (they end in \\r or \\n)."""
    seen = {"stage": "start"}

    def follow() -> None:
        assert proc.stderr is not None
        buf = ""
        while ch := proc.stderr.read(1):
            if ch in "\r\n":
                seen["stage"] = stage_of(buf, seen["stage"])
                buf = ""
            else:
                buf += ch

    threading.Thread(target=follow, daemon=True).start()
    return seen


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        print("usage: cores.py [--interval S] [--timeline FILE] -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    cut = argv.index("--")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between samples (default 1)")
    ap.add_argument("--timeline", type=Path, help="also write every sample here")
    ap.add_argument("--processes", metavar="STAGE", help="also print each process's CPU in this stage")
    args = ap.parse_args(argv[:cut])
    command = argv[cut + 1:]
    if not command:
        ap.error("no command after --")
    cores = os.cpu_count() or 1
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, errors="replace")
    seen = followed(proc)
    stages: dict[str, Stage] = {}
    out = args.timeline.open("w") if args.timeline else None
    start = last_t = time.perf_counter()
    last_cpu = 0.0
    # pid -> [CPU when first seen in the stage, CPU last seen, first sample's time, last's]
    procs: dict[int, list[float]] = {}
    last_own: dict[int, float] = {}
    while proc.poll() is None:
        time.sleep(args.interval)
        own: dict[int, float] = {}
        cpu = tree_cpu(proc.pid, own)
        now = time.perf_counter()
        if cpu is None:
            break
        if seen["stage"] == args.processes:
            for pid, c in own.items():
                # a process started within the interval counts from 0
                seen_at = procs.setdefault(pid, [last_own.get(pid, 0.0), c, now - start, now - start])
                seen_at[1], seen_at[3] = c, now - start
        last_own = own
        st = stages.setdefault(seen["stage"], Stage(seen["stage"]))
        st.wall += now - last_t
        st.cpu += cpu - last_cpu
        st.samples.append((cpu - last_cpu) / (now - last_t))
        if out:
            out.write(f"{now - start:8.1f} {st.samples[-1]:5.2f} cores  {st.name}\n")
        last_t, last_cpu = now, cpu
    code = proc.wait()
    wall = time.perf_counter() - start
    if out:
        out.close()
    print(f"\n{'stage':12} {'wall s':>8} {'CPU s':>8} {'cores':>6} {'idle core-s':>12}")
    for st in stages.values():
        print(f"{st.name:12} {st.wall:8.1f} {st.cpu:8.1f} {st.cpu / max(st.wall, 1e-9):6.2f} "
              f"{max(st.wall * cores - st.cpu, 0.0):12.1f}")
    total_cpu = sum(st.cpu for st in stages.values())
    print(f"{'total':12} {wall:8.1f} {total_cpu:8.1f} {total_cpu / max(wall, 1e-9):6.2f} "
          f"{max(wall * cores - total_cpu, 0.0):12.1f}   (exit {code}, {cores} cores)")
    if args.processes:
        print(f"\n{args.processes}: {'pid':>8} {'CPU s':>8} {'seen s':>14}")
        for pid, (c0, c1, t0, t1) in procs.items():
            if c1 > c0:
                print(f"{'':{len(args.processes) + 1}} {pid:8} {c1 - c0:8.2f} {t0:6.1f}-{t1:6.1f}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
