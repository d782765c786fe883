"""What a +1% rerun's ballots change, and why an old pair's choice can change (issue 18): whether a
rerun could rescore only the pairs chosen before and the new documents' pairs.

    .venv/bin/python bench/rerun_pairs.py --keep DIR

DIR: a store `bench/rerun.py --keep DIR --stage candidates` prepared (DIR/before-candidates.db: a
traced store as a rerun's candidates stage finds it). The stage runs once on a copy; printed:
- of the tallies brought up (their pool changed, the tally kept): how many a new member enters
  (a sentence's vote, its LISTED_DEPTH nearest, anywhere), how many lost a member a sentence listed
  among its LISTED_DEPTH nearest (pushed out of the pool by a new document), how many kept their
  old members' order, and how many ballots said the same (its listed choice's times chance aside);
- the pairs of two old documents chosen after the rerun and not before, and the reverse, each
  with the rule that chooses it, whether a pool of its documents lost a member or only grew, and
  the ballots of its documents that changed (their listed choice and chosen member).
An old pair chosen only after the rerun is one a rerun that rescored only the pairs chosen
before and the new documents' pairs would miss (bench/README, rerun30).
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sourcetrace import pipeline  # noqa: E402
from sourcetrace.candidates import votes  # noqa: E402
from sourcetrace.engines import local  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

KINDS = (local.SENTENCE_BALLOTS, local.STRETCH_BALLOTS, local.TWIN_BALLOTS)


def stored_ballots(store: Store) -> list[dict[tuple[str, str], votes.Ballot]]:
    """Each kind's ballots as the store keeps them (local.stored_ballots)."""
    return [{k: b for k, (_, b) in local.stored_ballots(store, kind)[1].items() if b is not None} for kind in KINDS]


def said(ballots: list[dict]) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = {}
    for kind_ballots, kind in zip(ballots, votes.KINDS, strict=True):
        for (doc, _), b in kind_ballots.items():
            for k, what in votes.named(doc, b, kind):
                out.setdefault(k, []).append(what)
    return out


def chosen(words: dict[tuple[str, str], list]) -> set[tuple[str, str]]:
    return {k for k, v in words.items() if (votes.agreed_alone(v[0]) if len(v) == 1 else votes.agreed(v))}


def rules(words: list) -> list[str]:
    """The rules that choose a pair (votes.agreed's parts)."""
    out = []
    for kind in votes.KINDS:
        shares = [w[1] for w in words if w[0] == kind + "share"]
        if len(shares) == 2 and min(shares) >= votes.MIN_SHARE:
            out.append(kind + "share")
        if len({w for w in words if w[0] == kind + "order"}) >= votes.MIN_IN_ORDER:
            out.append(kind + "order")
        if votes._ran(words, kind):
            out.append(kind + "run")
    if len({w for w in words if w[0] == votes.LISTED}) == 2:
        out.append("listed")
    return out


def landed(plans: list, out: dict) -> Counter:
    """Where the new members land in the tallies brought up (see the module's doc)."""
    c: Counter = Counter()
    for doc, lang, _, before, (to, new) in (p for p in plans if p[3] is not None):
        t = out[(doc, lang)]
        fresh = np.isin(t.member, [i for i, _ in new]) & (t.member >= 0)
        cut = t.best[:, votes.LISTED_DEPTH - 1] if t.best.shape[1] >= votes.LISTED_DEPTH else np.full(len(t.best), -np.inf)
        listed = (t.member >= 0) & (t.best >= cut[:, None])
        was_cut = (before.best[:, votes.LISTED_DEPTH - 1] if before.best.shape[1] >= votes.LISTED_DEPTH
                   else np.full(len(before.best), -np.inf))
        was_listed = (before.member >= 0) & (before.best >= was_cut[:, None])
        lost = bool((was_listed & (to[before.member] < 0)).any())
        old = [i for i in to[:-1].tolist() if i >= 0]
        a, b = votes.verdict(before), votes.verdict(t)
        c["brought up"] += 1
        c["a new member takes a vote"] += bool(fresh[:, 0].any())
        c["a new member among a sentence's listed"] += bool((fresh & listed).any())
        c["a new member anywhere in the lists"] += bool(fresh.any())
        c["a listed member lost"] += lost
        c["old members in their order"] += old == sorted(old)
        c["neither (lists as before)"] += not (fresh & listed).any() and not lost and old == sorted(old)
        c["the same ballot (times chance aside)"] += (a is not None and b is not None and a[:3] == b[:3]
                                                     and a[3][0] == b[3][0] and a[4] == b[4])
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, required=True)
    args = ap.parse_args()
    copy = args.keep / "rerun-pairs.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(args.keep / "before-candidates.db", copy)
    docs = pickle.loads((args.keep / "before-candidates.pkl").read_bytes())
    caught = []
    tallies = pipeline.tallies

    def kept(plans, vectors, keys):  # the sentence, stretch and twin ballots' tallies, in turn
        out = tallies(plans, vectors, keys)
        caught.append(landed(plans, out))
        return out

    pipeline.tallies = kept
    with Store(copy) as store:
        before, nb_before = stored_ballots(store), local.kept_neighbours(store)
        local.candidate_sets(store, docs, local.topic_vectors(store, docs))
        after, nb_after = stored_ballots(store), local.kept_neighbours(store)
    for kind, c in zip(("sentence", "stretch", "twin"), caught, strict=False):
        print(f"{kind} tallies: " + ", ".join(f"{k} {v}" for k, v in c.items()))
    old = {d for d, _ in before[0]} | {d for d, _ in before[1]}
    new_docs = {d.id for d in docs} - old
    words_before, words_after = said(before), said(after)
    was, now = chosen(words_before), chosen(words_after)
    pools_before = {(d, lg): p for d, lg, p in votes.cross_lists(nb_before)}
    pools_after = {(d, lg): p for d, lg, p in votes.cross_lists(nb_after)}
    langs = {lg for _, lg in pools_after}
    print(f"pairs chosen by the ballots: {len(was)} before, {len(now)} after "
          f"({sum(1 for k in now if new_docs.intersection(k))} with a new document)")
    causes: Counter = Counter()
    for label, pairs, words in (("chosen only after", now - was, words_after), ("chosen only before", was - now, words_before)):
        for k in sorted(p for p in pairs if not new_docs.intersection(p)):
            lost = any(set(pools_before.get((d, lg), ())) - set(pools_after.get((d, lg), ())) for d in k for lg in langs)
            causes[(label, tuple(rules(words.get(k, []))), "a pool lost a member" if lost else "pools only grew")] += 1
            print(f"  {label}: {k} by {rules(words.get(k, []))}; {'a pool lost a member' if lost else 'pools only grew'}")
            for d in k:
                for lg in sorted(langs):
                    a, b = before[0].get((d, lg)), after[0].get((d, lg))
                    if a != b and (a or b):
                        print(f"    {d} in {lg}: chose {a and a[:2]} -> {b and b[:2]}, listed {a and a[3]} -> {b and b[3]}, "
                              f"pool {len(pools_before.get((d, lg), ()))} -> {len(pools_after.get((d, lg), ()))}")
    for k, v in sorted(causes.items()):
        print(f"{v:4d} {k}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
