"""What relate sees of every cross-language pair with passages, true pairs against false ones
(issue 17: is there evidence of content matching in a pair none of whose passages scores over
relate's FOUND_ALONE?).

    .venv/bin/python bench/relate_evidence.py OUT.jsonl realtext --keep DIR [realtext.py's options]
    .venv/bin/python bench/relate_evidence.py OUT.jsonl trace --docs 10000 [trace.py's options]

Runs bench/realtext.py or bench/trace.py in this process with two stages watched (nothing they
compute changes): the candidates' ballots (`votes.choices`: what each ballot said of each pair)
and relate (`pipeline.relate`: each cross-language pair's passages and the relation it got).
Each such pair is a line of OUT.jsonl: its passages' count and best and mean score, the relation
and its coverage, its passages' blocks (sorted by the first side, a new block wherever the other
side goes back: a pair placed by order alone is one block), and its ballots' longest run of
votes (votes.MIN_RUN; sentence, stretch and twin ballots), shares and votes in order. Then a
table by truth: realtext.py's truth.json in --keep DIR; trace.py's planted pairs (a pair in one
planted family but not planted is "family"; in none, "false"). A rerun (trace.py's incremental
step) types a pair again: its last typing counts.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from sourcetrace import pipeline  # noqa: E402
from sourcetrace.candidates import votes  # noqa: E402
from sourcetrace.records import pair_key  # noqa: E402
from sourcetrace.relate import relations  # noqa: E402

SAID: dict[tuple[str, str], list[tuple]] = {}
ROWS: list[dict] = []
PLANTED: list[dict] = []


def _said(k: tuple[str, str]) -> dict:
    said = SAID.get(k, [])
    f: dict = {}
    for kind in votes.KINDS:
        shares = [s[1] for s in said if s[0] == kind + "share"]
        f[kind + "share"] = min(shares) if len(shares) == 2 else 0.0
        f[kind + "order"] = len({s for s in said if s[0] == kind + "order"})
        span = 1 if kind == votes.TWIN else 0
        f[kind + "run"] = max([s[1] + span for s in said if s[0] == kind + "run"], default=0)
    f["runs"] = max(f[kind + "run"] for kind in votes.KINDS)
    return f


def _blocks(spans: list[tuple[int, int, int, int]]) -> list[int]:
    """Sizes of the runs of spans (sorted by the first side) that go forward on the other side."""
    spans = sorted(spans)
    sizes = [1]
    for x, y in zip(spans, spans[1:], strict=False):
        if y[2] > x[2]:
            sizes[-1] += 1
        else:
            sizes.append(1)
    return sizes


def watch() -> None:
    choices, relate, planted = votes.choices, pipeline.relate, synthetic.planted_corpus

    def watched_choices(v, s=None, t=None):
        for ballots, kind in ((v, ""), (s or {}, votes.STRETCH), (t or {}, votes.TWIN)):
            for (doc, _), b in ballots.items():
                for k, what in votes.named(doc, b, kind):
                    SAID.setdefault(k, []).append(what)
        return choices(v, s, t)

    def watched_relate(texts, passages, topic_vectors, pairs, known=None, ran=frozenset()):
        out = relate(texts, passages, topic_vectors, pairs, known, ran)
        by = {t.doc.id: t for t in texts}
        typed = {(r.a, r.b): r for r in out}
        grouped: dict[tuple[str, str], list] = defaultdict(list)
        for p in passages:
            grouped[pair_key(p.a, p.b)].append(p)
        for k, ps in grouped.items():
            if k[0] not in by or k[1] not in by or by[k[0]].doc.lang == by[k[1]].doc.lang:
                continue
            r, scores = typed.get(k), [p.score for p in ps]
            sizes = _blocks([relations._oriented(p, k[0]) for p in ps])
            ROWS.append(dict(a=k[0], b=k[1], pa=by[k[0]].doc.path, pb=by[k[1]].doc.path, n=len(ps),
                             max=max(scores), mean=sum(scores) / len(scores), type=r.type if r else None,
                             cov_a=r.coverage_a if r else 0.0, cov_b=r.coverage_b if r else 0.0,
                             blocks=len(sizes), blocks2=sum(n >= 2 for n in sizes), **_said(k)))
        return out

    def watched_planted(root, n, seed, *args, **kw):
        truth = planted(root, n, seed, *args, **kw)
        PLANTED.append({"root": str(root), "pairs": truth["pairs"]})  # the incremental step adds to this list
        return truth

    votes.choices, pipeline.relate, synthetic.planted_corpus = watched_choices, watched_relate, watched_planted


def labelled(rows: list[dict], keep: Path | None) -> list[dict]:
    last = {(r["pa"], r["pb"]): r for r in rows}
    if keep is not None:
        truth = json.loads((keep / "truth.json").read_text(encoding="utf-8"))
        kinds = {frozenset((p["a"], p["b"])): p["kind"] for p in truth["pairs"]}
        for r in last.values():
            keys = (truth["files"][os.path.basename(r["pa"])], truth["files"][os.path.basename(r["pb"])])
            r["truth"] = kinds.get(frozenset(keys), "false")
            r["name"] = "~".join(keys)
        return list(last.values())
    root, pairs = PLANTED[0]["root"], PLANTED[0]["pairs"]
    kinds, family = {}, {}
    for p in pairs:
        kinds[frozenset((p["a"], p["b"]))] = p["type"]
        family[p["b"]] = p["source"]
        family.setdefault(p["a"], p["source"])
    for r in last.values():
        ka, kb = (os.path.relpath(r[path], root).replace(os.sep, "/") + "#" + r[i].split("#")[1]
                  for path, i in (("pa", "a"), ("pb", "b")))
        r["truth"] = kinds.get(frozenset((ka, kb))) or (
            "family" if ka in family and family.get(ka) == family.get(kb) else "false")
        r["name"] = f"{ka}~{kb}"
    return list(last.values())


def table(rows: list[dict]) -> str:
    low = relations.FOUND_ALONE
    lines = [f"| truth | pairs | blocks | blocks of 2+ | vote run >= {votes.MIN_RUN} | best score < {low} "
             f"| of those: vote run >= {votes.MIN_RUN} | of those: cover >= {relations.MIN_DERIVED_COVERAGE} "
             f"and >= {relations.MIN_TRANSLATION_COVERAGE} |", "|---|---|---|---|---|---|---|---|"]
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[r["truth"]].append(r)
    for t, rs in sorted(by.items()):
        weak = [r for r in rs if r["max"] < low]
        whole = [r for r in weak if min(r["cov_a"], r["cov_b"]) >= relations.MIN_DERIVED_COVERAGE
                 and max(r["cov_a"], r["cov_b"]) >= relations.MIN_TRANSLATION_COVERAGE]
        lines.append(f"| {t} | {len(rs)} | {min(r['blocks'] for r in rs)}-{max(r['blocks'] for r in rs)} "
                     f"| {min(r['blocks2'] for r in rs)}-{max(r['blocks2'] for r in rs)} "
                     f"| {sum(r['runs'] >= votes.MIN_RUN for r in rs)} | {len(weak)} "
                     f"| {sum(r['runs'] >= votes.MIN_RUN for r in weak)} | {len(whole)} |")
    lines.append(f"\npairs with no passage over {low}:")
    for r in sorted(rows, key=lambda r: r["max"]):
        if r["max"] < low:
            lines.append(f"  {r['truth']:11s} {r['name']}: {r['type']}, {r['n']} passages, best {r['max']:.3f}, "
                         f"covers {r['cov_a']:.2f} / {r['cov_b']:.2f}, {r['blocks']} blocks, vote run {r['runs']}")
    return "\n".join(lines)


def main() -> None:
    out, bench, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    keep = Path(args[args.index("--keep") + 1]) if bench == "realtext" else None
    if bench == "realtext" and keep is None:
        sys.exit("realtext needs --keep DIR (its truth.json is read from there)")
    watch()

    def done() -> None:
        rows = labelled(ROWS, keep)
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(table(rows))

    atexit.register(done)
    sys.argv = [str(ROOT / "bench" / f"{bench}.py"), *args]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
