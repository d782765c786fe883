"""The fact layer: figures, dates and names a text states, each with its span and normalized value.

    extract(text, lang, doc_date) -> [Fact]     # a string (offsets into it)
    document_facts(doc, text) -> [Fact]          # a document of a file (file offsets, boilerplate out)

One reader per kind of fact: :mod:`.dates`, :mod:`.numbers` (numbers, money, percentages),
:mod:`.names` (people, organisations, places). Dates are read first and keep their digits: a
number inside a date is not a second fact. A bare four-digit number from 1900 to 2100 is a year
(a date), unless it follows a word that makes it a reference ("Resolution 2254", «رقم»).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from sourcetrace.factcheck.dates import find_dates, is_year
from sourcetrace.factcheck.names import find_names
from sourcetrace.factcheck.numbers import find_quantities
from sourcetrace.records import Document, Fact
from sourcetrace.text.arabic import DIGITS

__all__ = ["FACT_TYPES", "document_facts", "extract"]

FACT_TYPES = ("number", "money", "percent", "date", "person", "org", "place")
_REFERENCE = re.compile(r"(?:no\.?|number|resolution|law|decree|رقم|القرار|قرار|قانون|المرسوم)\s*$", re.I)


def extract(text: str, lang: str, doc_date: str | None = None, *, doc: str = "", offset: int = 0) -> list[Fact]:
    """Every fact in ``text``, in text order; spans are offsets into ``text`` plus ``offset``.

    ``lang`` is the document's language ("ar", "en"; both scripts are read whatever it says, for
    quoted names and figures); ``doc_date`` (ISO) resolves relative dates ("yesterday",
    «12 شباط الفائت»).
    """
    facts: list[Fact] = []
    taken = _Taken()
    for s, e, value in find_dates(text, doc_date):
        facts.append(Fact(doc, s + offset, e + offset, "date", value))
        taken.add(s, e)
    for q in find_quantities(text):
        if taken.overlaps(q.start, q.end):
            continue
        typ, value = q.type, q.value
        if (typ == "number" and isinstance(value, int) and is_year(value) and q.end - q.start == 4
                and text[q.start].translate(DIGITS).isdigit() and not _REFERENCE.search(text, max(0, q.start - 16), q.start)):
            typ, value = "date", f"{value:04d}"
        facts.append(Fact(doc, q.start + offset, q.end + offset, typ, value))
        taken.add(q.start, q.end)
    for n in find_names(text, lang):
        if taken.overlaps(n.start, n.end):
            continue
        facts.append(Fact(doc, n.start + offset, n.end + offset, n.type, n.key))
    facts.sort(key=lambda f: (f.start, f.end))
    return facts


class _Taken:
    """Disjoint spans already claimed by a fact, kept sorted: a lookup is a bisection, not a scan
    (a long document has thousands of facts)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)  # spans starting before `end` ...
        return i > 0 and self.ends[i - 1] > start  # ... the last of which (disjoint) reaches the furthest

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def document_facts(doc: Document, text: str) -> list[Fact]:
    """The facts of one document: ``text`` is the file's text; facts in boilerplate are left out."""
    facts = extract(text[doc.start:doc.end], doc.lang, doc.date, doc=doc.id, offset=doc.start)
    if not doc.boilerplate:
        return facts
    return [f for f in facts if not any(s <= f.start < e for s, e in doc.boilerplate)]
