"""Segmentation: a file's text into documents, with their boilerplate, language, title and date.

A file may hold several documents back to back (a statement, then a minister's remarks, then a
report on another official's remarks). Boundaries are found from what real files show, line by
line, never from anything specific to one corpus:

1. **A change of script** that lasts: a run of Arabic lines next to a run of Latin lines, each
   long enough to be a text of its own (a lone quoted line in the other language is not).
2. **A headline block** after body text: two or more short, unpunctuated lines in a row (title,
   issuing office, "for immediate release", dateline) with a date among them, or a block with a
   repeated caption, open a new document. A single short line is a subheading and opens
   nothing; short lines without a date are verse, chapter titles or hemistichs as often.
3. **A change of voice**: body text in the first person ("we", «نحن», «أشكركم») followed by a
   paragraph that opens by reporting someone with a title in the third person ("NATO Secretary
   General … addressed", «وخاطب الأمين العام …»): a transcript has ended and a report begins.

Formats that declare their documents (a JSONL line, an HTML page) are taken as they are; only
boilerplate is looked for inside them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sourcetrace.records import Document, Part, Sentence, SourceFile, Span
from sourcetrace.segment.boilerplate import boilerplate_lines, lines_of, merge_spans
from sourcetrace.segment.dateline import find_date
from sourcetrace.text import language
from sourcetrace.text.arabic import strip_proclitic
from sourcetrace.text.sentences import is_verse_line, split_sentences

REPEAT_RUN = 8  # words: a run this long shared by two pieces of a file is repeated text
MIN_REPEATED = 0.75  # of a piece's runs in the piece before it: a repeat, no new document (reports copy 0.55-0.75)
MIN_RUN_LETTERS = 200  # letters of one script that can make a document of their own
SHORT_LINE = 110  # chars: a headline, office or dateline line is shorter than this
_END_PUNCT = re.compile(r"[.!?؟…:;؛,،]['\"”’»)]*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–·▪]|\(?\d{1,3}[.)\-]|\(?[٠-٩]{1,3}[.)\-])\s")
_QUOTED = re.compile(r"[\"“«][^\"”»]*(?:[\"”»]|$)")
_WORD = re.compile(r"[^\W\d_]+")

# First-person words (outside quotes). Arabic clitics و ف ل ب are stripped before look-up.
_FIRST_PERSON_EN = {"i", "we", "our", "us", "my", "me", "ours", "ourselves", "myself"}
_FIRST_PERSON_AR = {"نحن", "إننا", "اننا", "أننا", "لأننا", "لكننا", "ولكننا", "أنا", "انا", "إنني", "انني",
                    "أنني", "لدينا", "علينا", "لنا", "معنا", "منا", "بيننا", "أشكر", "أشكركم", "نشكر", "أود",
                    "نود", "أرحب", "نرحب", "أهنئ", "أعتقد", "نعتقد", "نعرف", "أعرف"}
# Words ending in «نا» that are not "our/us".
_NA_NOT_FIRST_PERSON = {"هنا", "هناك", "أحيانا", "احيانا", "لبنان", "عمانا", "بيانا", "فيينا", "كورونا",
                        "أثينا", "غانا", "أمانا", "ضمانا", "إمكانا", "مكانا", "زمانا", "بنا", "أبنا"}
# One letter, and a stem of four letters or more: the first-person words are long enough, and «فنا»
# or «لنا» must stay whole (لنا, "for us", is in the table itself).
_AR_CLITICS = ("و", "ف", "ل", "ب")

_TITLES_AR = r"(?:الأمين العام|الامين العام|وزير|وزيرة|رئيس|رئيسة|المتحدث|المتحدثة|الناطق|السفير|السفيرة|مستشار|المبعوث|الممثل|نائب|الملك|الأمير|الرئيس)"
_REPORTING_AR = re.compile(
    r"^\s*[وف]?(?:قال|قالت|أكد|أكّد|أكدت|خاطب|خاطبت|أضاف|أضافت|أشار|أشارت|صرح|صرّح|ذكر|ذكرت|أعلن|أعلنت|شدد|شدّد|"
    r"أوضح|أوضحت|لفت|تحدث|تحدثت|ألقى|ألقت|دعا|دعت|حذر|حذّر)\s+(?:\S+\s+){0,3}?"
    # The title a whole word (the «الملكانية» sect is no king), not addressed («قال … أيها الملك»: a
    # story's dialogue, not a report of the king).
    r"(?<!أيها )(?<!أيتها )(?<!يا )" + _TITLES_AR + r"ة?(?![\u0621-\u064a])")
# A titled someone, as in Arabic: "Sami addressed the letter" is no report of an official.
_TITLES_EN = (r"(?:Secretary|Minister|President|Premier|Chancellor|Ambassador|Envoy|Spokes(?:man|woman|person)|"
              r"Director|Commissioner|Governor|Senator|Chairman|Chairwoman|King|Queen|Prince|Emir|Sheikh)")
_REPORTING_EN = re.compile(
    r"^\s*(?:(?:The|A|An)\s+)?(?:[A-Z][\w.'’-]*\s+){0,4}" + _TITLES_EN + r"\b(?:\s+(?:[ae]l-)?[A-Z][\w.'’-]*){0,5}\s+"
    r"(?:said|says|told|addressed|stated|announced|spoke|remarked|warned|urged|declared)\b")
_DATELINE_ONLY = re.compile(r"^[\W\d_]*$")
# No script shows in a URL or in a token of letters and digits together (a page marker "PageV01P012",
# a milestone "ms0991", a code): a book's run of image links and page markers is no Latin text.
_NO_SCRIPT = re.compile(r"\S*://\S*|\b(?=\w*\d)(?=\w*[^\W\d_])\w+")
# A block of short lines ends a headline when it has at most this many: a title, an office, "for
# immediate release", a dateline, a subtitle. More are verse, a list or a text wrapped at a short
# width (a book's mARkdown source: a date among hundreds of wrapped lines opened a document).
MAX_HEADLINE_LINES = 8
_CONTINUED = "~~"  # mARkdown (OpenITI): this line continues the paragraph of the line before


class _Line:
    """A line of the file with the features the boundary rules read (computed once)."""

    __slots__ = ("start", "end", "text", "boilerplate", "blank", "content", "short", "_profile")

    def __init__(self, start: int, end: int, text: str, boilerplate: bool):
        self.start, self.end, self.text, self.boilerplate = start, end, text, boilerplate
        stripped = text.strip()
        self.blank = not stripped
        self.content = not self.blank and not boilerplate
        self.short = (len(stripped) <= SHORT_LINE and not _END_PUNCT.search(stripped)
                      and not _LIST_ITEM.match(stripped))
        self._profile: language.ScriptProfile | None = None

    @property
    def profile(self) -> language.ScriptProfile:
        if self._profile is None:
            self._profile = language.script_profile(_NO_SCRIPT.sub(" ", self.text[:300]))  # its start shows it
        return self._profile


def _script(profile: language.ScriptProfile) -> str | None:
    return profile.dominant if profile.letters >= 8 else None


def _first_person(text: str) -> int:
    outside = _QUOTED.sub(" ", text)
    count = 0
    for word in _WORD.findall(outside):
        low = word.lower()
        # "US" (dollars, the country) in capitals is no "us"; "I" is the one first-person capital.
        if low in _FIRST_PERSON_EN and (word == "I" or not word.isupper()) or word in _FIRST_PERSON_AR:
            count += 1
            continue
        bare = strip_proclitic(word, _AR_CLITICS, min_stem=4)
        if bare in _FIRST_PERSON_AR or len(bare) >= 5 and bare.endswith("نا") and bare not in _NA_NOT_FIRST_PERSON \
                and word not in _NA_NOT_FIRST_PERSON:
            count += 1
    return count


def _reports_someone(text: str) -> bool:
    return bool(_REPORTING_AR.match(text) or _REPORTING_EN.match(text))


def _script_boundaries(lines: Sequence[_Line], whole: language.ScriptProfile) -> set[int]:
    """Indices of content lines where a lasting change of script begins."""
    if min(whole.arabic, whole.latin) < MIN_RUN_LETTERS:
        return set()  # too little of the second script for a document of its own: skip line profiles
    # A run is (script, its first line's index, lines, letters): only the first line and the
    # count matter, and folding index lists copied them at every fold (quadratic).
    runs: list[tuple[str, int, int, int]] = []
    for i, ln in enumerate(lines):
        if not ln.content:
            continue
        profile = ln.profile
        script, letters = _script(profile), profile.letters
        if script is None or script == "other":
            if runs:
                runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1, runs[-1][3])
            continue
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1], runs[-1][2] + 1, runs[-1][3] + letters)
        else:
            runs.append((script, i, 1, letters))

    def substantial(run: tuple[str, int, int, int]) -> bool:
        return run[3] >= MIN_RUN_LETTERS and (run[2] >= 2 or run[3] >= 600)

    # Fold short runs (a quoted line, an English acronym line) into their neighbours. A run's letters
    # are its own script's only: a short Arabic run folded into a Latin one adds lines, not Latin
    # letters (else a book's "[chapter 1: Preface]" markers around its opening lines made a Latin run).
    kept: list[tuple[str, int, int, int]] = []
    for run in runs:
        if kept and (not substantial(run) or kept[-1][0] == run[0]):
            same = kept[-1][0] == run[0]
            kept[-1] = (kept[-1][0], kept[-1][1], kept[-1][2] + run[2], kept[-1][3] + (run[3] if same else 0))
        elif kept and not substantial(kept[-1]):
            kept[-1] = (run[0], kept[-1][1], kept[-1][2] + run[2], run[3])
        else:
            kept.append(run)
    return {run[1] for run in kept[1:]}


def _headline_starts(lines: Sequence[_Line]) -> set[int]:
    """Indices of lines that open a headline block after body text: short lines with a date or a
    caption among them. Short unpunctuated lines alone open nothing: verse one line at a time, a
    book's chapter titles and a poem's hemistichs are such lines too (an English sura came out as
    11 documents, a book as 140: bench/realtext.py)."""
    starts: set[int] = set()
    seen_body = False
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.blank:
            i += 1
            continue
        if ln.content and ln.short and seen_body:
            # Count the block: short content lines and boilerplate (captions) until body text.
            j, shorts, has_content_after = i, [], False
            while j < len(lines):
                other = lines[j]
                if other.blank or other.boilerplate:
                    j += 1
                    continue
                if other.short:
                    shorts.append(j)
                    j += 1
                    continue
                # body text has words: a line of brackets and a full stop ("] .") is a fragment
                has_content_after = _WORD.search(other.text) is not None
                break
            # A caption has letters: a repeated "=" or an empty paragraph of NBSPs separates, it
            # captions nothing.
            # A line that opens with mARkdown's continuation mark "~~" goes on with the line before
            # it (OpenITI's books wrap their paragraphs so): a block holding one is a paragraph, and a
            # wrapped line saved twice in it is no caption (a Sibawayh file split at one).
            wrapped = any(lines[k].text.lstrip().startswith(_CONTINUED) for k in shorts)
            caption = not wrapped and any(lines[k].boilerplate and _WORD.search(lines[k].text) for k in range(i, j))
            dated = any(lines[k].short and find_date(lines[k].text) for k in range(i, j))
            # A verse (two hemistichs) is a short line of a poem, no headline line (looked at last: costly).
            if has_content_after and (caption or dated) and len(shorts) <= MAX_HEADLINE_LINES \
                    and sum(not is_verse_line(lines[k].text.strip()) for k in shorts) >= 2:
                starts.add(i)
                seen_body = False
            # Either way the scan resumes at j: a block that does not open a document from its
            # first line opens none from a later one (fewer short lines, the same line after it),
            # and rescanning it from each of its lines was quadratic in a long run of short lines.
            i = j
            continue
        if ln.content and not ln.short:
            seen_body = True
        i += 1
    return starts


def _voice_boundaries(lines: Sequence[_Line], cut: set[int]) -> set[int]:
    """Indices where first-person body text gives way to a third-person report of someone."""
    found: set[int] = set()
    body: list[int] = []  # the current document's body paragraphs
    reporting = False  # the current document has already reported someone: a report, not a transcript
    for i, ln in enumerate(lines):
        if i in cut:
            body, reporting = [], False
        if not ln.content or ln.short:
            continue
        # First-person counts are computed only where a report of someone opens a paragraph.
        if _reports_someone(ln.text):
            # A news item that reports a minister, quotes him in the first person and goes on
            # «وأكد وزير الخارجية…» is one report (issue 17): only a text that speaks in the first
            # person from its start and then reports someone is a transcript followed by a report.
            if not reporting and len(body) >= 3 and _first_person(ln.text) == 0:
                window = [_first_person(lines[k].text) for k in body[-6:]]
                if sum(1 for c in window if c > 0) * 2 >= len(window):
                    found.add(i)
                    body = []
                    continue
            reporting = True
        body.append(i)
    return found


def _lines(text: str, start: int, end: int) -> list[_Line]:
    spans = lines_of(text, start, end)
    flags = boilerplate_lines(text, spans)
    return [_Line(s, e, text[s:e], f) for (s, e), f in zip(spans, flags, strict=True)]


def _title(lines: Sequence[_Line]) -> str | None:
    for ln in lines:
        if ln.content:
            return ln.text.strip() if ln.short and len(ln.text.strip()) > 3 else None
    return None


def _date(lines: Sequence[_Line]) -> str | None:
    """The date the headline block states: its short lines, or a dateline opening the body.

    Dates inside paragraphs are not the document's date: statements recall earlier ones.
    """
    head: list[str] = []
    for ln in [ln for ln in lines if ln.content][:6]:
        if not ln.short:
            head.append(ln.text[:60])  # "WASHINGTON, June 4, 2020 — …"
            break
        head.append(ln.text)
    return find_date("\n".join(head))


def _document(text: str, lines: Sequence[_Line], part: Part | None, doc_id: str, path: str) -> Document | None:
    content = [ln for ln in lines if ln.content]
    if not content:
        return None
    start, end = content[0].start, content[-1].end
    # Trim surrounding spaces so the span starts and ends on text.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    boiler = merge_spans([(ln.start, ln.end) for ln in lines if ln.boilerplate], text)
    body = "\n".join(ln.text for ln in content)
    lang = (part.lang if part and part.lang else None) or language.detect(body)
    return Document(
        id=doc_id, path=path, start=start, end=end, lang=lang,
        title=(part.title if part and part.title else None) or _title(lines),
        date=(part.date if part and part.date else None) or _date(lines),
        url=part.url if part else None,
        boilerplate=boiler,
    )


def _split(text: str, lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped into documents at the boundaries the rules find."""
    whole = language.script_profile(text[lines[0].start:lines[-1].end]) if lines else language.script_profile("")
    cuts = _script_boundaries(lines, whole) | _headline_starts(lines)
    cuts |= _voice_boundaries(lines, cuts)
    cuts.discard(0)
    bounds = [0, *sorted(cuts), len(lines)]
    pieces = [list(lines[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    if len(pieces) < 2:
        return pieces
    # A piece that mostly repeats the one before it is that text's closing note saved twice (a saved
    # forum thread ends on its last post again, its editor's signature and date opening a "document").
    merged = [pieces[0]]
    runs = _runs(pieces[0])
    for piece in pieces[1:]:
        own = _runs(piece)
        if own and len(own & runs) >= MIN_REPEATED * len(own):
            merged[-1] = merged[-1] + piece
            runs |= own
        else:
            merged.append(piece)
            runs = own
    return merged


def _runs(lines: Sequence[_Line]) -> set[tuple[str, ...]]:
    """The piece's runs of REPEAT_RUN words (content lines joined)."""
    words = _WORD.findall(" ".join(ln.text for ln in lines if ln.content))
    return {tuple(words[k:k + REPEAT_RUN]) for k in range(len(words) - REPEAT_RUN + 1)}


def segment(source: SourceFile, id_prefix: str) -> list[Document]:
    """Documents of a file, numbered ``{id_prefix}#1``, ``#2`` … in file order."""
    text = source.text
    groups: list[tuple[list[_Line], Part | None]] = []
    if source.parts:
        for part in source.parts:
            lines = _lines(text, part.start, part.end)
            # A JSONL record is one document by declaration; a web page may hold several.
            pieces = _split(text, lines) if source.format == "html" else [lines]
            for k, piece in enumerate(pieces):
                if len(pieces) == 1:
                    groups.append((piece, part))
                else:  # the page's title and date are the first document's; its URL is everyone's
                    groups.append((piece, Part(part.start, part.end, title=part.title if k == 0 else None,
                                               date=part.date if k == 0 else None, url=part.url)))
    else:
        groups = [(piece, None) for piece in _split(text, _lines(text, 0, len(text)))]
    docs: list[Document] = []
    pending_boiler: list[Span] = []
    for group, part in groups:
        doc = _document(text, group, part, f"{id_prefix}#{len(docs) + 1}", source.path)
        if doc is None:
            # A group of only boilerplate: keep it recorded on the previous document.
            pending_boiler += [(ln.start, ln.end) for ln in group if ln.boilerplate]
            if docs and pending_boiler:
                docs[-1].boilerplate = merge_spans(docs[-1].boilerplate + pending_boiler, text)
                pending_boiler = []
            continue
        if pending_boiler:
            doc.boilerplate = merge_spans(pending_boiler + doc.boilerplate, text)
            pending_boiler = []
        docs.append(doc)
    return docs


def content_spans(doc: Document) -> list[Span]:
    """The document's span minus its boilerplate: where sentences may be found."""
    spans: list[Span] = []
    pos = doc.start
    for s, e in sorted(doc.boilerplate):
        if e <= pos or s >= doc.end:
            continue
        if s > pos:
            spans.append((pos, s))
        pos = max(pos, e)
    if pos < doc.end:
        spans.append((pos, doc.end))
    return spans


def split(text: str, doc: Document) -> list[Sentence]:
    """Sentences of one document: its content spans (boilerplate excluded), split."""
    out: list[Sentence] = []
    # Per-sentence language only where the document holds letters of another script at all.
    mixed = language.mixed_script(text[doc.start:doc.end], doc.lang)
    for start, end in content_spans(doc):
        for s, e in split_sentences(text, start, end, doc.lang):
            lang = language.sentence_language(text[s:e], doc.lang) if mixed else doc.lang
            out.append(Sentence(doc.id, s, e, lang))
    return out


def segment_and_split(source: SourceFile, id_prefix: str) -> tuple[list[Document], list[Sentence]]:
    """A file's documents (:func:`segment`) and their sentences (:func:`split`): the reading
    stage's whole work on one file, in a module light enough for reading workers to import."""
    docs = segment(source, id_prefix)
    return docs, [s for d in docs for s in split(source.text, d)]
