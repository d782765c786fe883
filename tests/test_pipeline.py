import numpy as np

from sourcetrace import pipeline
from sourcetrace.records import Document, Passage, SourceFile

TEXT = ("Council Statement\nOffice of the Spokesperson\nMarch 3, 2025\n"
        "The council met today. It agreed on a plan of 2.4 million dollars.\n"
        "You may also like\n")


def test_read_documents_gives_sentences_outside_boilerplate():
    source = SourceFile("x.txt", TEXT, "utf-8", "text", "h", len(TEXT))
    docs, sentences = pipeline.segment(source, "x")
    assert [d.id for d in docs] == ["x#1"]
    texts = [TEXT[s.start:s.end] for s in sentences]
    assert texts == ["Council Statement", "Office of the Spokesperson", "March 3, 2025", "The council met today.",
                     "It agreed on a plan of 2.4 million dollars."]
    assert all(s.doc == "x#1" and s.lang == "en" for s in sentences)


def test_split_document_skips_inner_boilerplate():
    text = "First sentence here. Caption\nSecond one here."
    doc = Document("d", "p", 0, len(text), "en", boilerplate=[(21, 28)])
    assert [text[s.start:s.end] for s in pipeline.split(text, doc)] == ["First sentence here.", "Second one here."]


def test_candidate_search_reads_a_hard_wrapped_sentence_whole():
    # Issue 17 (PAN): a copy wrapped at other places shares the sentence, not its lines.
    text = "The council met today and agreed on a plan\nfor the basin. It thanked the host.\n"
    doc = Document("d", "p", 0, len(text), "en")
    sentences = pipeline.split(text, doc)
    assert len(sentences) == 3  # the splitter cuts at the line break
    assert pipeline.doc_input(doc, text, sentences).sentences == [
        "The council met today and agreed on a plan\nfor the basin.", "It thanked the host."]
    # Quotes are matched by units joined at every line break inside a sentence, a capital after it
    # too; the sentences stay the sentences (topic vectors are their vectors).
    text = "The council met Greek and Cypriot\nMinisters on the plan. It thanked the host.\n"
    doc = Document("d", "p", 0, len(text), "en")
    got = pipeline.doc_input(doc, text, pipeline.split(text, doc))
    assert got.units == ["The council met Greek and Cypriot\nMinisters on the plan.", "It thanked the host."]
    assert got.sentences == ["The council met Greek and Cypriot", "Ministers on the plan.", "It thanked the host."]


def test_only_candidates_with_evidence_of_shared_text_are_aligned():
    from sourcetrace.candidates.pairs import Candidate
    from sourcetrace.pipeline import TERMS_MARGIN, TRIAL, alignment

    assert alignment(Candidate("a", "b", ["minhash"], 0.3), cross=False) is True
    assert alignment(Candidate("a", "b", ["vectors", "terms"], 0.9, 1.2), cross=False) is False
    assert alignment(Candidate("a", "b", ["vectors", "terms"], 0.9, TERMS_MARGIN), cross=True) is True
    assert alignment(Candidate("a", "b", ["vectors", "terms"], 0.9, 0.99), cross=True) is False
    assert alignment(Candidate("a", "b", ["terms"], 0.9), cross=True) is False
    # Topic alone decides nothing, however far the pair stands out of its neighbours ...
    assert alignment(Candidate("a", "b", ["vectors"], 0.9, 1.2), cross=True) is False
    # ... unless both documents choose it by their sentences' votes (candidates/votes.py): on trial.
    assert alignment(Candidate("a", "b", ["vectors"], 0.8, 0.97), cross=True, chosen=True) == TRIAL
    assert alignment(Candidate("a", "b", ["vectors", "terms"], 0.8, 0.97), cross=True, chosen=True) == TRIAL
    assert alignment(Candidate("a", "b", ["vectors"], 0.8, 1.2), cross=False, chosen=True) is False


def test_full_encoder_only_for_documents_of_cross_language_pairs_to_align():
    docs = [Document(i, "p", 0, 1, lang) for i, lang in (("e1", "en"), ("e2", "en"), ("a1", "ar"), ("a2", "ar"))]
    # e1-e2 share wording (reuse explains it; the aligner encodes the rest); e2-a1 is a translation.
    need = pipeline.encoded_documents(docs, [("e1", "e2"), ("e2", "a1")])
    assert [d.id for d in need] == ["e2", "a1"]
    assert pipeline.encoded_documents(docs, [("e1", "e2")]) == []


def test_topics_give_the_voting_vectors_of_a_document_of_few_sentences():
    """Topic rows are each document's static vectors encoded alone: a short document's voting
    vectors are its topic rows, bit for bit; a long one (stretches) and an empty one are not."""
    from sourcetrace.candidates import votes
    from sourcetrace.candidates.pairs import DocInput
    from sourcetrace.encode import get_encoder

    enc = get_encoder(pipeline.TOPIC_ENCODER)
    short = DocInput("s", "en", "", ["The council met today.", "  ", "It agreed on a plan."])
    long = DocInput("l", "en", "", [f"The council met on day {i} and agreed on plan {i}." for i in range(40)])
    empty = DocInput("e", "en", "A title alone", [])
    rows = pipeline.topic_rows([short, long, empty])
    assert [rows[k].shape[0] for k in "sle"] == [2, 40, 1]  # the title stands for a document without sentences
    got = pipeline.votes_of_topics([short, long, empty], rows)
    assert sorted(got) == ["e", "s"] and got["e"].shape == (0, enc.dim)
    assert np.array_equal(got["s"], pipeline.vote_vectors([short])["s"])
    assert pipeline.stretch_vectors([short])["s"].shape[0] == 0 and len(votes.stretches(long.sentences))
    # A topic is its own document's: the same alone as beside others.
    alone = pipeline.topics([short])["s"]
    assert np.array_equal(pipeline.topics([long, short, empty])["s"], alone)
    assert np.array_equal(pipeline.topics([short], rows)["s"], alone)


def test_a_pair_on_trial_whose_figures_disagree_is_not_aligned():
    from sourcetrace.pipeline import TRIAL, screened
    from sourcetrace.text.terms import document_terms, figures

    # Written for this test: two reports of one kind of event, and a translation of the first.
    report = "On 4 June 2020 the ministry paid 2,400 dollars to 315 families and 1.5 tonnes of flour."
    other = "On 9 March 2021 the ministry paid 7,100 dollars to 640 families and 2.5 tonnes of flour."
    arabic = "في 4 حزيران/يونيو 2020 دفعت الوزارة 2400 دولار إلى 315 أسرة و1.5 طن من الطحين."
    ours, theirs, translated = (figures(frozenset(document_terms(t))) for t in (report, other, arabic))
    assert len(ours) >= pipeline.TRIAL_MIN_FIGURES
    assert screened(TRIAL, translated, theirs) is False  # same kind of event, other figures
    assert screened(TRIAL, translated, ours) == TRIAL  # a translation keeps its figures
    assert screened(TRIAL, translated, frozenset({"num:2400"})) == TRIAL  # too few figures to tell
    assert screened(True, translated, theirs) is True  # only a pair on trial is screened
    assert figures(frozenset({"name:pompeo", "num:315", "date:2020-06-04"})) == {"num:315", "date:2020-06-04"}


def test_a_pair_on_trial_keeps_its_passages_only_as_a_translation():
    from sourcetrace.records import Passage
    from sourcetrace.relate.relations import PairText

    en = "The council met today. It agreed on a plan. It will meet again in the spring of next year."
    ar = "اجتمع المجلس اليوم. ووافق على خطة."
    a, b = PairText(Document("a", "a", 0, len(ar), "ar"), ar), PairText(Document("e", "e", 0, len(en), "en"), en)
    one, two = (Passage("a", 0, 19, "e", 0, 22, "translation", 0.8),
                Passage("a", 20, len(ar), "e", 23, 43, "translation", 0.8))
    assert pipeline.tried(a, b, [one, two]) == [one, two]  # all of the Arabic inside the English
    assert pipeline.tried(a, b, [one]) == []  # half of one side, a quarter of the other
    assert pipeline.tried(a, b, []) == []


def test_a_pair_on_trial_that_falls_near_the_bar_is_aligned_the_other_way_round_once():
    from sourcetrace.records import Passage
    from sourcetrace.relate.relations import PairText

    en = "The council met today. It agreed on a plan. It will meet again in the spring of next year."
    ar = "اجتمع المجلس اليوم. ووافق على خطة. وسيجتمع لاحقا."
    a, b = PairText(Document("a", "a", 0, len(ar), "ar"), ar), PairText(Document("e", "e", 0, len(en), "en"), en)
    first = [Passage("a", 0, 19, "e", 0, 22, "translation", 0.8), Passage("a", 20, 34, "e", 23, 43, "translation", 0.8)]
    # The other way round: `e` first, every Arabic sentence paired.
    turned = [Passage("e", 0, 22, "a", 0, 19, "translation", 0.8), Passage("e", 23, 43, "a", 20, 34, "translation", 0.8),
              Passage("e", 44, len(en), "a", 35, len(ar), "translation", 0.8)]
    asked = []

    def other_way() -> list[Passage]:
        asked.append(1)
        return turned

    assert pipeline.TRIAL_RETRY <= 34 / len(ar) < pipeline.TRIAL_CONTAINED  # two of three sentences
    assert pipeline.tried(a, b, first) == []
    got = pipeline.on_trial(a, b, first, other_way)
    assert asked and got == [Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.kind, p.score) for p in turned]
    assert all(p.a == "a" for p in got)
    asked.clear()  # far from the bar (a third of the Arabic): not aligned again
    assert pipeline.on_trial(a, b, first[:1], other_way) == [] and not asked
    whole = [Passage(q.b, q.b_start, q.b_end, q.a, q.a_start, q.a_end, q.kind, q.score) for q in turned]
    assert pipeline.on_trial(a, b, whole, other_way) == whole and not asked  # kept the first way
    assert pipeline.on_trial(a, b, first, lambda: turned[:2]) == []  # short the other way too


def test_a_pair_both_documents_choose_by_votes_is_on_trial_though_no_list_makes_it_a_candidate():
    # The voting pool is wider than the candidates by topic (neighbours.K_POOL): a chosen pair
    # found by nothing else is still aligned, on trial. Texts written for this test.
    from sourcetrace.candidates.pairs import DocInput

    ar = "اجتمع المجلس اليوم. ووافق على خطة للحوض."
    en = "The harvest was late this year. Farmers waited for rain."
    docs = [Document("a", "a.txt", 0, len(ar), "ar"), Document("e", "e.txt", 0, len(en), "en")]
    feats = pipeline.features([DocInput("a", "ar", ar, ar.split(". ")), DocInput("e", "en", en, en.split(". "))])
    assert pipeline.candidates(docs, feats, None, None).aligned == []
    pairs = pipeline.candidates(docs, feats, None, None, {("a", "e")})
    assert pairs.trial == pairs.aligned == pairs.related == [("a", "e")] and pairs.ran == []
    # Chosen with whether its ballots hold a run (pipeline.voted): relate reads the run.
    assert pipeline.candidates(docs, feats, None, None, {("a", "e"): True}).ran == [("a", "e")]
    assert pipeline.candidates(docs, feats, None, None, {("a", "e"): False}) == pairs


def test_every_fact_reads_the_facts_choice_and_refuses_another():
    import pytest

    assert pipeline.every_fact(pipeline.ALL_FACTS) is True
    assert pipeline.every_fact(pipeline.DIFFED_FACTS) is False
    with pytest.raises(ValueError, match="'some'"):
        pipeline.every_fact("some")


def test_same_language_pairs_to_align_are_known_from_minhash_before_the_votes():
    # What engines/local.py's AlignAhead rests on: votes add cross-language pairs only, so the
    # same-language pairs to align are MinHash's, and candidates from MinHash found first are equal.
    from sourcetrace.candidates.pairs import DocInput

    one = "The council met the ministers today. It agreed on a plan for the river basin. The vote was close."
    two = "The council met the ministers today. It agreed on a plan for the river basin. Critics left early."
    ar = "اجتمع المجلس اليوم. ووافق على خطة للحوض."
    texts = {"e1": ("en", one), "e2": ("en", two), "a": ("ar", ar)}
    docs = [Document(k, f"{k}.txt", 0, len(t), lg) for k, (lg, t) in texts.items()]
    feats = pipeline.features([DocInput(k, lg, t, t.split(". ")) for k, (lg, t) in texts.items()])
    found = pipeline.minhash(feats)
    assert pipeline.same_language_aligned(found) == [("e1", "e2")]
    for chosen in [frozenset(), {("a", "e1"): True}]:
        first = pipeline.candidates(docs, feats, None, None, chosen, minhash=found)
        assert first == pipeline.candidates(docs, feats, None, None, chosen)
        lang = {d.id: d.lang for d in docs}
        assert [p for p in first.aligned if lang[p[0]] == lang[p[1]]] == [("e1", "e2")]


def test_passages_are_written_in_one_order_whatever_order_the_pairs_were_aligned_in(tmp_path):
    docs = [Document(f"{c}#1", f"{c}.txt", 0, 90, "en") for c in "abc"]
    passages = [Passage("a#1", 40, 60, "b#1", 40, 60, "verbatim", 1.0),
                Passage("a#1", 0, 20, "b#1", 0, 20, "verbatim", 1.0),
                Passage("a#1", 0, 20, "c#1", 10, 30, "paraphrase", 0.8),
                Passage("b#1", 0, 20, "c#1", 10, 30, "paraphrase", 0.7)]
    written = []
    for order in (passages, passages[::-1], passages[2:] + passages[:2]):
        out = tmp_path / str(len(written))
        pipeline.outputs(pipeline.Trace(docs, [], order, [], [], {}, [], {"command": "trace"}), out)
        written.append((out / "passages.jsonl").read_bytes())
    assert written[0] == written[1] == written[2]
    assert written[0].splitlines()[0].startswith(b'{"a": "a#1", "a_start": 0')


def test_candidates_types_every_pair_as_alignment_and_screened_do_one_at_a_time():
    """pipeline.candidates types the union in columns, asking `alignment` once per kind of pair:
    the same lists as asking it of every pair (terms with a margin over TERMS_MARGIN and under
    it, pairs chosen across and within a language, on trial with figures that agree and not)."""
    from sourcetrace.candidates.neighbours import nearest
    from sourcetrace.candidates.pairs import DocInput, candidate_pairs
    from sourcetrace.text.terms import figures

    rng = np.random.default_rng(5)
    words = ["council", "water", "region", "support", "government", "people", "agreement", "meeting", "report", "effort"]
    inputs, vecs = [], {}
    for i in range(16):
        body = ". ".join(" ".join(rng.choice(words, 10)) for _ in range(4))
        en = f"It was {1000 + i} on May 3, 2021 and {5000 + i % 4} and {7000 + i}. {body}."
        ar = f"بلغ {1000 + i} في ٣ أيار/مايو ٢٠٢١ و{5000 + i % 4} و{9000 + i}."
        inputs += [DocInput(f"e{i:02d}", "en", en, en.split(". ")), DocInput(f"a{i:02d}", "ar", ar, [ar])]
        v = rng.normal(size=8)
        vecs[f"e{i:02d}"] = (v / np.linalg.norm(v)).astype(np.float32)
        w = v + rng.normal(size=8) * (0.2 if i % 2 else 1.5)
        vecs[f"a{i:02d}"] = (w / np.linalg.norm(w)).astype(np.float32)
    inputs.append(DocInput("e99", "en", inputs[0].text, inputs[0].sentences))  # a copy: MinHash
    vecs["e99"] = vecs["e00"]
    inputs += [DocInput("e50", "en", "The harvest was late.", ["The harvest was late."]),  # no figures: on trial
               DocInput("a50", "ar", "تأخر الحصاد.", ["تأخر الحصاد."])]
    vecs["e50"], vecs["a50"] = vecs["e01"], vecs["a03"]
    docs = [Document(d.id, f"{d.id}.txt", 0, len(d.text), d.lang) for d in inputs]
    feats = pipeline.features(inputs)
    nb = nearest(vecs, {d.id: d.lang for d in inputs}, k=6, k_same=2)
    chosen = {("a01", "e01"): True, ("a02", "e03"): False, ("a50", "e50"): False, ("a05", "e05"): False, ("e04", "e05"): True,
              ("a07", "e09"): False}
    got = pipeline.candidates(docs, feats, vecs, nb, chosen)
    lang = {d.id: d.lang for d in docs}
    figs = {f.id: figures(f.terms) for f in feats}
    aligned, trial, related = [], [], []
    for c in candidate_pairs(feats, vecs, neighbours=nb, min_cos=pipeline.TOPIC_MIN_COS,
                             more=[pipeline.votes.candidate(k) for k in sorted(chosen)]):
        k = (c.a, c.b)
        related.append(k)
        how = pipeline.screened(pipeline.alignment(c, lang[c.a] != lang[c.b], k in chosen), figs[c.a], figs[c.b])
        if how == pipeline.TRIAL:
            trial.append(k)
        if how:
            aligned.append(k)
    kinds = {(pipeline.alignment(c, lang[c.a] != lang[c.b], (c.a, c.b) in chosen))
             for c in candidate_pairs(feats, vecs, neighbours=nb, min_cos=pipeline.TOPIC_MIN_COS,
                                      more=[pipeline.votes.candidate(k) for k in sorted(chosen)])}
    assert kinds == {True, False, pipeline.TRIAL}
    assert trial == [("a50", "e50")] and ("a02", "e03") not in aligned  # figures disagree: screened out
    assert (got.related, got.aligned, got.trial) == (related, aligned, trial)
    assert got.ran == [("a01", "e01"), ("e04", "e05")]
