"""Issue 17's second corpus, rebuilt from its description: random-word backgrounds, everyday
sentences with their Arabic translations, reports half made of another document's sentences, and
copies; sourcetrace and passim traced on the same files and scored side by side.

    PASSIM_VENV=/work/passim-venv python bench/everyday.py [--docs 10000] [--seed 17]
        [--without-passim] [--passim-options "-m 20"] [--keep DIR] [--json] [--only-generate DIR]

The issue: "a generated corpus made differently from bench/synthetic.py (10,000 documents:
random-word background texts; documents of short everyday sentences with their Arabic
translations; reports that take about half of another document's sentences, shuffled among their
own): 0 of 50 translations typed `translation` ...; 321 of 499 derived documents typed `related`
(their aligned share is 0.3-0.5). Relation recall 0.750, where passim finds 0.967 on the same
files (0.999 of the monolingual pairs)." Nothing of bench/synthetic.py is used: no topics, no
slots, no templates. Per 10,000 documents (each count scales with --docs):

* background: the rest, half English and half Arabic, each 8-30 sentences of 4-20 words drawn
  uniformly from one language's vocabulary (every distinct word of Tatoeba's ara-eng test set,
  ../shared/corpora/tatoeba, in Latin letters for English and of two Arabic letters or more for Arabic), the first word capitalised in
  English, a period at the end;
* 50 everyday documents: 10-20 of Tatoeba's English sentences (each used once) and, as another
  file, their Arabic translations in the same order; truth `translation`, the English its source
  (Tatoeba's own direction is not recorded: the generator wrote the English first);
* 500 reports: about half of a background document's sentences (40-60%, verbatim), shuffled with
  about as many (0.7-1.3x) random-word sentences of its own in the same language; truth `derived`,
  the background document its source;
* 475 copies (the same sentences under a heading of 3-7 words of their own) and 475 near-copies (2-5% of the words replaced, a sentence dropped
  and one of its own added) of background documents; truth `copy` / `near-copy`. With the 500
  reports, 1,450 monolingual pairs besides the 50 translations: passim's 0.967 with no
  translation found is 1,450 / 1,500.

Every source is a different background document. One `.txt` a document, named by a hash, all in
one folder; sentences in paragraphs of 3-6 (a space between sentences, a blank line between
paragraphs). The truth (`truth.json` beside the folder) has bench/trace.py's shape
(``{"docs": {key: {file, start, end, lang, role}}, "pairs": [{a, b, type, source}]}``, keys
``NAME.txt#1``) and, for each translation, its sentence pairs as file spans (``gold``).

Both tools run as bench/vs_passim.py runs them (sourcetrace's CLI on a fresh store; passim's
../shared/peers/passim/run.sh, its defaults unless --passim-options), and are scored with
bench/trace.py's `evaluate`: relation recall per planted kind (translation -> `translation`,
derived -> `derived`, copy / near-copy -> `copy` or `derived`); precision: directed relations
inside one planted family, and strict (planted pairs only: any other strong relation is wrong).
Printed besides: candidates (sourcetrace: the pairs it relates, by topic too, or its store
aligned; passim: the pairs it relates) and the pairs aligned, what each planted kind was typed,
the planted side's aligned share, the translations' sentence-pair P / R / F1 by character area
(../shared/eval/score.py's `area_f1`), and the direction right. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402
import vs_passim  # noqa: E402

bench_trace = load.bench_trace()
SHARED = ROOT.parent / "shared"
KINDS = ("translation", "derived", "copy", "near-copy")
PER_10K = {"translation": 50, "derived": 500, "copy": 475, "near-copy": 475}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
Span = tuple[int, int]


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- the generator ---------------------------------------------------------------------------------
def vocabulary(tatoeba: Path) -> dict[str, list[str]]:
    """Every distinct word of each side of Tatoeba's ara-eng set, sorted (the same list on every
    machine). English words lowercased except "I" and names as written."""
    out = {}
    for lang, ext in (("en", "eng"), ("ar", "ara")):
        words = WORD.findall((tatoeba / f"ara-eng.{ext}").read_text(encoding="utf-8"))
        if lang == "en":  # Latin letters only; the Arabic side's own Latin words ("Laila") left out
            words = [w if w == "I" else w.lower() for w in words if w.isascii()]
        else:
            words = [w for w in words if len(w) > 1 and all("\u0621" <= c <= "\u064a" for c in w)]
        out[lang] = sorted(set(words))
    return out


def random_sentence(words: list[str], lang: str, rng: random.Random) -> str:
    ws = [rng.choice(words) for _ in range(rng.randint(4, 20))]
    if lang == "en":
        ws[0] = ws[0][:1].upper() + ws[0][1:]
    return " ".join(ws) + "."


def page(sentences: list[str], rng: random.Random) -> tuple[str, list[Span]]:
    """Sentences in paragraphs of 3-6, a unit with no period (a heading) a paragraph of its own;
    the text and each unit's span."""
    parts: list[str] = []
    spans: list[Span] = []
    pos, left = 0, rng.randint(3, 6)
    for k, s in enumerate(sentences):
        sep = "" if k == 0 else " " if left else "\n\n"
        if not left:
            left = rng.randint(3, 6)
        left = 0 if not s.endswith(".") else left - 1
        pos += len(sep)
        spans.append((pos, pos + len(s)))
        parts.append(sep + s)
        pos += len(s)
    return "".join(parts) + "\n", spans


def counts(n_docs: int) -> dict[str, int]:
    """Planted pairs of each kind for n_docs documents (issue 17's corpus at 10,000, scaled)."""
    return {k: max(1, round(v * n_docs / 10_000)) for k, v in PER_10K.items()}


def generate(root: Path, n_docs: int, seed: int = 17, tatoeba: Path = SHARED / "corpora" / "tatoeba") -> dict:
    """Write the corpus under root (one file a document) and return its truth."""
    rng = random.Random(seed)
    vocab = vocabulary(tatoeba)
    ar_lines = (tatoeba / "ara-eng.ara").read_text(encoding="utf-8").splitlines()
    en_lines = (tatoeba / "ara-eng.eng").read_text(encoding="utf-8").splitlines()
    plan = counts(n_docs)
    n_background = n_docs - 2 * plan["translation"] - plan["derived"] - plan["copy"] - plan["near-copy"]
    if n_background < plan["derived"] + plan["copy"] + plan["near-copy"]:
        raise SystemExit(f"--docs {n_docs}: too few documents for the planted pairs")
    root.mkdir(parents=True, exist_ok=True)
    truth: dict = {"docs": {}, "pairs": [], "seed": seed, "plan": plan}
    made: list[tuple[str, str, str, list[Span]]] = []  # (role, lang, text, sentence spans)

    def write(role: str, lang: str, sentences: list[str]) -> tuple[str, list[Span]]:
        text, spans = page(sentences, rng)
        name = hashlib.sha1(f"{seed}:{len(made)}".encode()).hexdigest()[:14] + ".txt"
        made.append((role, lang, text, spans))
        (root / name).write_text(text, encoding="utf-8")
        key = f"{name}#1"
        truth["docs"][key] = {"file": name, "start": 0, "end": len(text), "lang": lang, "role": role}
        return key, spans

    background: list[tuple[str, str, list[str]]] = []  # key, lang, sentences
    for i in range(n_background):
        lang = "en" if i % 2 == 0 else "ar"
        sents = [random_sentence(vocab[lang], lang, rng) for _ in range(rng.randint(8, 30))]
        key, _ = write("background", lang, sents)
        background.append((key, lang, sents))
    # everyday documents and their translations: every Tatoeba pair used once
    order = list(range(min(len(ar_lines), len(en_lines))))
    rng.shuffle(order)
    for _ in range(plan["translation"]):
        take, order = order[:rng.randint(10, 20)], order[20:]
        if len(take) < 10:
            raise SystemExit("Tatoeba's 1,000 pairs are used up: fewer translations, please")
        en_key, en_spans = write("everyday", "en", [en_lines[i] for i in take])
        ar_key, ar_spans = write("translation", "ar", [ar_lines[i] for i in take])
        truth["pairs"].append({"a": en_key, "b": ar_key, "type": "translation", "source": en_key,
                               "gold": [[list(x), list(y)] for x, y in zip(en_spans, ar_spans, strict=True)]})
    sources = rng.sample(range(len(background)), plan["derived"] + plan["copy"] + plan["near-copy"])
    for k, s in enumerate(sources):
        src_key, lang, sents = background[s]
        if k < plan["derived"]:
            kind = "derived"
            kept = rng.sample(sents, max(2, round(len(sents) * rng.uniform(0.4, 0.6))))
            own = [random_sentence(vocab[lang], lang, rng) for _ in range(max(2, round(len(kept) * rng.uniform(0.7, 1.3))))]
            body = kept + own
            rng.shuffle(body)
        elif k < plan["derived"] + plan["copy"]:
            # republished whole under a heading of its own (passim pairs no two files of the very
            # same text: 0 of 95 such copies at 2,000 documents)
            kind = "copy"
            title = " ".join(rng.choice(vocab[lang]) for _ in range(rng.randint(3, 7)))
            body = [(title[:1].upper() + title[1:]) if lang == "en" else title, *sents]
        else:
            kind = "near-copy"
            body = [s.split() for s in sents]
            n_words = sum(len(ws) for ws in body)
            for _ in range(max(1, round(n_words * rng.uniform(0.02, 0.05)))):
                ws = rng.choice(body)
                j = rng.randrange(len(ws))
                new = rng.choice(vocab[lang])
                ws[j] = (new[:1].upper() + new[1:] if j == 0 and lang == "en" else new) + ("." if j == len(ws) - 1 else "")
            body = [" ".join(ws) for ws in body]
            del body[rng.randrange(len(body))]
            body.insert(rng.randrange(len(body) + 1), random_sentence(vocab[lang], lang, rng))
        key, _ = write(kind, lang, body)
        truth["pairs"].append({"a": src_key, "b": key, "type": kind, "source": src_key})
    return truth


# -- scoring ---------------------------------------------------------------------------------------
def load_area_f1(path: Path):
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.area_f1


def candidate_pairs(db: Path, key_of: dict[str, str]) -> set[tuple[str, str]]:
    """The document pairs sourcetrace's store aligned, as planted keys."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT a, b FROM aligned_pairs").fetchall()
    out = set()
    for a, b in rows:
        ka, kb = key_of.get(a), key_of.get(b)
        if ka and kb:
            out.add((min(ka, kb), max(ka, kb)))
    return out


def details(out: Path, key_of: dict[str, str], truth: dict, aligned: set[tuple[str, str]] | None, area_f1) -> dict:
    """What vs_passim's score leaves out, per kind: candidates (pairs with a relation, by topic
    too, or aligned) and pairs aligned (``aligned``, planted keys; None: those with a relation),
    types, the planted side's aligned share, directions, the translations' sentence pairs by area."""
    rows = vs_passim.read_jsonl(out / "relations.jsonl")
    rel = {}
    for r in rows:
        ka, kb = key_of.get(r["a"], r["a"]), key_of.get(r["b"], r["b"])
        cov = {ka: r.get("coverage_a"), kb: r.get("coverage_b")}
        rel[(min(ka, kb), max(ka, kb))] = (r["type"], key_of.get(r.get("source")) if r.get("source") else None, cov)
    aligned = set(rel) if aligned is None else aligned
    candidates = aligned | set(rel)
    spans: dict[tuple[str, str], list[tuple[Span, Span]]] = defaultdict(list)
    for p in vs_passim.read_jsonl(out / "passages.jsonl"):
        ka, kb = key_of.get(p["a"]), key_of.get(p["b"])
        if ka and kb:
            spans[(ka, kb)].append(((p["a_start"], p["a_end"]), (p["b_start"], p["b_end"])))
    res: dict = {}
    for kind in KINDS:
        planted = [p for p in truth["pairs"] if p["type"] == kind]
        types: Counter = Counter()
        shares, direction = [], Counter()
        f1s: list[tuple[float, float, float]] = []
        found_units = units = 0
        for p in planted:
            pk = (min(p["a"], p["b"]), max(p["a"], p["b"]))
            typ, src, cov = rel.get(pk, ("none", None, {}))
            types[typ] += 1
            if typ != "none" and cov.get(p["b"]) is not None:
                shares.append(cov[p["b"]])
            if typ in ("translation", "derived", "copy", "revision"):
                direction["right" if src == p["source"] else "none" if src is None else "wrong"] += 1
            if "gold" in p:
                pred = spans.get((p["a"], p["b"]), []) + [(y, x) for x, y in spans.get((p["b"], p["a"]), [])]
                gold = [tuple(map(tuple, g)) for g in p["gold"]]
                pr, rc, f1, found = area_f1(pred, gold)
                f1s.append((pr, rc, f1))
                found_units += found
                units += len(gold)
        keys = [(min(p["a"], p["b"]), max(p["a"], p["b"])) for p in planted]
        k: dict = {"pairs": len(planted), "candidates": sum(pk in candidates for pk in keys),
                   "aligned": sum(pk in aligned for pk in keys),
                   "types": dict(types.most_common()), "direction": dict(direction)}
        if shares:
            k["share_of_b"] = {"median": round(statistics.median(shares), 3), "min": round(min(shares), 3),
                               "max": round(max(shares), 3)}
        if f1s:
            k["sentence_pairs"] = {"P": round(statistics.mean(x[0] for x in f1s), 3),
                                   "R": round(statistics.mean(x[1] for x in f1s), 3),
                                   "F1": round(statistics.mean(x[2] for x in f1s), 3),
                                   "found": f"{found_units}/{units}"}
        res[kind] = k
    return res


def run_both(corpus: Path, truth: dict, work: Path, venv: Path | None, options: list[str],
             encoder: str | None = None) -> dict:
    peers = SHARED / "peers" / "passim"
    area_f1 = load_area_f1(SHARED / "eval" / "score.py")
    out: dict = {}
    ours, ours_out = vs_passim.run_ours(corpus, work, peers, encoder)
    say(f"sourcetrace {ours.wall_s:.1f}s, CPU {ours.cpu_s:.1f}s, peak {ours.peak_mib:.0f} MiB, "
        f"load {ours.load[0]:.1f}-{ours.load[1]:.1f}")
    keys = vs_passim.our_keys(ours_out, corpus)
    run = vs_passim.as_run(ours_out, keys)
    cands = candidate_pairs(work / "ours.db", keys)
    # the pairs it aligned are candidates too (a pair aligned to nothing leaves no relation), as ids
    id_of = {k: i for i, k in keys.items()}
    run.pairs |= {(min(id_of[a], id_of[b]), max(id_of[a], id_of[b])) for a, b in cands}
    vs_passim.score(ours, run, truth, corpus)
    out["sourcetrace"] = {"side": ours, "details": details(ours_out, keys, truth, cands, area_f1)}
    if venv is not None:
        theirs, passim_out = vs_passim.run_passim(corpus, work, peers, venv, options)
        say(f"passim {theirs.wall_s:.1f}s, CPU {theirs.cpu_s:.1f}s, peak {theirs.peak_mib:.0f} MiB, "
            f"load {theirs.load[0]:.1f}-{theirs.load[1]:.1f}")
        pkeys = vs_passim.passim_keys(passim_out)
        prun = vs_passim.as_run(passim_out, pkeys)
        vs_passim.score(theirs, prun, truth, corpus)
        out["passim"] = {"side": theirs, "details": details(passim_out, pkeys, truth, None, area_f1)}
    return out


def report(n: int, truth: dict, res: dict) -> str:
    tools = [t for t in ("sourcetrace", "passim") if t in res]
    lines = [f"== issue 17's everyday corpus: {len(truth['docs']):,} documents (seed {truth['seed']}), planted "
             + ", ".join(f"{v} {k}" for k, v in truth["plan"].items()) + " =="]

    def row(name: str, get, bar: str = "") -> None:
        cells = [get(res[t]) for t in tools]
        lines.append(f"{name:<44} " + " | ".join(f"{c:<28}" for c in cells) + (f"  bar {bar}" if bar else ""))

    lines.append(f"{'':<44} " + " | ".join(f"{t:<28}" for t in tools))
    row("wall s, CPU s, peak MiB", lambda r: f"{r['side'].wall_s:.1f}, {r['side'].cpu_s:.0f}, {r['side'].peak_mib:.0f}")
    row("1-min load before-after", lambda r: f"{r['side'].load[0]:.1f}-{r['side'].load[1]:.1f}")
    all_pairs = sum(truth["plan"].values())
    row("relation recall, all planted", lambda r: f"{sum(r['side'].recall.get(t, 0) * r['side'].planted.get(t, 0) for t in r['side'].planted) / all_pairs:.4f}",
        ">= passim's")
    row("relation recall, monolingual", lambda r: f"{r['side'].monolingual:.4f}")
    for kind in KINDS:
        row(f"  {kind} (n={truth['plan'][kind]}): recall", lambda r, k=kind: f"{r['side'].recall.get(k, 0.0):.4f}",
            ">= 0.98" if kind == "translation" else "")
        row("    candidates / aligned", lambda r, k=kind: f"{r['details'][k]['candidates']} / {r['details'][k]['aligned']}")
        row("    typed", lambda r, k=kind: " ".join(f"{t} {c}" for t, c in r["details"][k]["types"].items()))
        row("    aligned share of the planted doc", lambda r, k=kind: (
            "{median} ({min}-{max})".format(**r["details"][k]["share_of_b"]) if "share_of_b" in r["details"][k] else "-"))
        row("    direction right/wrong/none", lambda r, k=kind: "/".join(
            str(r["details"][k]["direction"].get(x, 0)) for x in ("right", "wrong", "none")))
    row("translations' sentence pairs P / R / F1", lambda r: "{P} / {R} / {F1}".format(**r["details"]["translation"]["sentence_pairs"]))
    row("  sentence pairs found (half the area)", lambda r: r["details"]["translation"]["sentence_pairs"]["found"])
    row("directed relations", lambda r: f"{r['side'].relations}")
    row("precision (same planted family)", lambda r: f"{r['side'].precision:.4f}")
    row("precision strict (planted pairs only)", lambda r: f"{r['side'].precision_strict:.4f}")
    for t in tools:
        if res[t]["side"].examples:
            lines.append(f"\n{t}: examples")
            lines += [f"  {e}" for e in res[t]["side"].examples]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--passim-venv", type=Path, default=os.environ.get("PASSIM_VENV"))
    ap.add_argument("--passim-options", default="", help="passim's options after run.sh's (default: its defaults)")
    ap.add_argument("--without-passim", action="store_true")
    ap.add_argument("--encoder", help="pass --encoder to sourcetrace trace (default: none, as a user runs it)")
    ap.add_argument("--keep", type=Path, help="keep the corpus, truth and outputs in this directory")
    ap.add_argument("--only-generate", type=Path, metavar="DIR", help="write the corpus and DIR/truth.json, trace nothing")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.only_generate:
        t = time.perf_counter()
        truth = generate(args.only_generate / "corpus", args.docs, args.seed)
        (args.only_generate / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
        say(f"{len(truth['docs'])} documents, {len(truth['pairs'])} planted pairs in {time.perf_counter() - t:.1f}s "
            f"-> {args.only_generate}")
        return
    venv = None if args.without_passim else args.passim_venv
    if venv is not None and not os.access(venv / "bin" / "spark-submit", os.X_OK):
        sys.exit(f"no passim at {venv}: {vs_passim.SETUP_HINT} (or --without-passim)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_everyday_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        shutil.rmtree(corpus, ignore_errors=True)
        truth = generate(corpus, args.docs, args.seed)
        (work / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
        say(f"{len(truth['docs']):,} documents, {len(truth['pairs'])} planted pairs -> {corpus}")
        res = run_both(corpus, truth, work, venv, args.passim_options.split(), args.encoder)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({t: {"side": vs_passim.asdict(r["side"]), "details": r["details"]} for t, r in res.items()},
                         indent=1))
    else:
        print(report(args.docs, truth, res))


if __name__ == "__main__":
    main()
