"""The Spark engine: the pipeline's stages as Apache Spark transformations (PySpark).

Every stage of :mod:`sourcetrace.pipeline` runs inside Spark tasks, over records keyed by file,
document, pair or family as ``docs/architecture.md`` partitions them; nothing that grows with the
corpus is collected to the driver (the list of local input files aside: Spark's own file readers
list on the driver too). The answers are the local engine's: the same document ids, candidate
pairs, passages, relations and families (tests/test_spark_engine.py, bench/spark_same.py).

    read, segment, split  per file, files keyed by name stem, so that the id prefix of two files
                          with one stem (``foo``, ``foo~1a2b3c4d``) is settled in one task
    topics                static sentence vectors (encode/static.py) where the documents are,
                          each document's encoded alone, so bit for bit the local engine's; with
                          the voting vectors (the same rows where they are the same sentences)
    candidates            engines/spark_candidates.py: group-bys by band, term and pair, and
                          nearest neighbours per language by blocks of vectors
    encode                only the documents of cross-language pairs to align
                          (:func:`pipeline.encoded_documents`), in batches of 500 of them in input
                          order, each sentence in the first batch that holds it, texts in key
                          order: the local engine's batches; the model is loaded once per Python
                          worker (get_encoder's cache), never per record. What a same-language
                          pair's aligner still needs is encoded in its task, as locally
    align                 per candidate pair, the pairs placed by their first document's topic
                          cluster (engines/spark_places.py: a partition's pairs read mostly the
                          same documents) and each document sent once to every partition whose
                          pairs read it (:func:`with_sides_local`), not joined to every pair
    compose               passages grouped by the pivot document, joined with its translations;
                          each passage carries its documents' spans and languages from align
    relate, fact diffs    per pair, placed by topic as align but in fewer partitions
                          (``RELATE_PARTITIONS``), the records of a pair's first document
                          travelling as one, in one pass (a partition's pairs through the
                          local engine's stage functions at once: relations, then the fact
                          diffs of related pairs); facts per document
    direct, families      per connected component of the shared-text relations, found with
                          Spark's own iterations (min-label propagation, :func:`components`):
                          GraphFrames needs a JAR that PyPI does not carry; a component's
                          families in its direct task, unless a direction changed its edges
    outputs               one directory per contract table, JSON-lines part files or Parquet
                          (engines/spark_outputs.py)

Memory per task is bounded by the largest unit of work, not by the corpus: a file (at most
``--max-bytes``) and its documents; an encoding batch (the new sentences of 500 documents); two
blocks of 20,000 topic vectors (80 MB) and faiss' scores; the MinHash band rows of one bucket
partition, as arrays (about 14 KB a document: 140 MB at ``DOCS_PER_PARTITION``), or one rare
term's postings (at most 50); a partition's pairs and the documents they read (align, relate,
fact diffs and ballots: about ``DOCS_PER_PARTITION`` documents' sides); one family's relations and fact
diffs. A family of hundreds of thousands of documents (one connected component) is what would
outgrow a task first. Every shuffle has :func:`partitions` partitions, a count set by the cores
and the corpus (a multiple of the cores, at most ``DOCS_PER_PARTITION`` documents each), never the
sum of its parents'; the documents are partitioned by id once, and a join with them moves only
its other side (:func:`joined`).
Each stage runs as a Spark job group named after it (``sourcetrace:align``),
so the Spark UI says which stage runs. Executors run this package: they must import ``sourcetrace`` (installed beside
pyspark, or on ``PYTHONPATH``: the context passes the driver's on).
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, count
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import numpy as np
from pyspark import RDD, SparkConf, SparkContext, StorageLevel

from sourcetrace import pipeline
from sourcetrace.align.compose import (
    MIN_SHARE,
    MIN_TRANSLATION_COVERAGE,
    TRANSLATION_KINDS,
    coverage,
    merge_composed,
    oriented,
    translated_kind,
)
from sourcetrace.align.pair import DEFAULT_THRESHOLD, Side
from sourcetrace.candidates.pairs import DocInput
from sourcetrace.encode import Encoder, get_encoder, spec_of
from sourcetrace.encode.vectors import text_key
from sourcetrace.engines import spark_pickling
from sourcetrace.engines.ingest import ONLY_BOILERPLATE
from sourcetrace.engines.local import DOC_BATCH as TOPIC_BATCH  # documents encoded in one call
from sourcetrace.engines.local import SENTENCE_BATCH
from sourcetrace.factcheck.diff import diff_pair
from sourcetrace.readers import DEFAULT_MAX_BYTES, NotDocuments, ReadError, discover, read_bytes
from sourcetrace.records import Document, FactDiff, Passage, ReadFailure, Relation, Sentence, pair_key
from sourcetrace.relate.families import joins_family
from sourcetrace.relate.relations import PairText

KEEP = StorageLevel.MEMORY_AND_DISK
CHECKPOINT_EVERY = 8  # label-propagation rounds between cuts of the lineage
MAX_ROUNDS = 200  # label propagation gives up beyond this (a chain of 200 documents is no family)
TASK_MEMO = 50_000  # vectors a Python worker keeps between tasks, per encoder (about 100 MB)
# Documents (and their pairs) a partition of the later stages holds at most: about 40 MB of text
# and sentences, 60 MB of features. Each partition costs a Python task in every stage (0.2-0.6 s
# at load 10-30; a 2,000-document trace ran 302 tasks in 125 stages on local[2]).
DOCS_PER_PARTITION = 10_000
# Documents a partition of records placed by topic reads, per document of its share of the corpus,
# about: simulated on 10,000 planted documents (their pools and candidate pairs), ballots in 8
# partitions of 32 clusters read at most 4,800 documents' voting vectors each (3.7 copies of a
# document's in all; 62 partitions by the hash spread's bound: 1,400 each, 7.0 copies). Fewer
# partitions send fewer copies but balance the cores worse: at 8 (8 partitions at 10,000
# documents) Spark took 195.7 s alone against main's 165.3 s (align 34.6 s against 19.6); at 24,
# 161.1 s (placed_partitions; bench/README.md, branch spark8).
PLACED_READS = 24
# Partitions of relate per partition of the later stages (`parts`): its sides are light, most a
# topic vector (2 KB), and each goes to every partition reading it.
RELATE_PARTITIONS = 2
PREPARE_BLOCK = 256  # documents' sides prepared in one call by with_sides_local
PYTHON_WORKER_MEMORY = "2g"  # what a Python worker holds before it spills a group-by to disk (context())


# -- records ---------------------------------------------------------------------------------------
@dataclass(slots=True)
class DocRecord:
    """A document with what every stage reads of it: its file's text, its sentences, its place
    in the input order (the file's place, then the document's within the file)."""

    doc: Document
    order: tuple
    text: str
    sentences: list[Sentence]

    def texts(self) -> list[str]:
        """Its sentences' texts, as the encode stage sees them (blank ones dropped)."""
        return [t for t in (self.text[s.start:s.end] for s in self.sentences) if t.strip()]

    def doc_input(self) -> DocInput:
        """What candidate search and topics read of it (:func:`pipeline.doc_input`)."""
        return pipeline.doc_input(self.doc, self.text, self.sentences)


def _doc_record(r: DocRecord) -> tuple:
    return DocRecord, (r.doc, r.order, r.text, r.sentences)


# In every process that runs the stages (the driver, each Python worker): see spark_pickling.
spark_pickling.register((DocRecord, _doc_record))


@dataclass
class SparkSummary:
    """What a Spark trace found and wrote: counts (the records stay in the output tables)."""

    out: str
    format: str
    counts: dict[str, int] = field(default_factory=dict)  # rows by table
    relation_types: dict[str, int] = field(default_factory=dict)
    changed_facts: int = 0
    failures: list[ReadFailure] = field(default_factory=list)  # the first few
    n_failures: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # by stage
    settings: dict = field(default_factory=dict)


# -- the context and the stages as job groups -----------------------------------------------------
def context(master: str = "local[*]", conf: dict[str, str] | None = None, app: str = "sourcetrace") -> SparkContext:
    """A Spark context whose Python workers run this interpreter and import this package. No SQL
    session: the stages are RDDs, and a session's start (its SQL state, built for the settings it is
    given) cost the driver's JVM ~3 CPU seconds before the first job (local[2], 2.6-3.1 s in 4
    starts); the Parquet outputs start one when they need it (engines/spark_outputs.py)."""
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    # Workers run this interpreter (a virtual environment's, with its packages): the setting
    # alone started the interpreter the venv links to, without them.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {"spark.master": master, "spark.app.name": app, "spark.pyspark.python": sys.executable,
                "spark.pyspark.driver.python": sys.executable, "spark.executorEnv.PYTHONPATH": path}
    conf = dict(conf or {})
    # Workers forked with sourcetrace and the encoders' tables already loaded (engines/spark_daemon.py),
    # not loading them again in every worker Spark starts (it stops one idle for a minute).
    conf.setdefault("spark.python.daemon.module", "sourcetrace.engines.spark_daemon")
    # A Python worker spills its group-bys to disk once its resident memory passes this, and a
    # worker forked from that daemon starts at ~330 MB (the tables it shares): Spark's 512m left
    # a partition ~180 MB, so group-bys spilled, pickled and read back over and over (a quarter
    # of the workers' samples at 5,000 documents). A partition holds at most DOCS_PER_PARTITION
    # documents' records.
    conf.setdefault("spark.python.worker.memory", PYTHON_WORKER_MEMORY)
    if master.startswith("local") and "spark.default.parallelism" not in conf:
        # Without it every join takes the partitions of its largest parent, and unions add them up
        # (trace_spark gives its shuffles a count itself: see partitions()). One task per core: a
        # Python task costs 0.2-0.6 s at load 20-30 however little it holds (docs/scale.md), and
        # the small corpora this runs on locally have few records a partition.
        cores = master[6:-1] if master.startswith("local[") else "1"
        n = (os.cpu_count() or 1) if cores in ("*", "") else int(cores.split(",")[0])
        conf["spark.default.parallelism"] = str(n)
    if master.startswith("local"):
        # The driver's JVM is the executor here, and a trace keeps it busy for minutes, not hours:
        # its C2 compiler and parallel collector cost more CPU than they save (2,000 documents
        # on local[2], one after the other at load 20: 116.3 -> 100.2 CPU seconds in all).
        conf.setdefault("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    settings.update(conf)
    running = SparkContext._active_spark_context
    if running is not None:  # it keeps its own settings and serializer
        return running
    # Records pickled by the C pickler (engines/spark_pickling.py).
    return SparkContext(conf=SparkConf().setAll(list(settings.items())), serializer=spark_pickling.serializer())


def partitions(sc, n_docs: int) -> int:
    """Partitions of every shuffle after the reading stages: the context's default parallelism
    (tasks per core, or the cluster's cores), more as the corpus grows (``DOCS_PER_PARTITION``).
    Given to each join and group-by, not left to Spark's default, which without
    ``spark.default.parallelism`` takes a join's partitions from its parents: a union adds them
    up, and each round of label propagation joins a union, so partitions grew round after round
    (thousands of tasks of a few records each on a cluster, each a Python task to start).
    A multiple of the parallelism: every core gets as many tasks."""
    cores = max(1, sc.defaultParallelism)
    return cores * max(1, -(-n_docs // (cores * DOCS_PER_PARTITION)))


class Stages:
    """Runs each stage as a Spark job group (the Spark UI's name for what runs) and times it."""

    def __init__(self, sc, summary: SparkSummary, say: Callable[[str], None] | None = None) -> None:
        self.sc, self.summary, self.say = sc, summary, say

    def run(self, name: str, rdd: RDD) -> int:
        """Materialise ``rdd`` (kept in memory, spilling to disk) as the stage ``name``; its count."""
        t = time.perf_counter()
        if self.say:
            self.say(name)
        self.group(name)
        rdd.persist(KEEP)
        n = rdd.count()
        self.summary.seconds[name] = self.summary.seconds.get(name, 0.0) + time.perf_counter() - t
        return n

    def group(self, name: str) -> None:
        self.sc.setJobGroup(f"sourcetrace:{name}", f"sourcetrace {name}")

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Jobs run while building the stage ``name`` (a placement's count), in its group and seconds."""
        t = time.perf_counter()
        self.group(name)
        yield
        self.summary.seconds[name] = self.summary.seconds.get(name, 0.0) + time.perf_counter() - t


# -- the run --------------------------------------------------------------------------------------
def trace_spark(inputs: Sequence[str], out: str | Path, *, master: str = "local[*]", fmt: str = "jsonl",
                encoder: Encoder | None = None, threshold: float = DEFAULT_THRESHOLD,
                max_bytes: int = DEFAULT_MAX_BYTES, sc: SparkContext | None = None,
                conf: dict[str, str] | None = None, say: Callable[[str], None] | None = None,
                facts: str = pipeline.DIFFED_FACTS) -> SparkSummary:
    """Trace the inputs on Spark and write the contract tables into ``out`` (docs/formats.md,
    "Spark outputs"). ``inputs``: local files, directories and globs (found as the local engine
    finds them), or URIs of Spark's file systems (``hdfs://``, ``s3a://``, ``file:``).
    ``encoder`` None: :func:`pipeline.alignment_encoder` picks it, as the local engine does.
    ``sc``: a context to run in (else one for ``master`` with ``conf``, left running). ``facts``:
    whose facts are extracted and written, as the local engine's (:func:`local.trace_documents`)."""
    from sourcetrace.engines.spark_candidates import candidate_pairs
    from sourcetrace.engines.spark_outputs import write_tables
    from sourcetrace.engines.spark_places import CLUSTERS_PER_PARTITION, TopicPlaces

    if fmt not in ("jsonl", "parquet"):
        raise ValueError(f"unknown output format {fmt!r} (jsonl or parquet)")
    every_fact = pipeline.every_fact(facts)
    sc = sc or context(master, conf)
    summary = SparkSummary(str(out), fmt)
    stages = Stages(sc, summary, say)
    held: list[RDD] = []
    cleanup: list[Callable[[], None]] = []

    def keep(name: str, rdd: RDD) -> int:
        held.append(rdd)
        return stages.run(name, rdd)

    try:
        # -- read, segment, split
        listed, failures = listing(sc, list(inputs))
        read = listed.mapPartitions(lambda items: read_files(items, max_bytes))
        keep("read", read)
        files = read.filter(lambda r: r[0] == "file")
        n_docs = files.map(lambda r: len(r[1])).sum()
        parts = partitions(sc, n_docs)
        # Partitioned by id once: a join with the documents (or what mapValues derives from them)
        # then moves only its other side (joined()), not every text and sentence again.
        docs = files.flatMap(lambda r: r[1]).partitionBy(parts)
        # Few: one partition, so that counting and taking the first ones are a task each.
        failed = read.filter(lambda r: r[0] == "failure").map(lambda r: r[1])
        if failures:
            failed = failed.union(sc.parallelize(failures, 1))
        failed = failed.coalesce(1)
        keep("segment", docs)
        # What most joins read of a document, kept apart: each stage reading `docs` unpickles
        # every text and sentence again.
        light = docs.mapValues(lambda r: r.doc)
        keep("segment", light)
        summary.n_failures = keep("failures", failed)
        summary.failures = failed.take(20) if summary.n_failures else []  # a job only when some failed
        ranks = docs.map(lambda kv: (kv[1].order, kv[0])).sortByKey().zipWithIndex().map(
            lambda x: (x[0][1], x[1])).partitionBy(parts)
        keep("order", ranks)

        # -- topics: static vectors per document, where the documents are (no shuffle: each
        # document's are encoded alone, so no batch changes them), with the voting vectors the
        # ballots read, from the same rows where the local engine takes them from there
        # (pipeline.votes_of_topics): the ballots encoded every document's sentences again.
        rows = docs.mapPartitions(topics_and_votes, preservesPartitioning=True)
        keep("topics", rows)
        topics = rows.filter(lambda kv: kv[1][0] is not None).mapValues(lambda v: v[0])
        keep("topics", topics)
        voting = rows.mapValues(lambda v: v[1])  # read once, by the ballots
        # Where the per-partition stages (ballots, align, relate, fact diffs) place their records:
        # by their document's topic cluster, so that a partition reads mostly the same documents
        # (engines/spark_places.py). The ballots' spread is the widest.
        stages.group("places")
        places = TopicPlaces(topics, n_docs, CLUSTERS_PER_PARTITION * placed_partitions(sc, n_docs), parts)
        cleanup.append(places.release)

        # -- candidates: ((a, b), (aligned?, ran)) with a < b; aligned? as pipeline.alignment gives
        # it, ran: the pair's ballots hold a run (pipeline.Pairs.ran)
        if n_docs <= pipeline.ALL_PAIRS_UP_TO:
            ids = docs.keys().coalesce(1)  # a cartesian product has the product of its sides' partitions
            pairs = ids.cartesian(ids).filter(lambda p: p[0] < p[1]).map(lambda p: (p, (True, False)))
        else:
            pairs = candidate_pairs(stages, docs, topics, voting, keep, parts, n_docs, places)
        keep("candidates", pairs)
        rows.unpersist()  # the voting vectors: read

        # -- encode: the full encoder for every sentence of a document in a cross-language pair to
        # align (pipeline.encoded_documents), in the local engine's batches of those documents
        chosen = pipeline.alignment_encoder(encoder, n_docs)
        spec = spec_of(chosen) if chosen is not None else ""
        if spec is None:
            raise ValueError(f"the encoder {chosen.name} cannot be built again in a Spark task")
        name = chosen.name if chosen is not None else ""
        with_vectors = docs.mapValues(lambda r: (r, None))
        if chosen is not None:
            langs = light.mapValues(lambda d: d.lang)
            need = (with_both(pairs.filter(lambda kv: kv[1][0]), langs, parts).filter(lambda kv: kv[1][1] != kv[1][2])
                    .flatMap(lambda kv: [(kv[0][0], None), (kv[0][1], None)]).distinct(parts))
            need_ranks = joined(ranks, need, parts).map(lambda kv: (kv[1][0], kv[0])).sortByKey().zipWithIndex().map(
                lambda x: (x[0][1], x[1]))
            first = joined(docs, need_ranks, parts).flatMap(occurrences).reduceByKey(min, parts)
            vectors = first.map(lambda kv: (kv[1][0], (kv[0], kv[1][3]))).groupByKey(parts).flatMap(
                lambda kv: encode_batch(spec, kv[1]))
            keep("encode", vectors)
            # A document's keys made distinct where it is (a key is one document's only there), not by a
            # shuffle of every (key, document) of the corpus.
            doc_vectors = (docs.flatMap(lambda kv: [(k, kv[0]) for k in {text_key(t) for t in kv[1].texts()}])
                           .join(vectors, parts).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey(parts)
                           .mapValues(dict))
            keep("vectors by document", doc_vectors)
            with_vectors = joined(docs, doc_vectors, parts, "leftOuterJoin")

        # -- align, compose
        sides = with_vectors.mapValues(lambda v: (v[0].doc, v[0].text, v[0].sentences, v[1]))

        def by_topic(keyed: RDD) -> tuple[RDD, int]:  # by the pair's first document
            return places.place(keyed, lambda pair: pair[0], placed_partitions(sc, n_docs))

        with stages.timed("align"):
            direct = with_sides_local(pairs.filter(lambda kv: kv[1][0]).mapValues(lambda v: v[0]), sides, parts,
                                      lambda r: r[0],
                                      lambda records, sides: with_info(aligned(records, sides, spec, name, threshold),
                                                                       sides),
                                      places=by_topic)
        keep("align", direct)
        # Read by the next stages in `parts` tasks, not one per partition of the placed pairs (a
        # task costs ~30 ms of the JVM's CPU however small; the passages are few): a view of the
        # kept partitions, so align itself still runs in as many tasks as it has partitions.
        direct = direct.coalesce(parts)
        passages = merged(direct, compose(direct, parts, any_language=False), parts)  # with their infos
        summary.counts["passages"] = keep("compose", passages)

        # -- facts: per document, with what relate reads of it: ``(facts, (document, text), shares a
        # passage)``. A document that shares a passage gives relate its text and facts; the others
        # are typed from their topic alone, and have no fact diff (diff_pair compares texts only
        # over shared passages). A passage through a translation joins two documents of passages,
        # so they share one too. One pass over the documents (relate joined them, then the facts).
        # Only those sharing a passage have their facts extracted, unless all are asked for.
        shared = passages.flatMap(lambda t: [(t[0].a, True), (t[0].b, True)]).distinct(parts)
        facts = joined(docs, shared, parts, "leftOuterJoin").mapValues(
            lambda v: (pipeline.facts(v[0].doc, v[0].text) if v[1] or every_fact else [],
                       (v[0].doc, v[0].text if v[1] else ""), bool(v[1])))
        keep("facts", facts)

        # -- relate and fact diffs: every candidate pair and every pair sharing passages, in one
        # pass over each partition of pairs (they were two, each placing its records by topic and
        # sending the documents they read: fact diffs moved every relation again to learn which
        # pairs are related). Fact diffs are over the passages and those through a translation,
        # any language, tagged 0 or 1: the local engine hands diff_pair a pair's passages first,
        # those through a translation after, and diff_pair's sort by start keeps that order
        # between two that start together (10,000 documents: 5 pairs of 1,660 paired their facts
        # differently when a passage through a translation came first).
        keyed = (passages.map(lambda t: (pair_key(t[0].a, t[0].b), (0, t[0])))
                 .union(compose(passages, parts, any_language=True).map(lambda t: (pair_key(t[0].a, t[0].b), (1, t[0]))))
                 .union(pairs.map(lambda kv: (kv[0], RAN if kv[1][1] else None))))
        # Each document's text, facts and topic vector once to each partition of pairs that reads
        # it (two joins by id carried both vectors to every candidate pair: 10 a document).
        sides = joined(facts, topics, parts, "leftOuterJoin").mapValues(  # ((document, text), vector, facts or
            lambda v: (v[0][1], v[1], v[0][0] if v[0][2] else None, v[0][2]))  # None, shares a passage)
        with stages.timed("relate"):
            # In fewer partitions than align: most of relate's sides are a topic vector, and each
            # goes to every partition reading it (10,000 documents: 89 MB of them to 33 partitions).
            # The records of a pair's first document travel as one (placed_by_document).
            found = with_sides_local(keyed, sides, parts, _group_reads, lambda records, sides: relate_and_diff(
                [kv for _, kvs in records for kv in kvs], sides),
                places=lambda keyed: places.place_by_document(keyed, RELATE_PARTITIONS * parts),
                light=(_group_full, _topic_side))
        keep("relate", found)
        found = found.coalesce(parts)  # as align's passages
        # Views of the kept records, each read twice (edges and labels; direct and outputs): kept
        # apart as well, they cost two passes over all of them and two more copies. `typed`: the
        # relations that may be in a family (both documents share passages); the others (10,000
        # documents: 106,000 of 119,500) pass direct unchanged, and are not labelled.
        typed = found.filter(lambda t: t[0] == 0).map(lambda t: t[1])
        apart = found.filter(lambda t: t[0] == 2).map(lambda t: t[1])
        diffs = found.filter(lambda t: t[0] == 1).map(lambda t: t[1])

        # -- direct, families: per connected component of the shared-text relations
        labels = components(stages, typed.filter(joins_family).map(lambda r: (r.a, r.b)), "components", keep, parts)
        members = joined(labels, joined(light, ranks, parts), parts).map(lambda kv: (kv[1][0], kv[1][1]))
        labelled = _labelled(typed, labels, parts)
        keep("direct", labelled)  # read twice: the relations of a family, and the rest
        # A family's relations, directed, and the family they make: (0, relation), (1, family),
        # and (2, True) where a direction changed what joins a family (its components again).
        directed = direct_by_family(labelled, diffs, labels, members, parts)
        keep("direct", directed)
        relations = directed.filter(lambda t: t[0] == 0).map(lambda t: t[1])  # from the kept `directed`
        families = directed.filter(lambda t: t[0] == 1).map(lambda t: t[1])
        stages.group("direct")
        if not directed.filter(lambda t: t[0] == 2).isEmpty():
            labels = components(stages, relations.filter(joins_family).map(lambda r: (r.a, r.b)),
                                "components again", keep, parts)
            families = families_by_component(relations, labels, light, ranks, parts)
        relations = relations.union(apart).coalesce(parts)  # written in `parts` tasks, not twice as many
        keep("families", families)

        # -- outputs
        stages.group("outputs")
        t = time.perf_counter()
        all_diffs = diffs.flatMap(lambda kv: kv[1])
        summary.settings = {**pipeline.run_settings("trace", chosen, threshold), "engine": "spark"}
        tables = {
            "documents": light.map(lambda kv: kv[1].to_json()),  # kept apart: no text or sentence to load
            "sentences": docs.flatMap(lambda kv: [s.to_json() for s in kv[1].sentences]),
            "passages": passages.map(lambda t: t[0].to_json()),
            "relations": relations.map(lambda r: r.to_json()),
            "families": families.map(lambda f: f.to_json()),
            "facts": written_facts(facts, diffs, parts, every_fact),
            "fact_diffs": all_diffs.map(lambda d: d.to_json()),
            "texts": docs.filter(lambda kv: kv[1].order[-1] == 0).map(
                lambda kv: {"path": kv[1].doc.path, "text": kv[1].text}),
            "failures": failed.map(lambda f: {"path": f.path, "reason": f.reason}),
        }
        # The relations' types and the changed facts counted as their rows are written (a job each was
        # a pass over them).
        written, tallied = write_tables(sc, tables, str(out), fmt, summary.settings, {
            "relations": lambda r: r["type"], "fact_diffs": lambda d: True if d["status"] == "changed" else None})
        summary.counts.update(written)
        summary.relation_types = tallied["relations"]
        summary.changed_facts = tallied["fact_diffs"].get(True, 0)
        summary.seconds["outputs"] = time.perf_counter() - t
    finally:
        for rdd in held:
            rdd.unpersist()
        for release in cleanup:
            release()
        sc.setJobGroup("sourcetrace", "sourcetrace")
    return summary


def written_facts(facts: RDD, diffs: RDD, parts: int, every_fact: bool) -> RDD:
    """The rows of the facts table: every document's facts (``every_fact``), else those of the
    documents of the pairs whose facts were diffed (``diffs``: ``(pair, diffs)``), as the local
    engine writes them."""
    if not every_fact:
        diffed = diffs.flatMap(lambda kv: [(kv[0][0], None), (kv[0][1], None)]).distinct(parts)
        facts = joined(facts, diffed, parts).mapValues(lambda v: v[0])
    return facts.flatMap(lambda kv: [f.to_json() for f in kv[1][0]])


# -- read, segment, split ---------------------------------------------------------------------------
def _is_uri(item: str) -> bool:
    return len(urlparse(item).scheme) > 1  # "C:" is a drive, not a scheme


def listing(sc, inputs: list[str]) -> tuple[RDD, list[ReadFailure]]:
    """The input files as ``(stem, (order, shown path, local path or None, bytes or None))``,
    partitioned by stem. Local paths are found as the local engine finds them (same order, same
    paths shown); a URI is read by Spark's file systems, its files ordered by path after the
    local ones."""
    local = [i for i in inputs if not _is_uri(i)]
    uris = [i for i in inputs if _is_uri(i)]
    paths, failures = discover(local) if local else ([], [])
    items = [(Path(p).stem, ((0, n), p, os.path.abspath(p), None))
             for n, p in enumerate(paths)]
    parts = max(1, min(len(items) // 8 + 1, partitions(sc, len(items))))
    rdds = [sc.parallelize(items, parts)] if items else []
    for n, uri in enumerate(uris):
        rdds.append(sc.binaryFiles(uri).map(
            lambda kv, n=n: (PurePosixPath(urlparse(kv[0]).path).stem, ((1, n, kv[0]), kv[0], None, kv[1]))))
    if not rdds:
        return sc.parallelize([], 1), failures
    every = rdds[0] if len(rdds) == 1 else sc.union(rdds)
    return every.partitionBy(max(parts, every.getNumPartitions())), failures


def read_files(items: Iterable[tuple], max_bytes: int) -> Iterator[tuple[str, object]]:
    """Read, segment and split the files of one partition: ``("file", [(doc id, DocRecord)])`` or
    ``("failure", ReadFailure)``. Files of one stem get their id prefixes as the local engine
    gives them, in input order: the stem, then the stem and the file's hash (engines/ingest.py)."""
    by_stem: dict[str, list[tuple]] = {}
    for stem, item in items:
        by_stem.setdefault(stem, []).append(item)
    for stem, files in by_stem.items():
        taken: set[str] = set()
        for order, shown, path, raw in sorted(files, key=lambda f: f[0]):
            try:
                source = (pipeline.read(path, max_bytes=max_bytes, display_path=shown) if raw is None
                          else read_bytes(bytes(raw), shown, max_bytes=max_bytes))
            except NotDocuments as exc:  # as the local engine: skipped, noted in the executor's log
                print(f"sourcetrace: skipped {exc.path}: {exc.reason}", file=sys.stderr)
                continue
            except ReadError as exc:
                yield "failure", ReadFailure(exc.path, exc.reason)
                continue
            except OSError as exc:
                yield "failure", ReadFailure(shown, f"cannot read: {exc.strerror or exc}")
                continue
            for problem in source.problems:
                yield "failure", problem
            hashed = f"{stem}~{source.sha256[:8]}"
            prefix = next(p for p in chain((stem, hashed), (f"{hashed}~{n}" for n in count(2))) if p not in taken)
            docs, sentences = pipeline.segment(source, prefix)
            if not docs:
                yield "failure", ReadFailure(shown, ONLY_BOILERPLATE)
                continue
            taken.add(prefix)
            by_doc: dict[str, list[Sentence]] = {d.id: [] for d in docs}
            for s in sentences:
                by_doc[s.doc].append(s)
            yield "file", [(d.id, DocRecord(d, (order, seq), source.text, by_doc[d.id])) for seq, d in enumerate(docs)]


# -- encode, topics --------------------------------------------------------------------------------------
def occurrences(kv: tuple) -> Iterator[tuple[str, tuple]]:
    """Each sentence text of a document as ``(key, (batch, rank, n, text))``: the smallest is the
    batch that encodes it and the text it is encoded as (the local engine's first occurrence)."""
    _, (record, rank) = kv
    for n, text in enumerate(record.texts()):
        yield text_key(text), (rank // SENTENCE_BATCH, rank, n, text)


def task_encoder(spec: str) -> Encoder:
    """The encoder in a Spark task: built once per Python worker (get_encoder keeps it), with one
    BLAS thread (Spark runs a task per core)."""
    from sourcetrace.engines.workers import one_thread

    encoder = get_encoder(spec)
    if not getattr(encoder, "_spark_one_thread", False):
        one_thread()
        encoder._spark_one_thread = True  # type: ignore[attr-defined]
    return encoder


def encode_batch(spec: str, items: Iterable[tuple[str, str]]) -> Iterator[tuple[str, bytes]]:
    """One batch's new sentence texts encoded in one call, in key order, as the local engine's
    cache encodes what it misses (encode/vectors.py)."""
    todo = sorted(items)
    if not todo:
        return
    vecs = task_encoder(spec).encode([t for _, t in todo])
    for (key, _), v in zip(todo, vecs, strict=True):
        yield key, np.asarray(v, dtype=np.float32).tobytes()


_task_memo: dict[str, OrderedDict[str, np.ndarray]] = {}


class TaskVectors:
    """The Vectors function of a Spark task: the encode stage's vectors of the documents at hand
    (``known``, for the fast encoder), then what this Python worker encoded lately, then the
    encoder (the texts it misses in one call, in key order, as the local cache does)."""

    def __init__(self, name: str, known: dict[str, bytes]) -> None:
        self.name, self.known = name, known

    def __call__(self, encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, encoder.dim), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        known = self.known if encoder.name == self.name else {}
        memo = _task_memo.setdefault(encoder.name, OrderedDict())
        found: dict[str, np.ndarray] = {}
        for k in keys:
            if k in known:
                found[k] = np.frombuffer(known[k], dtype=np.float32)
            elif k in memo:
                found[k] = memo[k]
                memo.move_to_end(k)
        missing = sorted({k for k in keys if k not in found})
        if missing:
            first: dict[str, str] = {}
            for k, t in zip(keys, texts, strict=True):
                first.setdefault(k, t)
            for k, v in zip(missing, encoder.encode([first[k] for k in missing]), strict=True):
                found[k] = memo[k] = np.asarray(v, dtype=np.float32)
            while len(memo) > TASK_MEMO:
                memo.popitem(last=False)
        return np.stack([found[k] for k in keys])


def topics_and_votes(items: Iterable[tuple[str, DocRecord]]) -> Iterator[tuple[str, tuple]]:
    """Each document's topic vector (:func:`pipeline.topics`; None: no sentences) and its voting,
    stretch and twin vectors (spark_candidates.vote_vectors), ``TOPIC_BATCH`` documents at a time:
    each document's static vectors are encoded alone (the static encoder's ``encode_each``), so
    they are the local engine's whatever documents are beside them."""
    from sourcetrace.engines.spark_candidates import vote_vectors

    task_encoder(pipeline.TOPIC_ENCODER)  # one BLAS thread: Spark runs a task per core
    batch: list[DocInput] = []
    for item in chain(items, [None]):
        if item is not None:
            batch.append(item[1].doc_input())
        if batch and (item is None or len(batch) >= TOPIC_BATCH):
            rows = pipeline.topic_rows(batch)
            found, voting = pipeline.topics(batch, rows), vote_vectors(batch, rows)
            yield from ((d.id, (found.get(d.id), voting[d.id])) for d in batch)
            batch = []


# -- pairs: joins with both documents ------------------------------------------------------------------
def with_both(keyed: RDD, side: RDD, parts: int) -> RDD:
    """``((a, b), value)`` records joined with both documents' ``(id, record)``:
    ``((a, b), (value, record of a, record of b))`` (two joins by id, into ``parts`` partitions)."""
    by_a = joined(keyed.map(lambda kv: (kv[0][0], kv)), side, parts).map(
        lambda kv: (kv[1][0][0][1], (kv[1][0], kv[1][1])))
    return joined(by_a, side, parts).map(lambda kv: (kv[1][0][0][0], (kv[1][0][0][1], kv[1][0][1], kv[1][1])))


def by_index(n: int) -> int:
    """The partition function of records keyed by their partition's number."""
    return n


def key_partition(key: str | tuple, parts: int) -> int:
    """A record's partition by its key (a document id or a tuple of them), by a hash that is
    the same in every process (crc32, not Python's salted hash)."""
    text = key if isinstance(key, str) else "\x1f".join(key)
    return zlib.crc32(text.encode("utf-8")) % parts


def read_partitions(sc, reads: int, n_docs: int) -> int:
    """Partitions of a stage run by :func:`with_sides_local` whose records read about ``reads``
    document sides in all (with repeats) of ``n_docs`` documents: a hash spreads the records, so
    a partition reads at most its share of ``reads`` and at most every document; either way
    about ``DOCS_PER_PARTITION`` sides at most."""
    return partitions(sc, n_docs if n_docs <= DOCS_PER_PARTITION else reads)


def placed_partitions(sc, n_docs: int) -> int:
    """Partitions of a stage run by :func:`with_sides_local` whose records are placed by their
    document's topic cluster (engines/spark_places.py): such a partition's records read mostly
    the documents of their own clusters, about ``PLACED_READS`` times as many documents as the
    partition's share of the corpus (:func:`read_partitions`' bound for a hash spread was 61 for
    the ballots, 24 for pairs: 154 partitions of ballots at 25,000 documents, each document's
    voting vectors sent to ~7 of them, and five tasks a partition to start)."""
    return partitions(sc, PLACED_READS * n_docs)


def with_sides_local(keyed: RDD, side: RDD, parts: int, reads: Callable[[tuple], Iterable[str]],
                     work: Callable[[list[tuple], dict], Iterable], prepare: Callable | None = None,
                     spread: int | None = None, places: Callable[[RDD], tuple[RDD, int]] | None = None,
                     light: tuple[Callable[[tuple], Container[str]], Callable[[object], object]] | None = None
                     ) -> RDD:
    """``work(records, sides)`` once per partition: the ``(key, value)`` records of a partition
    (by :func:`key_partition` of the key, into ``spread`` partitions, :func:`read_partitions`;
    default ``parts``), and ``sides``, ``{document: side}`` of every document they read
    (``reads(record)``), from ``side``'s ``(id, side)``, partitioned by id into ``parts``
    (``prepare(sides)`` first, once per document, over a list of them at a time). Each side travels once to each partition that
    reads it, not once with every record, as :func:`with_both`'s two joins by id move it: a
    record is a few tuples through one shuffle, and the work runs over a partition's records at
    once (the local engine's stage functions, in bulk). Memory per task: a partition's records
    and the sides they read. ``places``: where the records go instead, ``(partition, (key,
    value))`` and the number of partitions (engines/spark_places.py: by topic, so that a
    partition's records read mostly the same documents); the records of one key must share one.
    ``light``: ``(full, lighten)``: a partition none of whose records reading a document has it
    in ``full(record)`` gets ``lighten(side)`` of it, not the side (relate: a document's text and
    facts go only where a pair of its shares passages; most pairs read its topic vector alone)."""
    if places is not None:
        placed, spread = places(keyed)
    else:
        spread = spread or parts
        placed = keyed.map(lambda kv: (key_partition(kv[0], spread), kv))
    tagged = placed.mapValues(lambda kv: (0, kv)).partitionBy(spread, by_index)
    full = light[0] if light is not None else None
    lighten = light[1] if light is not None else None
    wanted = tagged.mapPartitionsWithIndex(lambda i, items: _reads_once(i, items, reads, full))
    sent = joined(wanted, side, parts, "cogroup").mapPartitions(lambda kvs: _send(kvs, prepare, lighten)).partitionBy(
        spread, by_index)
    return tagged.union(sent).partitionBy(spread, by_index).mapPartitions(lambda items: _local(items, work))


def _reads_once(index: int, items: Iterable[tuple], reads: Callable[[tuple], Iterable[str]],
                full: Callable[[tuple], Container[str]] | None = None) -> Iterator[tuple[str, tuple[int, bool]]]:
    """``(document, (partition, whether a record reading it there wants its full side))``, once a
    document read by the partition's records (``full(record)``: the documents it wants full)."""
    seen: dict[str, bool] = {}
    for _, (_, record) in items:
        whole = None if full is None else full(record)
        for d in reads(record):
            if not seen.get(d):  # a document once, full if any record there wants it full
                seen[d] = whole is None or d in whole
    yield from ((d, (index, whole)) for d, whole in seen.items())


def _send(items: Iterable[tuple], prepare: Callable[[list], list] | None,
          lighten: Callable[[object], object] | None = None) -> Iterator[tuple[int, tuple]]:
    """Each document read, as ``(partition, (1, (document, side)))`` for every partition reading
    it (``lighten(side)`` where no record there wants the full side); ``prepare``d
    ``PREPARE_BLOCK`` documents at a time (the voting vectors of many documents cost less in one
    call: encode/static.py's ``encode_each``)."""
    block: list[tuple[str, list, object]] = []
    for doc, (to, sides) in chain(items, [(None, ((), ()))]):
        to, sides = list(to), list(sides)
        if to and sides:
            block.append((doc, to, sides[0]))
        if block and (doc is None or len(block) >= PREPARE_BLOCK):
            values = prepare([v for _, _, v in block]) if prepare is not None else [v for _, _, v in block]
            for (d, ts, _), value in zip(block, values, strict=True):
                less = lighten(value) if lighten is not None and not all(whole for _, whole in ts) else value
                yield from ((t, (1, (d, value if whole else less))) for t, whole in ts)
            block = []


def _local(items: Iterable[tuple], work: Callable[[list[tuple], dict], Iterable]) -> Iterable:
    records, sides = [], {}
    for _, (tag, value) in items:
        if tag:
            sides[value[0]] = value[1]
        else:
            records.append(value)
    return work(records, sides) if records else []


def joined(left: RDD, right: RDD, parts: int, how: str = "join") -> RDD:
    """``left.join(right)`` (or ``how``: leftOuterJoin, cogroup) into ``parts`` partitions by key,
    moving only a side not already so partitioned: PySpark's joins group the union of both sides,
    which keeps a partitioner the two share, so the documents, partitioned once, stay in place
    (a side with a partitioner: partitionBy returns it as it is)."""
    return getattr(left.partitionBy(parts), how)(right.partitionBy(parts), parts)


def aligned(records: list[tuple], sides: dict[str, tuple], spec: str, name: str, threshold: float
            ) -> Iterator[Passage]:
    """The passages (:func:`align`) of a partition's pairs ``((a, b), how)``; ``sides``: ``{id:
    (document, text, sentences, vectors or None)}``."""
    for (a, b), how in records:
        yield from align(sides[a], sides[b], spec, name, threshold, trial=how == pipeline.TRIAL)


def align(a: tuple, b: tuple, spec: str, name: str, threshold: float, trial: bool = False) -> list[Passage]:
    """One candidate pair's passages (:func:`pipeline.align_pair`); ``name``: the encoder whose
    vectors the encode stage gave the sides (the rest are encoded here, as the local aligner does).
    ``trial``: kept only as a translation, either document aligned first (:func:`pipeline.on_trial`)."""
    known = {**(a[3] or {}), **(b[3] or {})}
    encoder = task_encoder(spec) if spec else None
    if encoder is None:  # align picks one per pair: one thread for each
        task_encoder("default")
    vectors = TaskVectors(name, known)
    found = pipeline.align_pair(Side(a[0], a[1], a[2]), Side(b[0], b[1], b[2]), encoder=encoder,
                                vectors=vectors, threshold=threshold)
    if not trial:
        return found
    return pipeline.on_trial(PairText(a[0], a[1]), PairText(b[0], b[1]), found, lambda: pipeline.align_pair(
        Side(b[0], b[1], b[2]), Side(a[0], a[1], a[2]), encoder=encoder, vectors=vectors, threshold=threshold))


# -- compose: passages through a translation, grouped by the pivot document ---------------------------
# A passage travels as ``(passage, info of a, info of b)``, a document's info ``(start, end,
# language)``: what compose reads of the documents, given by align, which has them at hand (two
# joins by id per pass, four passes, moved every passage to each of its documents to learn them).
Info = tuple[int, int, str]


def with_info(passages: Iterable[Passage], sides: dict[str, tuple]) -> Iterator[tuple[Passage, Info, Info]]:
    """Align's passages with their documents' infos; ``sides``: ``{id: (document, ...)}``."""
    for p in passages:
        da, db = sides[p.a][0], sides[p.b][0]
        yield p, (da.start, da.end, da.lang), (db.start, db.end, db.lang)


def compose(passages: RDD, parts: int, *, any_language: bool) -> RDD:
    """:func:`sourcetrace.align.compose.compose` over an RDD of ``(passage, info of a, info of
    b)``: translations found per pair, each passage X~Z joined with the translations of its pivot
    Z; the passages through them, with their infos too."""
    pairs = passages.filter(lambda t: t[0].kind in TRANSLATION_KINDS and t[0].a != t[0].b).map(
        lambda t: (pair_key(t[0].a, t[0].b), t)).groupByKey(parts).mapValues(list)
    translations = pairs.flatMap(_translation)  # (z, (y, passages, info of y))
    by_pivot = translations.groupByKey(parts).mapValues(list)
    # From by_pivot, not from translations again: read twice, translations were computed twice
    # (persisted, never unpersisted).
    known = by_pivot.flatMap(lambda kv: [(pair_key(kv[0], y), True) for y, _, _ in kv[1]]).distinct(parts)
    sides = passages.flatMap(lambda t: _pivots(t[0], t[1], t[2], any_language))
    composed = sides.join(by_pivot, parts).flatMap(lambda kv: _through(kv[0], kv[1][0], kv[1][1], any_language))
    return composed.leftOuterJoin(known, parts).filter(lambda kv: kv[1][1] is None).map(lambda kv: kv[1][0])


def _translation(kv: tuple) -> list[tuple[str, tuple]]:
    (z, y), tagged = kv
    ps = [p for p, _, _ in tagged]
    p, ia, ib = tagged[0]
    iz, iy = (ia, ib) if p.a == z else (ib, ia)
    spans = [oriented(p, z) for p in ps]
    if (coverage([(o[1], o[2]) for o in spans], iz[0], iz[1]) < MIN_TRANSLATION_COVERAGE
            or coverage([(o[4], o[5]) for o in spans], iy[0], iy[1]) < MIN_TRANSLATION_COVERAGE):
        return []
    return [(z, (y, ps, iy)), (y, (z, ps, iz))]


def _pivots(p: Passage, info_a: Info, info_b: Info, any_language: bool) -> list[tuple[str, tuple]]:
    if not any_language and (info_a[2] != info_b[2] or p.kind in TRANSLATION_KINDS):
        return []
    return [(p.b, (p.a, info_a, p)), (p.a, (p.b, info_b, p))]  # (pivot z, (x, info of x, passage))


def _through(z: str, side: tuple, translations: list[tuple], any_language: bool) -> Iterator[tuple]:
    x, info_x, p = side
    if any(y == x for y, _, _ in translations):
        return  # p is itself part of a translation: nothing to map
    _, zs, ze, _, xs, xe = oriented(p, z)
    for y, ts, info_y in translations:
        if info_y[2] == info_x[2] and not any_language:
            continue
        for t in ts:
            _, tzs, tze, _, tys, tye = oriented(t, z)
            overlap = min(ze, tze) - max(zs, tzs)
            if overlap <= 0 or overlap < MIN_SHARE * (tze - tzs):
                continue
            found = Passage(x, xs, xe, y, tys, tye, translated_kind(p.kind), min(p.score, t.score))
            yield pair_key(x, y), (found, info_x, info_y)


def merged(direct: RDD, composed: RDD, parts: int) -> RDD:
    """:func:`merge_composed` per pair: composed passages win over direct ones they overlap (both
    ``(passage, info of a, info of b)``)."""
    def key(t: tuple) -> tuple:
        return pair_key(t[0].a, t[0].b), t

    return direct.map(key).cogroup(composed.map(key), parts).flatMap(lambda kv: _merged(list(kv[1][0]), list(kv[1][1])))


def _merged(direct: list[tuple], composed: list[tuple]) -> list[tuple[Passage, Info, Info]]:
    info = {}
    for p, ia, ib in chain(direct, composed):
        info[p.a], info[p.b] = ia, ib
    return [(p, info[p.a], info[p.b]) for p in merge_composed([t[0] for t in direct], [t[0] for t in composed])]


# -- relate, fact diffs ----------------------------------------------------------------------------------
# A candidate pair's relate record when its ballots hold a run (relate_and_diff): tagged apart
# from passages (0) and passages through a translation (1).
RAN = (2,)


def relate_and_diff(records: list[tuple], sides: dict[str, tuple]) -> Iterator[tuple[int, object]]:
    """The relations (:func:`pipeline.relate`) of a partition's pairs as ``(0, relation)``, or
    ``(2, relation)`` when a document of it shares no passage (it is in no family), then the fact
    diffs of those related pairs that share passages as ``(1, (pair, diffs))``.
    ``records``: ``(pair, None)`` for every candidate pair (``(pair, RAN)`` for one whose ballots
    hold a run, :attr:`pipeline.Pairs.ran`), ``(pair, (0, passage))`` for every
    passage and ``(pair, (1, passage))`` for every passage through a translation, any language
    (read by the fact diffs only); ``sides``: ``{id: ((document, text or ""), topic vector or
    None, facts or None, shares a passage)}`` (text and facts of the documents that share
    passages, where a record of the partition reading them has passages: :func:`_topic_side`
    elsewhere)."""
    texts = [PairText(doc, text) for (doc, text), _, _, _ in sides.values()]
    vectors = {d: v for d, (_, v, _, _) in sides.items() if v is not None}
    passages = [v[1] for _, v in records if v is not None and v[0] == 0]
    pairs = sorted({k for k, v in records if v is None or v[0] != 1})
    ran = {k for k, v in records if v == RAN}
    relations = pipeline.relate(texts, passages, vectors, pairs, ran=ran)
    # A family's relations rest on passages (relate types a pair without any by topic alone), so
    # a document that shares none is on no family's edge: its relations need no family's label.
    yield from ((0 if sides[r.a][3] and sides[r.b][3] else 2, r) for r in relations)
    tagged: dict[tuple[str, str], list[tuple]] = {}
    for pair, value in records:
        if value is not None and value != RAN:
            tagged.setdefault(pair, []).append(value)
    for pair in sorted({(r.a, r.b) for r in relations} & tagged.keys()):
        (da, ta), _, fa, _ = sides[pair[0]]
        (db, tb), _, fb, _ = sides[pair[1]]
        yield 1, fact_diff((pair, (tagged[pair], (da, ta, fa), (db, tb, fb))))


def _group_reads(group: tuple[str, list[tuple]]) -> set[str]:
    """The documents a document's relate records read (their pairs')."""
    return {x for pair, _ in group[1] for x in pair}


def _group_full(group: tuple[str, list[tuple]]) -> set[str]:
    """The documents a document's relate records with passages read: their full sides."""
    return {x for pair, value in group[1] if value is not None and value != RAN for x in pair}


def _topic_side(side: tuple) -> tuple:
    """A relate side as a pair without passages reads it: the document and its topic vector."""
    (doc, _), vector, _, shares = side
    return (doc, ""), vector, None, shares


def fact_diff(kv: tuple) -> tuple[tuple[str, str], list[FactDiff]]:
    """One pair's fact diff (:func:`sourcetrace.factcheck.diff.diff_pair`), kept as one record:
    the direction rules read a pair's diffs in their order."""
    pair, (tagged, (da, ta, fa), (db, tb, fb)) = kv
    # Shuffles reorder: the pair's own passages first, then those through a translation (the
    # local engine's order), each by position.
    ps = [p for _, p in sorted(tagged, key=lambda t: (t[0], t[1].a, t[1].a_start, t[1].a_end, t[1].b_start,
                                                         t[1].b_end, t[1].kind, t[1].score))]
    return pair, diff_pair(da, ta, fa, db, tb, fb, ps)


# -- connected components, direct, families --------------------------------------------------------------
def components(stages: Stages, edges: RDD, name: str, keep: Callable[[str, RDD], int], parts: int) -> RDD:
    """``(document, label)`` for every document on an edge: the smallest id of its connected
    component. Min-label propagation, one round per step of the longest shortest path, with
    Spark's own joins (GraphFrames' connected components needs a JAR PyPI does not carry). A
    round is one join and one reduce: a label a neighbour offers is tagged 1, a document's own 0,
    so the smallest of them says whether it moved (a third join compared the rounds' labels)."""
    links = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])]).distinct(parts)
    keep(f"{name} (edges)", links)
    labels = links.map(lambda kv: (kv[0], min(kv))).reduceByKey(min, parts)
    keep(name, labels)
    for n in range(1, MAX_ROUNDS + 1):
        stages.group(f"{name} (round {n})")
        offered = links.join(labels, parts).map(lambda kv: (kv[1][0], (kv[1][1], 1)))
        nxt = labels.mapValues(lambda label: (label, 0)).union(offered).reduceByKey(min, parts).persist(KEEP)
        if n % CHECKPOINT_EVERY == 0:
            nxt.localCheckpoint()
        changed = nxt.filter(lambda kv: kv[1][1]).count()
        labels.unpersist()
        labels = nxt.mapValues(lambda v: v[0]).persist(KEEP)
        if not changed:
            break
    keep(name, labels)
    return labels


def _labelled(records: RDD, labels: RDD, parts: int) -> RDD:
    """``(record, label of a, label of b)`` for records with ``a`` and ``b`` (None: a document on
    no edge); the records move once, each label to the partitions that read it (two left joins
    by id moved every relation twice)."""
    return with_sides_local(records.map(lambda r: ((r.a, r.b), r)), labels, parts, lambda kv: kv[0],
                            lambda items, sides: [(r, sides.get(r.a), sides.get(r.b)) for _, r in items])


def direct_by_family(rels: RDD, diffs: RDD, labels: RDD, members: RDD, parts: int) -> RDD:
    """:func:`pipeline.direct` per connected component (its members, the relations between them,
    their pairs' fact diffs), and :func:`pipeline.families` of the directed relations in the same
    task: ``(0, relation)``, ``(1, family)``, and ``(2, True)`` from a component where a direction
    changed what joins a family (its families are then not these: see
    :func:`families_by_component`). The other relations rest on no shared text and pass unchanged.
    ``rels``: the relations with both documents' labels (:func:`_labelled`); ``members``:
    ``(label, (document, rank))``."""
    inside = rels.filter(lambda t: t[1] is not None and t[1] == t[2]).map(lambda t: (t[1], t[0]))
    outside = rels.filter(lambda t: t[1] is None or t[1] != t[2]).map(lambda t: (0, t[0]))
    pair_diffs = joined(diffs.map(lambda kv: (kv[0][0], kv)), labels, parts).map(lambda kv: (kv[1][1], kv[1][0]))
    # groupWith's cogroup of three, into `parts` partitions (groupWith itself takes no count)
    grouped = (inside.map(lambda kv: (kv[0], (0, kv[1]))).union(pair_diffs.map(lambda kv: (kv[0], (1, kv[1]))))
               .union(members.map(lambda kv: (kv[0], (2, kv[1])))).groupByKey(parts))
    return grouped.flatMap(lambda kv: _direct_family(*_split3(kv[1]))).union(outside)


def _split3(tagged: Iterable[tuple[int, object]]) -> tuple[list, list, list]:
    out: tuple[list, list, list] = ([], [], [])
    for tag, value in tagged:
        out[tag].append(value)
    return out


def _direct_family(rels: list[Relation], diffs: Iterable[tuple], members: Iterable[tuple[Document, int]]
                   ) -> list[tuple[int, object]]:
    flat = [d for _, ds in sorted(diffs, key=lambda kv: kv[0]) for d in ds]
    docs = [d for d, _ in sorted(members, key=lambda m: m[1])]  # input order, as families_by_component's
    before = {pair_key(r.a, r.b): joins_family(r) for r in rels}
    directed = pipeline.direct(docs, rels, flat)
    moved = any(before.get(pair_key(r.a, r.b), joins_family(r)) != joins_family(r) for r in directed)
    return [*((0, r) for r in directed), *((1, f) for f in pipeline.families(docs, directed)),
            *([(2, True)] if moved else [])]


def families_by_component(relations: RDD, labels: RDD, docs: RDD, ranks: RDD, parts: int) -> RDD:
    """:func:`pipeline.families` per connected component, its members in input order."""
    rels = _labelled(relations, labels, parts).filter(lambda t: t[1] is not None and t[1] == t[2]).map(
        lambda t: (t[1], t[0]))
    members = joined(labels, joined(docs, ranks, parts), parts).map(lambda kv: (kv[1][0], kv[1][1]))
    return rels.cogroup(members, parts).flatMap(
        lambda kv: pipeline.families([d for d, _ in sorted(kv[1][1], key=lambda m: m[1])], list(kv[1][0])))


__all__ = ["DocRecord", "SparkSummary", "Stages", "context", "trace_spark"]
