from sourcetrace import pipeline
from sourcetrace.records import Document, SourceFile

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


def test_only_candidates_with_evidence_of_shared_text_are_aligned():
    from sourcetrace.candidates.pairs import Candidate
    from sourcetrace.pipeline import ALIGN_MARGIN, worth_aligning

    assert worth_aligning(Candidate("a", "b", ["minhash"], 0.3), cross=False)
    assert not worth_aligning(Candidate("a", "b", ["vectors", "terms"], 0.9, 1.2), cross=False)
    assert worth_aligning(Candidate("a", "b", ["vectors"], 0.9, ALIGN_MARGIN), cross=True)
    assert not worth_aligning(Candidate("a", "b", ["vectors"], 0.9, 1.01), cross=True)
    assert worth_aligning(Candidate("a", "b", ["vectors", "terms"], 0.9, 1.01), cross=True)
    assert not worth_aligning(Candidate("a", "b", ["terms"], 0.9), cross=True)
