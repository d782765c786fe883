"""A linear adapter from Arabic sentence vectors toward English ones, learnt offline from public
Arabic-English parallel text, measured on Tatoeba ara-eng (issue 17's 0.95 bar).

    .venv/bin/python bench/adapter.py encode      # parallel text + Tatoeba -> vectors (cached)
    .venv/bin/python bench/adapter.py sweep [tr,ex]          # fit maps, Tatoeba's halves
    .venv/bin/python bench/adapter.py lexicon [procrustes]   # (b) IBM model 1 table mixed in

Vectors are cached under $ADAPTER_CACHE (default /work/tmp/adapter35). Choose a variant on the
first half (pairs 0-499) and read it on the second (500-999): each half is its own pair of
documents, English shuffled within it, as in bench/tatoeba.py's anchor section.

Training text (none of it Tatoeba, NTREX-128, TED, or a set bench/realtext.py evaluates):

* tldr-pages/tldr (CC-BY-4.0): pages.ar/ against pages/, page descriptions and examples matched
  by their command line (mirror /work/.mirror/tldr-pages+tldr);
* google-deepmind/xquad (CC BY-SA 4.0): xquad.ar.json / xquad.en.json, the 1,190 questions
  matched by id and the paragraphs' sentences where both sides split into as many
  (mirror /work/.mirror/google-deepmind+xquad);
  together "tr", 3,074 pairs;
* unicode-org/cldr-json (Unicode licence v3): the emoji names (tts) of annotations/ar and /en;
* excalidraw/excalidraw (MIT): packages/excalidraw/locales/ar-SA.json against en.json;
  together "ex", 2,426 pairs.

The map for each encoder (e5 passage, USE) is fitted Arabic -> English: ridge regression with a
bias (lambda swept) or orthogonal Procrustes; an Arabic vector becomes
normalize((1 - a) x + a normalize(x W + b)), English vectors stay as they are. The product's
scoring follows (0.8 e5 + 0.2 USE cosines, margin, names rerank, one-to-one).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sourcetrace.align.matching import match_sentences  # noqa: E402
from sourcetrace.encode import DEFAULT_WEIGHTS, get_encoder, l2_normalize  # noqa: E402
from tatoeba import SEED, load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("ADAPTER_CACHE", "/work/tmp/adapter35"))
MIRRORS = Path("/work/.mirror")
ARABIC = re.compile("[\u0600-\u06ff]")


def _git_show(repo: str, path: str) -> str:
    git = MIRRORS / repo / "repo"
    return subprocess.run(["git", "--git-dir", str(git), "show", f"HEAD:{path}"], capture_output=True,
                          text=True, check=True).stdout


def tldr_pairs() -> list[tuple[str, str]]:
    """tldr pages: the '>' description lines when both sides have as many, and each example's
    description matched through its command line (the same code on both sides)."""
    git = MIRRORS / "tldr-pages+tldr" / "repo"
    names = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "-r", "--name-only", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split("\n")
    present = set(names)

    def parse(text: str) -> tuple[list[str], dict[str, str]]:
        lines = text.splitlines()
        desc = [ln[2:].strip() for ln in lines if ln.startswith("> ") and "<http" not in ln]
        examples = {}
        for i, ln in enumerate(lines):
            if ln.startswith("- "):
                code = next((m for m in lines[i + 1:i + 4] if m.startswith("`")), None)
                if code:
                    examples[code] = ln[2:].strip().rstrip(":")
        return desc, examples

    pairs = []
    for name in names:
        if not (name.startswith("pages.ar/") and name.endswith(".md")):
            continue
        english = "pages/" + name[len("pages.ar/"):]
        if english not in present:
            continue
        ad, ax = parse(_git_show("tldr-pages+tldr", name))
        ed, ex = parse(_git_show("tldr-pages+tldr", english))
        if len(ad) == len(ed):
            pairs += zip(ad, ed, strict=True)
        pairs += [(d, ex[c]) for c, d in ax.items() if c in ex]
    return pairs


def xquad_pairs() -> list[tuple[str, str]]:
    """XQuAD: questions by id; a paragraph's sentences when both sides split into as many."""
    ar, en = (json.loads(_git_show("google-deepmind+xquad", f"xquad.{lang}.json")) for lang in ("ar", "en"))

    def sents(text: str) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?؟])\s+", text.strip()) if len(s) > 3]

    pairs = []
    for da, de in zip(ar["data"], en["data"], strict=True):
        for pa, pe in zip(da["paragraphs"], de["paragraphs"], strict=True):
            sa, se = sents(pa["context"]), sents(pe["context"])
            if len(sa) == len(se):
                pairs += zip(sa, se, strict=True)
            questions = {q["id"]: q["question"] for q in pe["qas"]}
            pairs += [(q["question"], questions[q["id"]]) for q in pa["qas"] if q["id"] in questions]
    return pairs


def cldr_pairs() -> list[tuple[str, str]]:
    """Unicode CLDR's emoji names (tts), Arabic and English by emoji: short noun phrases."""
    def names(lang: str) -> dict[str, str]:
        path = f"cldr-json/cldr-annotations-full/annotations/{lang}/annotations.json"
        data = json.loads(_git_show("unicode-org+cldr-json", path))["annotations"]["annotations"]
        return {k: v["tts"][0] for k, v in data.items() if v.get("tts")}

    ar, en = names("ar"), names("en")
    return [(ar[k], en[k]) for k in ar if k in en]


def excalidraw_pairs() -> list[tuple[str, str]]:
    """Excalidraw's interface strings (MIT), Arabic and English by key."""
    def flat(d: dict, prefix: str = "") -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in d.items():
            if isinstance(v, dict):
                out.update(flat(v, prefix + k + "."))
            elif isinstance(v, str) and v:
                out[prefix + k] = v
        return out

    ar, en = (flat(json.loads(_git_show("excalidraw+excalidraw", f"packages/excalidraw/locales/{n}.json")))
              for n in ("ar-SA", "en"))
    return [(ar[k], en[k]) for k in ar if k in en and "{{" not in ar[k]]


SOURCES = {"tr": lambda: tldr_pairs() + xquad_pairs(), "ex": lambda: cldr_pairs() + excalidraw_pairs()}


def training_pairs(source: str = "tr") -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for a, e in SOURCES[source]():
        a, e = a.strip().rstrip("."), e.strip().rstrip(".")
        if a and e and ARABIC.search(a) and (a, e) not in seen:
            seen.add((a, e))
            out.append((a, e))
    return out


PARTS = ("e5", "use")


def encode_all() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    ara, eng, _ = load(ROOT.parent / "shared" / "corpora" / "tatoeba")
    sets = [("tat_ar", ara), ("tat_en", eng)]
    for source in SOURCES:
        pairs = training_pairs(source)
        (CACHE / f"{source}.tsv").write_text("".join(" ".join(a.split()) + "\t" + " ".join(e.split()) + "\n"
                                                      for a, e in pairs), encoding="utf-8")
        print(f"training pairs {source}: {len(pairs)}", flush=True)
        sets += [(f"{source}_ar", [a for a, _ in pairs]), (f"{source}_en", [e for _, e in pairs])]
    for part in PARTS:
        enc = get_encoder(part)
        for name, texts in sets:
            path = CACHE / f"{name}.{part}.npy"
            if not path.exists():
                np.save(path, enc.encode(texts))
                print("encoded", path, flush=True)


def fit_ridge(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression with an unpenalised bias: y ~ x W + b."""
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    w = np.linalg.solve(xc.T @ xc + lam * np.eye(x.shape[1]), xc.T @ yc)
    return w, my - mx @ w


def fit_ridge_identity(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge shrunk toward the identity (the encoders are already aligned): few pairs move W
    little from I. Bias unpenalised."""
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    eye = np.eye(x.shape[1])
    w = np.linalg.solve(xc.T @ xc + lam * eye, xc.T @ yc + lam * eye)
    return w, my - mx @ w


def fit_procrustes(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u, _, vt = np.linalg.svd(x.T @ y)
    return u @ vt, np.zeros(y.shape[1])


def adapt(x: np.ndarray, wb: tuple[np.ndarray, np.ndarray], alpha: float) -> np.ndarray:
    w, b = wb
    return l2_normalize((1 - alpha) * x + alpha * l2_normalize(x @ w + b))


def combined(parts: dict[str, np.ndarray]) -> np.ndarray:
    total = sum(DEFAULT_WEIGHTS.values())
    return l2_normalize(np.concatenate([np.sqrt(DEFAULT_WEIGHTS[p] / total) * parts[p] for p in PARTS], axis=1))


def halves_accuracy(ara: list[str], eng_orig: list[str], a: np.ndarray, e: np.ndarray) -> list[float]:
    """First half, second half, all: each a pair of documents, English shuffled within it."""
    n = len(ara)
    out = []
    for lo, hi in ((0, n // 2), (n // 2, n), (0, n)):
        perm = np.random.default_rng(SEED).permutation(hi - lo)
        gold = np.argsort(perm)
        en_texts = [eng_orig[lo + p] for p in perm]
        m = match_sentences(a[lo:hi], e[lo:hi][perm], src_texts=ara[lo:hi], tgt_texts=en_texts,
                            src_lang="ar", tgt_lang="en")
        out.append(sum(1 for i, j, _ in m if gold[i] == j) / (hi - lo))
    return out


def sweep() -> None:
    ara, eng, gold = load(ROOT.parent / "shared" / "corpora" / "tatoeba")
    eng_orig = [eng[g] for g in gold]
    v = {(n, p): np.load(CACHE / f"{n}.{p}.npy") for n in ("tat_ar", "tat_en") for p in PARTS}
    tat_en = {p: v["tat_en", p][gold] for p in PARTS}  # English in file order
    base = halves_accuracy(ara, eng_orig, combined({p: v["tat_ar", p] for p in PARTS}), combined(tat_en))
    print(f"{'variant':48s} first  second  all")
    print(f"{'product (no adapter)':48s} " + " ".join(f"{x:.3f}" for x in base), flush=True)
    fits = {"procrustes": lambda x, y: fit_procrustes(x, y)}
    for lam in (0.1, 1.0, 10.0):
        fits[f"ridge {lam:g}"] = lambda x, y, lam=lam: fit_ridge(x, y, lam)
    for lam in (1.0, 10.0, 100.0):
        fits[f"ridge->I {lam:g}"] = lambda x, y, lam=lam: fit_ridge_identity(x, y, lam)
    sources = sys.argv[2].split(",") if len(sys.argv) > 2 else ["tr"]
    ready = [p for p in PARTS if all((CACHE / f"{s}_{side}.{p}.npy").exists() for s in sources for side in ("ar", "en"))]
    tr_ar = {p: np.concatenate([np.load(CACHE / f"{s}_ar.{p}.npy") for s in sources]) for p in ready}
    tr_en = {p: np.concatenate([np.load(CACHE / f"{s}_en.{p}.npy") for s in sources]) for p in ready}
    print(f"training on {sources}: {len(tr_ar['e5'])} pairs")
    for fname, fit in fits.items():
        maps = {p: fit(tr_ar[p], tr_en[p]) for p in ready}
        for which in [w for w in (("e5",), ("use",), ("e5", "use")) if set(w) <= set(ready)]:
            for alpha in (0.1, 0.2, 0.3, 0.5, 1.0):
                a = combined({p: adapt(v["tat_ar", p], maps[p], alpha) if p in which else v["tat_ar", p]
                              for p in PARTS})
                acc = halves_accuracy(ara, eng_orig, a, combined(tat_en))
                label = f"{fname}, {'+'.join(which)}, alpha {alpha}"
                print(f"{label:48s} " + " ".join(f"{x:.3f}" for x in acc), flush=True)


# (b) a lexical translation table: IBM model 1, Arabic light stems -> English words.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل")
_SUFFIXES = ("هما", "كما", "ها", "هم", "كم", "نا", "ه", "ك", "ي", "ة", "ات", "ون", "ين")


def arabic_stems(text: str) -> list[str]:
    """Arabic words with one proclitic and one suffix cut (a stem keeps >= 3 letters)."""
    out = []
    for w in re.findall("[ء-ي]+", text):
        for pre in _PREFIXES:
            if w.startswith(pre) and len(w) - len(pre) >= 3:
                w = w[len(pre):]
                break
        for suf in _SUFFIXES:
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                w = w[:-len(suf)]
                break
        out.append(w)
    return out


def english_words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def ibm1(pairs: list[tuple[list[str], list[str]]], rounds: int = 8) -> dict[str, dict[str, float]]:
    """t(e | a) by EM, a NULL source word in every sentence."""
    t: dict[str, dict[str, float]] = {}
    for a, e in pairs:
        for w in a + ["<null>"]:
            t.setdefault(w, {}).update((x, 1.0) for x in e)
    for _ in range(rounds):
        count: dict[str, dict[str, float]] = {}
        for a, e in pairs:
            src = a + ["<null>"]
            for x in e:
                z = sum(t[w][x] for w in src)
                for w in src:
                    c = count.setdefault(w, {})
                    c[x] = c.get(x, 0.0) + t[w][x] / z
        t = {w: {x: v / sum(c.values()) for x, v in c.items()} for w, c in count.items()}
    return t


def lexical_scores(t: dict[str, dict[str, float]], ara: list[str], eng: list[str]) -> np.ndarray:
    """s[i, j]: mean over sentence i's known Arabic stems of the best t(e | a) among sentence j's
    English words (0 where no stem is known)."""
    evocab = {x: k for k, x in enumerate(sorted({x for d in t.values() for x in d}))}
    pad = len(evocab)  # a zero column for padding and unknown words
    words = [[evocab.get(x, pad) for x in english_words(s)] or [pad] for s in eng]
    index = np.full((len(eng), max(map(len, words))), pad)
    for j, ids in enumerate(words):
        index[j, :len(ids)] = ids
    out = np.zeros((len(ara), len(eng)), dtype=np.float32)
    for i, s in enumerate(ara):
        stems = [w for w in arabic_stems(s) if w in t]
        if not stems:
            continue
        rows = np.zeros((len(stems), pad + 1), dtype=np.float32)
        for r, w in enumerate(stems):
            for x, v in t[w].items():
                rows[r, evocab[x]] = v
        out[i] = rows[:, index].max(axis=2).mean(axis=0)
    return out


def lexicon() -> None:
    from sourcetrace.align.matching import cosine_matrix, margin_scores, one_to_one, rerank

    pairs = [(arabic_stems(a), english_words(e)) for source in SOURCES for a, e in training_pairs(source)]
    t = ibm1(pairs)
    print(f"IBM model 1 on {len(pairs)} pairs: {len(t)} Arabic stems")
    ara, eng, gold = load(ROOT.parent / "shared" / "corpora" / "tatoeba")
    eng_orig = [eng[g] for g in gold]
    a_parts = {p: np.load(CACHE / f"tat_ar.{p}.npy") for p in PARTS}
    if len(sys.argv) > 2:  # "procrustes": the Arabic side mapped first (sweep's best on the first half)
        for p in PARTS:
            x = np.concatenate([np.load(CACHE / f"{s}_ar.{p}.npy") for s in SOURCES])
            y = np.concatenate([np.load(CACHE / f"{s}_en.{p}.npy") for s in SOURCES])
            a_parts[p] = adapt(a_parts[p], fit_procrustes(x, y), 1.0)
    a_all = combined(a_parts)
    e_all = combined({p: np.load(CACHE / f"tat_en.{p}.npy")[gold] for p in PARTS})
    n = len(ara)
    halves = []
    for lo, hi in ((0, n // 2), (n // 2, n), (0, n)):
        perm = np.random.default_rng(SEED).permutation(hi - lo)
        en_texts = [eng_orig[lo + p] for p in perm]
        base = rerank(margin_scores(cosine_matrix(a_all[lo:hi], e_all[lo:hi][perm])), ara[lo:hi], en_texts, "ar", "en")
        lex = lexical_scores(t, ara[lo:hi], en_texts)
        halves.append((np.argsort(perm), base, lex))
    for w in (0.0, 0.01, 0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2):
        accs = [sum(1 for i, j, _ in one_to_one(base + w * lex) if gold_h[i] == j) / len(gold_h)
                for gold_h, base, lex in halves]
        print(f"margin + names + {w:g} x lexical: " + " ".join(f"{x:.3f}" for x in accs), flush=True)
    gold_h, _, lex = halves[2]
    print(f"lexical alone (one-to-one): {sum(1 for i, j, _ in one_to_one(lex) if gold_h[i] == j) / n:.3f}")


if __name__ == "__main__":
    {"encode": encode_all, "sweep": sweep, "lexicon": lexicon}[sys.argv[1]]()
