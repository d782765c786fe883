"""Aligning pairs in worker processes gives what aligning them here gives."""

import multiprocessing
from dataclasses import replace

import pytest

from sourcetrace.encode import get_encoder
from sourcetrace.engines import workers
from sourcetrace.engines.ingest import ingest
from sourcetrace.engines.local import sentence_vectors
from sourcetrace.store.sqlite import Store

pytestmark = pytest.mark.slow

# Written for this test: a statement, a report quoting it, a reworded copy and an Arabic version.
STATEMENT = ("The council met on Monday in the capital to discuss the river plan.\n"
             "It agreed to spend 2.4 million dollars on new flood barriers this year.\n"
             "The minister said the work would start in March and end before the rains.\n")
REPORT = ("Officials gathered again this week. \"It agreed to spend 2.4 million dollars on new flood barriers "
          "this year,\" the statement said.\nThe minister said the work would start in March and end before "
          "the rains.\n")
ARABIC = ("اجتمع المجلس يوم الاثنين في العاصمة لمناقشة خطة النهر.\n"
          "ووافق على إنفاق 2.4 مليون دولار على حواجز جديدة للفيضانات هذا العام.\n")


def _four_files(folder, store: Store) -> list:
    """A statement, a report of it, a revision and an Arabic text, one file each, read into `store`
    with their sentence vectors: every pair of them."""
    for name, text in {"s": STATEMENT, "r": REPORT, "c": STATEMENT.replace("Monday", "Tuesday"),
                       "a": ARABIC}.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    docs = list(store.documents(ingest([str(folder)], store).files))
    sentence_vectors(store, docs)
    return [(x, y) for i, x in enumerate(docs) for y in docs[i + 1:]]


def test_worker_processes_align_as_this_process_does(tmp_path):
    with Store(tmp_path / "s.db") as store:
        pairs = _four_files(tmp_path, store)
        enc = get_encoder("use")
        here = {(a, b): ps for a, b, ps in workers.align_pairs(store, pairs, encoder=enc, threshold=0.5,
                                                                workers=1)}
        there = {(a, b): ps for a, b, ps in workers.align_pairs(store, pairs, encoder=enc, threshold=0.5,
                                                                 workers=2, min_pairs=1)}
    assert here == there
    assert any(ps for ps in here.values())  # something was found, so the comparison means something


def test_an_encoder_a_worker_cannot_rebuild_is_used_here():
    assert workers.spec_of(None) == ""
    assert workers.spec_of(get_encoder("use")) == "use"

    class Plugged:
        name, dim = "mine", 3

    assert workers.spec_of(Plugged()) is None


def test_worker_processes_extract_the_facts_this_process_does(tmp_path, monkeypatch):
    from sourcetrace.engines import local

    for name, text in {"s": STATEMENT, "r": REPORT, "a": ARABIC}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        here = local.facts_of(docs, local.DocumentTexts(store))
        monkeypatch.setattr(local, "MIN_FACT_DOCS", 1)
        there = local.facts_of(docs, local.DocumentTexts(store), store, workers=2)
        assert list(there) == [d.id for d in docs] and there == here
        assert any(here.values())  # facts were found, so the comparison means something
        assert local.facts_of(docs, local.DocumentTexts(store), store) == here  # and cached


def test_pair_workers_diff_facts_as_this_process_does_and_keep_them(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.encode import vectors
    from sourcetrace.engines import kept, local

    for name, text in {"s": STATEMENT, "r": REPORT, "c": STATEMENT.replace("2.4", "3.1"), "a": ARABIC}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        pairs = [(x.id, y.id) for i, x in enumerate(docs) for y in docs[i + 1:]]
        passages = local.align_all(store, docs, pairs=pairs)
        texts = local.DocumentTexts(store)
        facts = local.facts_of(docs, texts, store)  # stored: the workers read them there
        diffed = pipeline.diffed_pairs(docs, passages, pairs)
        here = local.fact_diffs_of(store, docs, passages, pairs, facts, texts)
        assert len(diffed) > 1 and any(d.status == "changed" for d in here)  # the comparison means something
        # Another code: nothing kept; every pair diffed in the workers, a task each, none here.
        monkeypatch.setattr(kept, "code_version", lambda: "other code")
        monkeypatch.setattr(local, "MIN_DIFF_PAIRS", 1)
        monkeypatch.setattr(local, "DIFF_CHUNK", 1)
        monkeypatch.setattr(pipeline, "diff_pair", lambda *a: pytest.fail("diffed here"))
        with workers.PairWork(store, get_encoder("use"), 0.5, 2) as pool:
            assert not pool.running()
            pool.submit(workers._nothing).result()
            diffing = local.FactDiffs(store, docs, diffed, facts, texts, pool)
            assert len(diffing.futures) == len(diffed)
            assert diffing.result(diffed) == here
        # What the workers diffed was kept: a rerun diffs nothing.
        assert local.FactDiffs(store, docs, diffed, facts, texts).result(diffed) == here
    vectors._memo.clear()  # this store's vectors, batched as they were here: not the next test's


def test_worker_processes_encode_the_vectors_this_process_does(tmp_path, monkeypatch):
    from sourcetrace.encode.vectors import StoreVectors
    from sourcetrace.engines import local

    # Enough texts for several batches: the pool must put every batch's rows back in place.
    texts = [f"{line} ({n})" for n in range(40) for line in (STATEMENT + REPORT + ARABIC).splitlines()]
    enc = get_encoder("use")
    monkeypatch.setattr(enc, "batch_size", 16)
    here = enc.encode(texts)
    with Store(tmp_path / "pool.db") as store:
        with workers.PairWork(store, enc, 0.5, 2) as pool:
            run = pool.runner()
            assert run is not None
            assert (enc.encode(texts, run=run) == here).all()  # bit for bit: the same batches
        assert workers.PairWork(store, enc, 0.5, 1).runner() is None  # one worker: this process
    # The encode stage through the pool stores what it stores encoding here.
    from sourcetrace.encode import vectors

    for name, text in {"s": STATEMENT, "r": REPORT, "a": ARABIC}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(local, "MIN_POOL_DOCS", 1)
    stored = []
    for n in (1, 2):
        vectors._memo.clear()  # each store encodes its own
        with Store(tmp_path / f"{n}.db") as store:
            docs = list(store.documents(ingest([str(tmp_path)], store).files))
            sentence_vectors(store, docs, encoder=enc, workers=n)
            sentences = [s for d in local.doc_inputs(store, docs) for s in d.sentences]
            vectors._memo.clear()
            stored.append(StoreVectors(store)(enc, sentences))
    assert (stored[0] == stored[1]).all()


def test_worker_processes_hold_no_more_chunks_than_asked_and_none_once_asked_for_none(tmp_path, monkeypatch):
    # What a trace's AlignAhead rests on: one chunk in flight beside the ballots, none submitted
    # once stopped (the encode stage's batches must not queue behind them); the pairs left are
    # not aligned, and those given are those aligned here.
    for name, text in {"s": STATEMENT, "r": REPORT, "c": STATEMENT.replace("Monday", "Tuesday"),
                       "a": ARABIC}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(workers, "CHUNK", 4)  # a pair a chunk
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        pairs = [(x, y) for i, x in enumerate(docs) for y in docs[i + 1:]]
        enc = get_encoder("use")
        here = {(a, b): ps for a, b, ps in workers.align_pairs(store, pairs, encoder=enc, threshold=0.5, workers=1)}
        asked: list[int] = []
        with workers.PairWork(store, enc, 0.5, 2) as pool:
            submit = pool.submit
            submitted: list = []
            pool.submit = lambda *a: submitted.append(a) or submit(*a)
            got = {}
            for a, b, ps in workers.align_pairs(store, pairs, encoder=enc, threshold=0.5, pool=pool, min_pairs=1,
                                                in_flight=lambda: asked.append(len(got)) or (1 if len(got) < 3 else 0)):
                got[(a, b)] = ps
    assert len(got) == len(submitted) == 3 and asked[0] == 0  # one at a time, then none
    # The same passages; a score's last digits may differ: a sentence encoded in another batch
    # (the workers' or this process's, which earlier tests may have filled) is not bit for bit the same.
    assert {k: [replace(p, score=0.0) for p in ps] for k, ps in got.items()} == {
        k: [replace(p, score=0.0) for p in here[k]] for k in got}
    assert [p.score for k in sorted(got) for p in got[k]] == pytest.approx(
        [p.score for k in sorted(got) for p in here[k]], abs=1e-6)


def _children() -> set[int]:
    """Process ids of this process's live children (multiprocessing joins the ones that ended)."""
    return {p.pid for p in multiprocessing.active_children()}


def test_fact_workers_stop_once_done_and_their_results_stay(tmp_path):
    import time

    from sourcetrace.engines import local

    for name, text in {"s": STATEMENT, "r": REPORT, "a": ARABIC}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        before = _children()
        work = workers.DocumentWork(store, 2)
        assert work.pool is None  # nothing submitted: no processes
        work.submit("facts", workers.document_facts, docs, 2)
        assert work.busy()  # its first chunk cannot be done yet: the workers are still starting
        while not all(f.done() for f in work.futures["facts"]):
            time.sleep(0.05)
        work.release()  # done: the processes stop
        assert _children() == before  # the workers have exited
        assert dict(work.results("facts")) == local.facts_of(docs, local.DocumentTexts(store))
        work.submit("facts", workers.document_facts, docs[:1], 2)  # a later job starts workers again
        assert dict(work.results("facts")) == {docs[0].id: local.facts_of(docs, local.DocumentTexts(store))[docs[0].id]}
        assert work.pool is None and _children() == before  # and they stop with its last result


def test_voting_vectors_computed_ahead_in_workers_are_those_computed_here(tmp_path, monkeypatch):
    from sourcetrace import pipeline
    from sourcetrace.engines import local

    for name, text in {"s": STATEMENT, "r": REPORT, "c": STATEMENT.replace("Monday", "Tuesday"),
                       "a": ARABIC, "b": ARABIC.replace("الاثنين", "الثلاثاء")}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        here = local.vote_bytes(local.doc_inputs(store, docs))
        # The topics stage giving none (as for documents of more sentences than vote): the workers' job.
        monkeypatch.setattr(pipeline, "votes_of_topics", lambda inputs, rows: {})
        nb = local.nearest_documents(store, docs, local.topic_vectors(store, docs))
        expected = pipeline.voted(nb, pipeline.vote_vectors(local.doc_inputs(store, docs)))
        monkeypatch.setattr(local, "MIN_VOTE_DOCS", 1)
        monkeypatch.setattr(pipeline, "ALL_PAIRS_UP_TO", 1)
        before = _children()
        work = workers.DocumentWork(store, 2)
        local.votes_ahead(store, docs, work)
        assert work.submitted("votes")
        # This process computes none of them: the workers' are stored and voted with.
        monkeypatch.setattr(pipeline, "vote_vectors", lambda inputs: pytest.fail("computed here"))
        assert local.chosen_by_votes(store, docs, nb, work) == expected
        assert not work.submitted("votes") and _children() == before  # collected: the workers stop
        assert store.cached("votes", local.votes_version(), [d.id for d in docs]) == here  # bit for bit
    assert any(here.values())


def test_pair_workers_warmed_start_once_encode_as_here_and_not_after_close(tmp_path):
    texts = [line for line in (STATEMENT + REPORT + ARABIC).splitlines()]
    enc = get_encoder("use")
    here = enc.encode(texts)
    before = _children()
    with Store(tmp_path / "s.db") as store:
        pool = workers.PairWork(store, enc, 0.5, 2)
        pool.warm()
        started = pool.pool
        assert started is not None and len(_children() - before) == 2
        pool.warm()  # started: nothing more
        assert pool.pool is started
        assert (enc.encode(texts, run=pool.runner()) == here).all()
        pool.close()
        assert _children() == before
        pool.warm()  # closed: a late call (from the document workers' thread) starts nothing
        assert pool.pool is None and _children() == before
        assert workers.PairWork(store, enc, 0.5, 1).warm() is None  # one worker: none to start
        assert _children() == before


def test_document_work_calls_back_once_its_jobs_are_done(tmp_path):
    import threading

    for name, text in {"s": STATEMENT, "a": ARABIC}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        docs = list(store.documents(ingest([str(tmp_path)], store).files))
        work = workers.DocumentWork(store, 2)
        assert not work.busy()  # nothing submitted
        threads = threading.active_count()
        work.when_done(lambda: pytest.fail("nothing was submitted"))
        assert threading.active_count() == threads  # no job: no thread waits
        done = threading.Event()
        work.submit("facts", workers.document_facts, docs, 1)
        work.when_done(done.set)
        assert done.wait(120)
        assert all(f.done() for f in work.futures["facts"]) and not work.busy()
        work.close()


def test_pairs_go_to_workers_in_chunks_the_last_ones_smaller():
    pairs = list(range(10 * workers.CHUNK + 5))
    chunks = workers.task_chunks(pairs, 2)
    assert [p for c in chunks for p in c] == pairs  # every pair once, in order
    assert [len(c) for c in chunks[:8]] == [workers.CHUNK] * 8
    assert all(len(c) <= workers.CHUNK // 4 for c in chunks[8:]) and len(chunks) > 8
    assert workers.task_chunks(pairs[:3], 2) == [pairs[:3]]


def test_a_few_heavy_pairs_go_to_the_workers_heaviest_first_and_a_few_light_ones_stay(tmp_path, monkeypatch):
    from sourcetrace.records import Document

    def doc(name: str, chars: int) -> Document:
        return Document(name, f"{name}.txt", 0, chars, "ar")

    light = [(doc(f"l{i}", 3_000), doc(f"m{i}", 3_000)) for i in range(50)]  # a rerun's new pairs
    books = [doc(f"b{i}", 400_000 + i) for i in range(4)]
    heavy = [(x, y) for i, x in enumerate(books) for y in books[i + 1:]]  # 6 pairs of long books
    with Store(tmp_path / "s.db") as store:
        pool = workers.PairWork(store, get_encoder("use"), 0.5, 2)
        assert not workers.in_workers(light, pool) and workers.in_workers(heavy, pool)
        assert workers.in_workers(light * 8, pool)  # MIN_PAIRS pairs, however light
        assert not workers.in_workers(heavy, workers.PairWork(store, get_encoder("use"), 0.5, 1))  # one core
        assert not workers.in_workers(heavy, workers.PairWork(store, None, 0.5, 2))  # the default: E5 threads here
        tasks = workers.heaviest_first(heavy)
        assert sorted((a.id, b.id) for t in tasks for a, b in t) == sorted((a.id, b.id) for a, b in heavy)
        assert all(len(t) == 1 for t in tasks)
        work = [workers.pair_work(*t[0]) for t in tasks]
        assert work == sorted(work, reverse=True) and tasks[0] == [(books[2], books[3])]
        assert not pool.running()  # deciding starts no process


def test_heavy_pairs_aligned_in_the_workers_give_what_this_process_gives(tmp_path, monkeypatch):
    with Store(tmp_path / "s.db") as store:
        pairs = _four_files(tmp_path, store)
        enc = get_encoder("use")
        here = {(a, b): ps for a, b, ps in workers.align_pairs(store, pairs, encoder=enc, threshold=0.5, workers=2)}
        monkeypatch.setattr(workers, "MIN_WORK", 1)  # these six short pairs count as heavy
        with workers.PairWork(store, enc, 0.5, 2) as pool:
            submit = pool.submit
            submitted: list = []
            pool.submit = lambda *a: submitted.append(a) or submit(*a)
            there = {(a, b): ps for a, b, ps in workers.align_pairs(store, pairs, encoder=enc, threshold=0.5, pool=pool)}
    assert [len(chunk) for _, chunk, *_ in submitted] == [1] * len(pairs)  # in the workers, a pair a task
    assert [workers.pair_work(*chunk[0]) for _, chunk, *_ in submitted] == sorted(
        (workers.pair_work(a, b) for a, b in pairs), reverse=True)
    assert here == there and any(ps for ps in here.values())



WORDS = ("the council river plan flood barrier minister water week year spend million dollar work start "
         "march rain capital meeting report statement office people city road school health money bank "
         "price market trade farm food crop storm coast ship port train bridge power plant field court")


def _two_books(folder, n: int = 1500) -> list[str]:
    """Two same-language files of ``n`` sentences, the second each sentence's words shuffled:
    little reuse, every unit screened and most encoded (a pair of a few seconds)."""
    import random

    rng = random.Random(40)
    words = WORDS.split()
    lines = [[rng.choice(words) for _ in range(12)] for _ in range(n)]
    texts = {"one": [" ".join(w).capitalize() + "." for w in lines],
             "two": [" ".join(rng.sample(w, len(w))).capitalize() + "." for w in lines]}
    for name, sentences in texts.items():
        (folder / f"{name}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    return [str(folder / "one.txt"), str(folder / "two.txt")]


def test_a_long_pair_tells_how_far_it_has_got_from_a_worker_and_here_and_aligns_the_same(tmp_path, monkeypatch):
    """A pair of LONG_PAIR characters or more (here: 200 KB made long) sends its phases, from a
    worker over the pool's queue or from this process, then that it is done; the passages are
    those aligned with nobody listening; a short pair says nothing."""
    with Store(tmp_path / "s.db") as store:
        (x, y) = list(store.documents(ingest(_two_books(tmp_path), store).files))
        enc = get_encoder("use")
        monkeypatch.setattr(workers, "LONG_PAIR", 1)
        monkeypatch.setattr(workers, "MIN_WORK", 1)  # to the workers, a pair a task
        there: list[tuple] = []
        with workers.PairWork(store, enc, 0.5, 2) as pool:  # first: nothing encoded yet
            heard_there = list(workers.align_pairs(store, [(x, y)], encoder=enc, threshold=0.5, pool=pool,
                                                   within=lambda *n: there.append(n)))
        here: list[tuple] = []
        heard_here = list(workers.align_pairs(store, [(x, y)], encoder=enc, threshold=0.5, workers=1,
                                              within=lambda *n: here.append(n)))
        quiet = list(workers.align_pairs(store, [(x, y)], encoder=enc, threshold=0.5, workers=1))
        monkeypatch.setattr(workers, "LONG_PAIR", 10**9)
        short: list[tuple] = []
        list(workers.align_pairs(store, [(x, y)], encoder=enc, threshold=0.5, workers=1,
                                 within=lambda *n: short.append(n)))
    assert short == []
    assert heard_there == heard_here == quiet and quiet[0][2]
    phases = [n[2] for n in there]
    assert {n[:2] for n in there} == {(x.id, y.id)} and there[-1] == (x.id, y.id, None, 0, 0)
    # in a worker the chunk's static rows come first (prepare), then the pair's phases in order
    # (its units' static rows, then the encoder); the throttle keeps each phase's end
    assert phases[0] == "static rows" and phases.index("reuse") < phases.index("encode") and phases[-1] is None, there
    assert set(phases) <= {"reuse", "static rows", "plan", "screen", "encode", "windows", None}
    assert any(n[2] == "encode" and n[3] == n[4] > 1000 for n in there), there
    assert here[0][2] == "reuse" and here[-1] == (x.id, y.id, None, 0, 0)
