"""The fact layer's public functions (factcheck/__init__.py): order, spans, documents, any input."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.factcheck import FACT_TYPES, document_facts, extract
from sourcetrace.records import Document

# Tatweel, Quranic and vowel marks, bidi marks: a lone «ـ» once crashed the number reader.
ALPHABET = ("0123456789٠١٢٣٤٥٦٧٨٩ ,./-%٪$\nabcdefJuneMayحزيرانشباطثمانيةملايينألفدولارفيالمئة"
            "ـ\u064b\u0652\u0670\u06df\u06e5\u06ed\u200f\u200c")


def test_facts_come_in_text_order_with_offsets():
    text = "On 4 June 2020 the fund gave $5 million to 40 villages in Iraq, 12% of the total."
    facts = extract(text, "en", doc="d", offset=100)
    assert [f.start for f in facts] == sorted(f.start for f in facts)
    assert [(text[f.start - 100:f.end - 100], f.type) for f in facts] == [
        ("4 June 2020", "date"), ("$5 million", "money"), ("40", "number"), ("Iraq", "place"), ("12%", "percent")]
    assert all(f.doc == "d" for f in facts)


def test_a_number_inside_a_date_is_not_a_second_fact():
    assert [f.type for f in extract("صدر في 6 شباط/فبراير 2019.", "ar")] == ["date"]


def test_document_facts_use_file_offsets_and_skip_boilerplate():
    text = "HEADER\nThe plan costs $5 million.\nShare: 12 comments"
    start = text.index("The")
    boiler = (text.index("Share"), len(text))
    doc = Document("d#1", "d.txt", start, len(text), "en", boilerplate=[boiler])
    facts = document_facts(doc, text)
    assert [(text[f.start:f.end], f.type) for f in facts] == [("$5 million", "money")]


def test_long_digit_strings_are_identifiers_not_quantities():
    assert [f.type for f in extract("Call 0097150123456789012 now.", "en")] == []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_any_text_gives_valid_facts(text: str):
    for lang in ("ar", "en"):
        for f in extract(text, lang, "2020-06-04"):
            assert 0 <= f.start < f.end <= len(text)
            assert f.type in FACT_TYPES
            json.dumps(f.to_json(), allow_nan=False)
