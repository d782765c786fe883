"""Small tables for the export tests that need no models: an English statement, its Arabic
translation and an English report that copies it with a change, as `trace` would record them."""

from __future__ import annotations

from sourcetrace.export import Tables
from sourcetrace.records import Document, Family, Passage, Relation, Sentence

EN = "The ministers met today.\tThey agreed on aid.\nA third - unrelated - line.\n"
AR = "اجتمع الوزراء اليوم. واتفقوا على المساعدات.\n"
COPY = "Report: The Ministers met today. They agreed on more aid.\n"
TEXTS = {"statement_en.txt": EN, "statement_ar.txt": AR, "report.txt": COPY}


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def sample_tables() -> Tables:
    """Three documents, five sentences, three passages (two translations, one near-verbatim copy),
    two relations (the Arabic translates the English; the report derives from it), one family."""
    docs = [Document("en#1", "statement_en.txt", 0, len(EN) - 1, "en"),
            Document("ar#1", "statement_ar.txt", 0, len(AR) - 1, "ar"),
            Document("report#1", "report.txt", 0, len(COPY) - 1, "en", title="Report")]
    sentences = [Sentence("en#1", *_span(EN, "The ministers met today.")),
                 Sentence("en#1", *_span(EN, "They agreed on aid.")),
                 Sentence("ar#1", *_span(AR, "اجتمع الوزراء اليوم.")),
                 Sentence("ar#1", *_span(AR, "واتفقوا على المساعدات.")),
                 Sentence("report#1", *_span(COPY, "The Ministers met today. They agreed on more aid."))]
    passages = [  # the translation as the aligner orders it: Arabic side first
        Passage("ar#1", *_span(AR, "اجتمع الوزراء اليوم."), "en#1", *_span(EN, "The ministers met today."),
                "translation", 0.97),
        Passage("ar#1", *_span(AR, "واتفقوا على المساعدات."), "en#1", *_span(EN, "They agreed on aid."),
                "translated-near-verbatim", 0.81),
        Passage("en#1", *_span(EN, "The ministers met today.\tThey agreed on aid."),
                "report#1", *_span(COPY, "The Ministers met today. They agreed on more aid."), "near-verbatim", 0.9)]
    relations = [Relation("ar#1", "en#1", "translation", 1.0, 0.6, 0.95, source="en#1", passages=2),
                 Relation("en#1", "report#1", "derived", 0.6, 0.8, 0.9, source="en#1", passages=1)]
    families = [Family("f1", ["en#1", "ar#1", "report#1"], origin="en#1")]
    return Tables(docs, sentences, passages, relations, families, TEXTS.__getitem__)
