"""Do two `sourcetrace trace` output directories hold the same contract files, once sorted?

    python bench/same_outputs.py BEFORE_DIR AFTER_DIR [--tol 1e-6] [--ignore documents.path]
                                 [--unordered FILE.FIELD] [--show 5]

Why it exists: a refactor (or any change meant to leave the answers alone) must not change the
outputs. Run `trace` with the old code and with the new one on the same files, then compare the two
directories with this. Every *.jsonl file in BEFORE_DIR (documents, sentences, passages, relations,
families, facts, fact_diffs and any other) is compared with the file of the same name in AFTER_DIR
as a multiset of records: keys sorted, records sorted, so the order records are written in does not
matter, but everything in them does. Floats are equal within --tol. A list field whose order means
nothing is sorted before comparing (--unordered; by default a family's "documents"); other lists,
such as a relation's "evidence" or a document's "boilerplate" spans, are compared in order.
`--ignore FILE.FIELD` (repeatable) leaves a field out, e.g. `documents.path` when paths change
representation on purpose. Either directory may be a Spark run's output (`trace --engine spark`),
where a table is a directory of JSON-lines part files (`documents/part-00000`, ...) instead of
`documents.jsonl`.

Prints one line per file (identical, or how many records differ, with the first few differences)
and exits 0 when every file is identical, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

DEFAULT_UNORDERED = ("families.documents",)
# Fields that name a record, used only to show a changed record as one change instead of a removal
# and an addition. A record's identity is never assumed when deciding whether files are the same.
IDENTITY: dict[str, tuple[str, ...]] = {
    "documents": ("id",),
    "sentences": ("doc", "start"),
    "passages": ("a", "b", "a_start", "b_start"),
    "relations": ("a", "b"),
    "families": ("id",),
    "facts": ("doc", "start", "end", "type"),
    "fact_diffs": ("a", "b", "a_start", "b_start", "type"),
}
FLOAT = "\x00float"  # stands for any float in a record's skeleton


class UsageError(Exception):
    """A bad option or an unreadable file: exit 2, never mistaken for "outputs differ"."""


def parse_fields(specs: list[str], option: str) -> dict[str, set[str]]:
    """'documents.path' or 'documents.jsonl.path' -> {'documents': {'path'}}."""
    out: dict[str, set[str]] = defaultdict(set)
    for spec in specs:
        name, dot, field = spec.rpartition(".")
        name = name.removesuffix(".jsonl")
        if not dot or not name or not field:
            raise UsageError(f"{option} {spec!r}: expected FILE.FIELD, e.g. documents.path")
        out[name].add(field)
    return out


def table(path: Path) -> Path:
    """``NAME.jsonl``, or the Spark engine's ``NAME`` directory of part files when only that exists."""
    parts = path.with_name(path.name.removesuffix(".jsonl"))
    return parts if not path.exists() and parts.is_dir() else path


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file, or of every part file of a Spark table directory."""
    if path.is_dir():
        return [r for part in sorted(path.glob("part-*")) for r in load_jsonl(part)]
    records = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}:{n}: not JSON: {exc}") from None
    return records


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def canonical(record: dict[str, Any], ignore: set[str], unordered: set[str]) -> dict[str, Any]:
    """The record without ignored fields, with its unordered list fields sorted."""
    out = {k: v for k, v in record.items() if k not in ignore}
    for k in unordered:
        if isinstance(out.get(k), list):
            out[k] = sorted(out[k], key=_dumps)
    return out


def _skeleton(value: Any) -> Any:
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_skeleton(v) for v in value]
    return value


def _floats(value: Any) -> list[float]:
    """Every float of a value, in the order of its sorted keys (the skeleton's order)."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for k in sorted(value) for f in _floats(value[k])]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def _close(a: list[float], b: list[float], tol: float) -> bool:
    return all(x == y or abs(x - y) <= tol or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def unmatched(before: list[dict[str, Any]], after: list[dict[str, Any]], tol: float
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records of each side with no equal record on the other (as multisets).

    Records are grouped by everything but their floats; inside a group both sides are sorted by
    their floats and paired in that order, and a pair matches when every float is within tol.
    """
    groups: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, records in enumerate((before, after)):
        for r in records:
            groups[_dumps(_skeleton(r))][side].append((_floats(r), r))
    only_before, only_after = [], []
    for b, a in groups.values():
        b.sort(key=lambda x: x[0])
        a.sort(key=lambda x: x[0])
        i = j = 0
        while i < len(b) and j < len(a):
            if _close(b[i][0], a[j][0], tol):
                i, j = i + 1, j + 1
            elif b[i][0] < a[j][0]:
                only_before.append(b[i][1])
                i += 1
            else:
                only_after.append(a[j][1])
                j += 1
        only_before += [r for _, r in b[i:]]
        only_after += [r for _, r in a[j:]]
    return only_before, only_after


def _identity(record: dict[str, Any], fields: tuple[str, ...]) -> str | None:
    return _dumps([record.get(f) for f in fields]) if fields else None


def describe(name: str, only_before: list[dict[str, Any]], only_after: list[dict[str, Any]], tol: float
             ) -> tuple[int, list[str]]:
    """How many records differ, and one line per difference: a record changed in place (same
    identity on both sides, see IDENTITY) shows only the fields that changed."""
    fields = IDENTITY.get(name, ())
    by_id: dict[str | None, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, records in enumerate((only_before, only_after)):
        for r in records:
            by_id[_identity(r, fields)][side].append(r)
    changed, removed, added = [], [], []
    for key, (b, a) in by_id.items():
        if key is not None and len(b) == 1 and len(a) == 1:
            changed.append((b[0], a[0]))
        else:
            removed += b
            added += a
    lines = []
    for b, a in sorted(changed, key=lambda p: _dumps(p[0])):
        delta = {k: [b.get(k, "<absent>"), a.get(k, "<absent>")] for k in sorted(b.keys() | a.keys())
                 if k not in b or k not in a or _dumps(_skeleton(b[k])) != _dumps(_skeleton(a[k]))
                 or not _close(_floats(b[k]), _floats(a[k]), tol)}
        ident = {f: b.get(f) for f in fields}
        lines.append(f"changed {_dumps(ident)}: " + "; ".join(f"{k}: {_dumps(v[0])} -> {_dumps(v[1])}"
                                                              for k, v in delta.items()))
    lines += [f"only in BEFORE: {_dumps(r)}" for r in sorted(removed, key=_dumps)]
    lines += [f"only in AFTER:  {_dumps(r)}" for r in sorted(added, key=_dumps)]
    return len(changed) + len(removed) + len(added), lines


def file_differences(name: str, before: Path, after: Path, ignore: set[str], unordered: set[str], tol: float
                     ) -> tuple[int, int, list[str]]:
    """How one file of AFTER differs from BEFORE's: (records before, records after, one line per
    difference); no lines when identical."""
    after = table(after)
    if not after.exists():
        return len(load_jsonl(before)), 0, ["MISSING in AFTER"]
    b = [canonical(r, ignore, unordered) for r in load_jsonl(before)]
    a = [canonical(r, ignore, unordered) for r in load_jsonl(after)]
    only_b, only_a = unmatched(b, a, tol)
    return len(b), len(a), describe(name, only_b, only_a, tol)[1] if only_b or only_a else []


def dir_differences(before: Path, after: Path, tol: float = 1e-6, ignore: dict[str, set[str]] | None = None,
                    unordered: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    """Every *.jsonl file of BEFORE compared with AFTER's (see the module docstring), and AFTER's
    *.jsonl files that BEFORE lacks: the differing files' names with their difference lines
    (empty when the directories hold the same outputs). For callers in Python, such as tests."""
    ignore = ignore or {}
    unordered = unordered if unordered is not None else parse_fields(list(DEFAULT_UNORDERED), "--unordered")
    out = {}
    for path in sorted(before.glob("*.jsonl")):
        name = path.name.removesuffix(".jsonl")
        lines = file_differences(name, path, after / path.name, ignore.get(name, set()),
                                 unordered.get(name, set()), tol)[2]
        if lines:
            out[path.name] = lines
    for path in sorted(after.glob("*.jsonl")):
        if not (before / path.name).exists():
            out[path.name] = ["MISSING in BEFORE"]
    return out


def compare_file(name: str, before: Path, after: Path, ignore: set[str], unordered: set[str], tol: float,
                 show: int) -> bool:
    """Print the comparison of one file; True when identical."""
    label = f"{name}.jsonl"
    n_before, n_after, lines = file_differences(name, before, after, ignore, unordered, tol)
    if lines == ["MISSING in AFTER"]:
        print(f"{label}: MISSING in AFTER")
        return False
    if not lines:
        print(f"{label}: identical ({n_before} records)")
        return True
    print(f"{label}: {len(lines)} records differ ({n_before} records before, {n_after} after)")
    for line in lines[:show]:
        print(f"    {line}")
    if len(lines) > show:
        print(f"    ... {len(lines) - show} more")
    return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path, metavar="BEFORE_DIR")
    ap.add_argument("after", type=Path, metavar="AFTER_DIR")
    ap.add_argument("--tol", type=float, default=1e-6, help="absolute tolerance for floats (default 1e-6)")
    ap.add_argument("--ignore", action="append", default=[], metavar="FILE.FIELD",
                    help="leave this field out of every record of FILE.jsonl, e.g. documents.path; repeatable")
    ap.add_argument("--unordered", action="append", default=[], metavar="FILE.FIELD",
                    help="sort this list field before comparing (always: " + ", ".join(DEFAULT_UNORDERED)
                    + "); repeatable")
    ap.add_argument("--show", type=int, default=5, help="differences shown per file (default 5)")
    args = ap.parse_args(argv)
    for d in (args.before, args.after):
        if not d.is_dir():
            ap.error(f"{d}: not a directory")
    files = sorted(args.before.glob("*.jsonl"))
    if not files:
        ap.error(f"{args.before}: no *.jsonl files to compare")
    try:
        ignore = parse_fields(args.ignore, "--ignore")
        unordered = parse_fields([*DEFAULT_UNORDERED, *args.unordered], "--unordered")
        same = True
        for path in files:
            name = path.name.removesuffix(".jsonl")
            same &= compare_file(name, path, args.after / path.name, ignore.get(name, set()),
                                 unordered.get(name, set()), args.tol, args.show)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    extra = sorted(p.name for p in args.after.glob("*.jsonl") if not (args.before / p.name).exists())
    if extra:
        print(f"only in AFTER, not compared: {', '.join(extra)}")
    print("same outputs" if same else "OUTPUTS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
