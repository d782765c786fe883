"""The Spark engine (engines/spark.py) gives the local engine's answers: every contract file the
same once sorted, floats within 1e-6 (bench/same_outputs.py), on the seed corpus and on a planted
corpus above the every-pair size (so that MinHash bands, neighbours and rare terms run as Spark
group-bys). One local[2] Spark context serves the process (conftest.spark_sc: starting one costs 10-40 s); the CLI
test runs `trace --engine spark` in this process, where it finds that context."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no Java: `make` installs openjdk-17-jre-headless", allow_module_level=True)

from typer.testing import CliRunner  # noqa: E402

from conftest import ROOT, flood_corpus  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))  # bench modules import each other by name
import same_outputs  # noqa: E402
import synthetic  # noqa: E402
from sourcetrace.cli.app import app  # noqa: E402
from sourcetrace.encode import get_encoder  # noqa: E402
from sourcetrace.engines import local  # noqa: E402
from sourcetrace.engines.spark import trace_spark  # noqa: E402
from sourcetrace.pipeline import outputs  # noqa: E402
from sourcetrace.store.sqlite import Store  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sc(spark_sc):
    return spark_sc


def _assert_same(local_out: Path, spark_out: Path) -> None:
    diffs = same_outputs.dir_differences(local_out, spark_out, tol=1e-6)
    assert not diffs, {name: lines[:3] for name, lines in diffs.items()}


def test_seeds_same_answers(spark_seed_trace, seed_trace):
    """The seeds (every pair aligned, the default encoder per pair) against the suite's local trace;
    JSON lines written without a SQL session (its start costs the JVM seconds before any job).
    The Spark run is the suite's (conftest.spark_seed_trace), which test_cli_load loads too."""
    run = json.loads((spark_seed_trace.parent / "run.json").read_text())
    assert run["counts"]["documents"] == len(same_outputs.load_jsonl(seed_trace / "documents.jsonl"))
    _assert_same(seed_trace, spark_seed_trace)
    assert not run["sql_session"]


def test_planted_corpus_same_answers(sc, tmp_path):
    """The issue's corpus: `bench/trace.py`'s 2,000 planted documents (seed 7), far above
    ALL_PAIRS_UP_TO, so every candidate stage runs as Spark group-bys (MinHash bands, quote
    pairs, neighbours by blocks, ballots, rare terms) and families span directed relations."""
    synthetic.planted_corpus(tmp_path / "corpus", 2000, seed=7)
    inputs = [str(tmp_path / "corpus")]
    use = get_encoder("use")
    with Store(tmp_path / "local.db") as store:
        _, result = local.trace(inputs, store, encoder=use)
    outputs(result, tmp_path / "local")
    summary = trace_spark(inputs, tmp_path / "spark", sc=sc, encoder=use)
    assert summary.counts["documents"] > 1900
    assert summary.relation_types.keys() - {"related"}, "a planted corpus has directed relations"
    _assert_same(tmp_path / "local", tmp_path / "spark")


def test_cli_parquet_and_failures(sc, tmp_path):
    """`trace --engine spark --format parquet`: a Parquet directory per table; a file that cannot
    be read is a failure (exit 1), the rest is traced; `--facts all` reaches the Spark engine."""
    import pyarrow.parquet as pq

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("The minister said on Monday that 42 schools would open.\n",
                                           encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("   \n", encoding="utf-8")
    res = CliRunner().invoke(app, ["trace", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "spark",
                                   "--master", "local[2]", "--format", "parquet", "--json",
                                   "--facts", "all"])  # a lone document is in no fact diff
    assert res.exit_code == 1, res.output
    report = json.loads(res.stdout)
    assert report["n_failures"] == 1 and report["failures"][0]["path"].endswith("empty.txt")
    assert report["counts"]["documents"] == 1
    assert [d["id"] for d in pq.read_table(tmp_path / "out" / "documents").to_pylist()] == ["a#1"]
    facts = pq.read_table(tmp_path / "out" / "facts").to_pylist()
    assert any(json.loads(f["value"]) == 42 for f in facts)
    assert json.loads((tmp_path / "out" / "settings.json").read_text())["engine"] == "spark"


def test_facts_of_documents_in_fact_diffs_or_of_all_as_the_local_engine_writes_them(sc, tmp_path):
    """The facts table holds the facts of the documents of the diffed pairs (a document sharing
    no passage has none), or every document's with ``facts="all"``: the local engine's files."""
    from sourcetrace import pipeline

    corpus = tmp_path / "corpus"
    flood_corpus(corpus)
    written = {}
    for facts in pipeline.FACTS_CHOICES:
        with Store(tmp_path / f"{facts}.db") as store:
            _, result = local.trace([str(corpus)], store, facts=facts)
        outputs(result, tmp_path / f"local-{facts}")
        trace_spark([str(corpus)], tmp_path / f"spark-{facts}", sc=sc, facts=facts)
        _assert_same(tmp_path / f"local-{facts}", tmp_path / f"spark-{facts}")
        written[facts] = {f["doc"] for f in same_outputs.load_jsonl(tmp_path / f"local-{facts}" / "facts.jsonl")}
    assert written["diffed"] == {"a#1", "b#1"} and written["all"] == {"a#1", "b#1", "c#1"}


def test_with_sides_local_gives_a_partition_the_sides_its_records_read(sc):
    """Records spread by a hash of their key; each partition's work gets exactly the sides its
    records read, each prepared once, whatever the two partition counts."""
    from sourcetrace.engines.spark import with_sides_local

    docs = sc.parallelize([(f"d{i}", i) for i in range(20)]).partitionBy(3)
    keyed = sc.parallelize([((f"d{i % 20}", f"d{(i * 7 + 1) % 20}"), i) for i in range(30)], 2)

    def work(records, sides):
        assert set(sides) == {d for key, _ in records for d in key}
        return [(key, value, sides[key[0]] + sides[key[1]]) for key, value in records]

    out = with_sides_local(keyed, docs, 3, lambda r: r[0], work, prepare=lambda vs: [10 * v for v in vs],
                           spread=4).collect()
    assert sorted(out) == sorted(((f"d{i % 20}", f"d{(i * 7 + 1) % 20}"), i, 10 * (i % 20 + (i * 7 + 1) % 20))
                                 for i in range(30))


def test_with_sides_local_sends_a_light_side_where_no_record_wants_the_full_one(sc):
    """With ``light``, a partition gets a document's full side only if one of its records reading
    it has it in ``full(record)``; the others get ``lighten(side)`` (relate: a text goes only
    where a pair of its document shares passages)."""
    from sourcetrace.engines.spark import with_sides_local

    docs = sc.parallelize([(f"d{i}", ("full", i)) for i in range(20)]).partitionBy(3)
    # Each record reads two documents; an even one wants its first full.
    keyed = sc.parallelize([((f"d{i % 20}", f"d{(i * 7 + 1) % 20}"), i) for i in range(30)], 2)

    def work(records, sides):
        wanted = {key[0] for key, value in records if value % 2 == 0}
        assert {d for d, side in sides.items() if side[0] == "full"} == wanted
        assert set(sides) == {d for key, _ in records for d in key}
        return [(key, value, sides[key[0]][1] + sides[key[1]][1]) for key, value in records]

    out = with_sides_local(keyed, docs, 3, lambda r: r[0], work, spread=4,
                           light=(lambda r: {r[0][0]} if r[1] % 2 == 0 else set(),
                                  lambda side: ("light", side[1]))).collect()
    assert sorted(out) == sorted(((f"d{i % 20}", f"d{(i * 7 + 1) % 20}"), i, i % 20 + (i * 7 + 1) % 20)
                                 for i in range(30))


def test_context_pickles_records_in_c_and_spills_late(sc):
    """The engine's context pickles records with the C pickler (engines/spark_pickling.py), and
    its Python workers spill group-bys past PYTHON_WORKER_MEMORY, not Spark's 512m (a worker
    forked from the preloading daemon starts at ~330 MB)."""
    from pyspark.serializers import PickleSerializer

    from sourcetrace.engines.spark import PYTHON_WORKER_MEMORY

    assert isinstance(sc._unbatched_serializer, PickleSerializer)
    assert sc.getConf().get("spark.python.worker.memory") == PYTHON_WORKER_MEMORY
    grouped = sc.parallelize(range(10), 2).map(lambda i: (i % 3, i)).groupByKey(2).mapValues(sorted).collect()
    assert sorted(grouped) == [(0, [0, 3, 6, 9]), (1, [1, 4, 7]), (2, [2, 5, 8])]


def test_components_label_each_document_with_the_smallest_id_of_its_component(sc):
    """Min-label propagation over a chain whose smallest id is at one end (as many rounds as
    the chain is long), a star and a pair: each document's label is its component's smallest id."""
    from sourcetrace.engines.spark import SparkSummary, Stages, components

    stages = Stages(sc, SparkSummary("", "jsonl"))
    chain = [("c5", "c4"), ("c4", "c3"), ("c3", "c2"), ("c2", "c1"), ("c1", "a0")]
    star = [("s0", "s1"), ("s0", "s2"), ("s3", "s0")]
    edges = sc.parallelize([*chain, *star, ("p1", "p2"), ("p2", "p1")], 2)
    labels = dict(components(stages, edges, "test", stages.run, 2).collect())
    assert labels == {**{d: "a0" for d in ("a0", "c1", "c2", "c3", "c4", "c5")},
                      **{d: "s0" for d in ("s0", "s1", "s2", "s3")}, "p1": "p1", "p2": "p1"}


def test_relate_reads_a_candidates_run_of_votes_as_the_local_engine_does():
    """A candidate record ``(pair, RAN)`` (its ballots hold a run, pipeline.Pairs.ran) is typed
    with the run (relations.relate's ``ran``) and is no passage: no fact diff reads it. Texts of
    tests/test_relations.py: a partial translation none of whose pairs was found alone."""
    from sourcetrace import pipeline
    from sourcetrace.engines.spark import RAN, relate_and_diff
    from sourcetrace.records import Passage
    from test_relations import VERSES_AR, VERSES_EN, _verses

    en, en_spans = _verses("en", VERSES_EN, "en")
    ar, ar_spans = _verses("ar", VERSES_AR, "ar")
    kept = [(5, 0), (6, 1), (7, 2), (0, 3), (1, 4), (2, 5)]
    placed = [Passage("ar", *ar_spans[j], "en", *en_spans[i], "translated-paraphrase", 0.12) for i, j in kept]
    sides = {t.doc.id: ((t.doc, t.text), None, pipeline.facts(t.doc, t.text), True) for t in (ar, en)}
    local = {r: pipeline.relate([ar, en], placed, {}, [("ar", "en")], ran=ran) for r, ran in
             ((True, {("ar", "en")}), (False, set()))}
    for candidate, ran in (((("ar", "en"), RAN), True), ((("ar", "en"), None), False)):
        out = list(relate_and_diff([candidate, *((("ar", "en"), (0, p)) for p in placed)], sides))
        assert [r for tag, r in out if tag != 1] == local[ran]
        assert [r.type for tag, r in out if tag == 0] == ["derived" if ran else "related"]
