from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpora" / "seeds"
DEMO = ROOT / "demo" / "corpus"
# Set by `make test` (and so CI): ../shared must be there, and a test needing it fails without it.
REQUIRE_SHARED = "SOURCETRACE_REQUIRE_SHARED"


# Test files of a minute or more on 2 cores (pytest --durations), longest first: under `make test`'s
# xdist workers (a file to a worker, taken in collection order) they start first, so that the two
# workers end together rather than one running a long file alone at the end. Add a new long file here.
LONG_FILES = ("test_fault_rerun.py", "test_spark_engine.py", "test_cli_load.py", "test_spark_cluster.py",
              "test_tatoeba.py", "test_cli_export.py", "test_windows.py", "test_local_engine.py",
              "test_cli_direction.py")


def pytest_collection_modifyitems(config, items) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a run alone keeps the files' order
        first = {name: i for i, name in enumerate(LONG_FILES)}
        items.sort(key=lambda item: first.get(item.path.name, len(first)))


def need_shared(path: Path, tests: str) -> Path:
    """`path` (under ../shared) if it exists. Otherwise the test is skipped with a reason that says
    what is missing and which tests do not run, shown in the run's summary (`-ra`); or, when
    $SOURCETRACE_REQUIRE_SHARED is 1 (`make test`, CI), it fails: there nothing may skip for it."""
    if path.exists():
        return path
    what = f"../shared/{path.relative_to(SHARED)}" if path.is_relative_to(SHARED) else str(path)
    reason = f"{what} not found beside the project (looked for {path}): {tests} not run"
    if os.environ.get(REQUIRE_SHARED) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_SHARED}=1 requires it", pytrace=False)
    pytest.skip(f"{reason} ({REQUIRE_SHARED}=1 makes this a failure)")


def need_seeds() -> Path:
    return need_shared(SEEDS, "seed end-to-end tests")


@pytest.fixture
def seeds() -> Path:
    return need_seeds()


def run_on_seeds(command: str, out: Path, *extra: str) -> None:
    """Run `sourcetrace COMMAND` on every seed file with its output in `out` (see `need_shared`)."""
    import subprocess
    import sys

    need_seeds()
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))
    res = subprocess.run([sys.executable, "-m", "sourcetrace", command, *files, "--db", str(out / "s.db"),
                          "--out", str(out), *extra], capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr


def made_once(tmp_path_factory, name: str, make) -> Path:
    """A folder `make(folder)` fills, made once for the whole run: under pytest-xdist (`make test`
    runs the suite in worker processes) the first worker to ask makes it in the run's shared
    temporary folder while the others wait on a lock, then all read it; alone, a new folder."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    import fcntl

    root = tmp_path_factory.getbasetemp().parent  # the run's, above every worker's own
    out, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)  # a worker that failed making it left a part
            out.mkdir()
            make(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def seed_trace(tmp_path_factory) -> Path:
    """The output directory of one `sourcetrace trace --json` run on the seeds, shared by the
    seed tests of every issue (a run takes most of a minute), once for all xdist workers."""
    return made_once(tmp_path_factory, "seed-trace", lambda out: run_on_seeds("trace", out, "--json"))


@pytest.fixture(scope="session")
def spark_sc():
    """One local[2] Spark context for every test of this process that runs Spark here: a process
    holds one at a time, and starting one costs 10-40 s."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java: `make` installs openjdk-17-jre-headless")
    from sourcetrace.engines.spark import context

    sc = context("local[2]", {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"})
    yield sc
    sc.stop()


@pytest.fixture(scope="session")
def spark_seed_trace(request, tmp_path_factory) -> Path:
    """The output directory (part files of JSON lines) of one Spark engine run on the seeds
    (trace_spark on `spark_sc`, the default encoder per pair), once for all xdist workers; beside
    it run.json: the run's counts, and whether a SQL session had started (JSON lines need none)."""
    def make(out: Path) -> None:
        import json

        from sourcetrace.engines.spark import trace_spark

        sc = request.getfixturevalue("spark_sc")
        summary = trace_spark(sorted(str(p) for p in need_seeds().glob("*.txt")), out / "spark", sc=sc)
        sql = sc._jvm.org.apache.spark.sql.SparkSession.getDefaultSession().isDefined()
        (out / "run.json").write_text(json.dumps({"counts": summary.counts, "sql_session": sql}))

    return made_once(tmp_path_factory, "spark-seed-trace", make) / "spark"


def seed_doc_id(out: Path, gid: str) -> str:
    """The id, in the output directory `out`, of the document gold.json calls `gid` ("000",
    "002a"): the document of the same file whose span covers at least 90% of the gold span."""
    import json

    gold = json.loads((need_seeds() / "gold.json").read_text(encoding="utf-8"))
    g = next(d for d in gold["documents"] if d["id"] == gid)
    for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        inter = min(d["end"], g["span"][1]) - max(d["start"], g["span"][0])
        if Path(d["path"]).name == g["file"] and inter >= 0.9 * (g["span"][1] - g["span"][0]):
            return d["id"]
    raise AssertionError(f"gold document {gid} not found in {out}")


def score_seeds(out: Path) -> dict[str, str]:
    """eval/score.py's figures for an output directory."""
    import json
    import subprocess
    import sys

    score = need_shared(SHARED / "eval" / "score.py", "seed scoring tests")
    res = subprocess.run([sys.executable, str(score), str(need_seeds() / "gold.json"), str(out), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def nonempty_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of `text` (the sentences of the report fixtures)."""
    from sourcetrace.segment.boilerplate import lines_of

    return [(s, e) for s, e in lines_of(text) if e > s]


class NestingParser(HTMLParser):
    """An HTML parser that records every mis-nested end tag in `errors`; subclasses collect more
    by overriding `opened` and `closed`."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.errors: list[str] = []

    def opened(self, tag: str, attrs: dict) -> None:  # called for every start tag, void ones too
        pass

    def closed(self, tag: str) -> None:  # called after a well-nested end tag is popped
        pass

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.opened(tag, a)
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unexpected </{tag}> with open {[t for t, _ in self.stack]}")
            return
        self.stack.pop()
        self.closed(tag)


@pytest.fixture(scope="session")
def seeds_db(seed_trace, tmp_path_factory) -> Path:
    """A store of the traced seeds (seed_trace's, copied once per worker: searches here build
    their index beside it, which the seed_trace tests never see); copy it (`copy_store`) to change it."""
    return copy_store(seed_trace / "s.db", tmp_path_factory.mktemp("seeds-store") / "s.db")


def copy_store(src: Path, dst: Path) -> Path:
    """A consistent copy of a store (SQLite's backup: the WAL is included) at `dst`."""
    import sqlite3

    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def dense_family(n: int = 11):
    """A family drawn densely, written for the graph tests: a statement (d0) and n - 1 reports of
    it, reports related to their siblings, and one pair related twice (a translation and a copy).
    Returns the documents (by id), their texts, the relations and the family."""
    from sourcetrace.records import Document, Family, Relation

    texts = {f"d{i}": (f"Report {i} on the river meeting: the ministers agreed to share the water.\n" if i else
                       "The ministers agreed to share the water of the upper dam during the summer.\n")
             for i in range(n)}
    docs = {d: Document(d, f"{d}.txt", 0, len(t), "ar" if i % 3 == 2 else "en", title=f"A report of the meeting, number {i}")
            for i, (d, t) in enumerate(texts.items())}
    rels = [Relation("d0", f"d{i}", "copy" if i % 2 else "derived", 0.6, 0.5, 0.9, source="d0") for i in range(1, n)]
    rels += [Relation(f"d{i}", f"d{j}", "related", 0.3, 0.3, 0.5) for i in range(1, n) for j in range(i + 1, n)
             if (i + j) % 3 == 0]
    rels += [Relation("d1", "d2", "translation", 0.9, 0.9, 0.9), Relation("d1", "d2", "copy", 0.8, 0.8, 0.9)]
    return docs, texts, rels, Family("family:d0", list(docs), "d0")


FLOOD_STORY = ("Flood report\nOn 4 June 2020 the ministry said the river rose over the old bridge at dawn. "
               "It moved 384 people from the lower town and spent 2.4 million dollars on shelters.\n")


def flood_corpus(folder: Path, story: str = FLOOD_STORY) -> str:
    """A story (a.txt), a wire copy of it with one figure changed (b.txt: the pair whose facts are
    diffed) and an unrelated weather note (c.txt) written into ``folder``; returns the story."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(story, encoding="utf-8")
    (folder / "b.txt").write_text("Wire copy. " + story.replace("384", "420"), encoding="utf-8")
    (folder / "c.txt").write_text("Weather\nRain fell on 3 May 2021 over 12% of the hills; farmers were glad.\n",
                                  encoding="utf-8")
    return story
