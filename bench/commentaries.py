"""Commentaries that are not on poetry (issue 17 item 3): six commentary/base pairs of OpenITI works
before 0700AH, built from the mirrors for bench/realtext.py's `commentary` set.

    python bench/realtext.py --only commentary [--stripped]
    python bench/commentaries.py            # sizes and how much of each base the commentary holds

A commentary (sharh, tafsir, ta'liq) quotes its base in lemmata, a few words each («قوله: ...»,
{ ... } for the Qur'an, "فصل" for an aphorism), and explains each for lines or pages: it is derived
from its base, the base its source. The pairs (the session tool's `fetch github:OpenITI/NNNNAH`;
OpenITI corpus, CC BY-NC-SA 4.0; the Qur'an from `fetch github:risan/quran-json`, CC BY-SA 4.0):

* hadith: al-Khattabi (d. 388), Ma'alim al-Sunan (0400AH) on Abu Dawud's Sunan (0275AH), both cut
  before their "كتاب الصلاة" heading: Kitab al-Tahara alone (~140 KB each).
* hadith/law: al-Waqqashi (489), al-Ta'liq 'ala al-Muwatta (0500AH) on Malik's Muwatta in Yahya's
  recension (0200AH), both cut before "كتاب الطهارة": the book of prayer times.
* Qur'an: al-Wahidi (468), al-Wajiz (0475AH, the altafsir file: lemmata in { }) on the Qur'an
  (Uthmani script, one verse a line, sura names as headings), suras 1-2: the tafsir cut before
  "سورة آل عمران".
* medicine: Ibn Abi Sadiq (470), Sharh Fusul Abuqrat (0475AH) on Hunayn's Arabic Aphorisms of
  Hippocrates (0275AH), both whole (~430 and ~50 KB).
* philology: al-Jawaliqi (540), Sharh Adab al-Katib (0550AH) on Ibn Qutayba's Adab al-Katib
  (0300AH), both cut before "معرفة في الطعام والشراب".
* grammar: al-Rummani (384), Sharh Kitab Sibawayhi (0400AH: a part, from the chapter on the nudba
  to the oath) on Sibawayh's Kitab (0200AH) cut to the same chapters ("هذا باب الندبة" up to "هذا
  باب الحروف التي لا تقدم فيها الأسماء الفعل"). A commentary of questions and answers that quotes
  little: the hard case.

Beside them, four unrelated works of the same fields (Ibn Jinni's Luma', Ibn Abi Zayd's Risala,
Hunayn's Prognostic of Hippocrates, al-Zamakhshari's Mufassal cut to its first part): a strong
relation from one of them is counted as between unrelated texts.

Each file is the cut mARkdown as OpenITI holds it (metadata header, page markers and all), as a
held-out file would come; `stripped=True` gives realtext's plain reading of it instead (no header,
no markers), the variant a test that drops the header would hand in.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

REPOS = ("OpenITI/0200AH", "OpenITI/0275AH", "OpenITI/0300AH", "OpenITI/0400AH", "OpenITI/0475AH",
         "OpenITI/0500AH", "OpenITI/0550AH", "risan/quran-json")
QURAN = "risan/quran-json"


@dataclass(frozen=True)
class Work:
    repo: str           # OpenITI/NNNNAH, or QURAN
    uri: str            # the version file's name (under data/AUTHOR/WORK/), or "1-2" for suras
    start: str = ""     # keep from the first heading holding this (empty: from the start)
    stop: str = ""      # and up to the first heading after it holding this (empty: to the end)


@dataclass(frozen=True)
class CommentaryPair:
    kind: str
    commentary: Work
    base: Work


PAIRS = (
    CommentaryPair("hadith",
                   Work("OpenITI/0400AH", "0388AbuSulaymanKhattabi.MacalimSunan.Shamela0001442-ara1",
                        stop="كتاب الصلاة"),
                   Work("OpenITI/0275AH", "0275AbuDawudSijistani.Sunan.Shamela0001726-ara1", stop="كتاب الصلاة")),
    CommentaryPair("hadith-law",
                   Work("OpenITI/0500AH", "0489Waqqashi.TacliqCalaMuwatta.Sham19Y0018194-ara1", stop="كتاب السهو"),
                   Work("OpenITI/0200AH", "0179MalikIbnAnas.Muwatta.Shamela0001699-ara1.completed",
                        stop="كتاب السهو")),
    CommentaryPair("quran",
                   Work("OpenITI/0475AH", "0468IbnAhmadWahidiNaysaburi.WajizFiTafsir.Tafsir08060-ara1",
                        stop="سورة آل عمران"),
                   Work(QURAN, "1-2")),
    CommentaryPair("medicine",
                   Work("OpenITI/0475AH",
                        "0470IbnAbiSadiqNisaburi.SharhFusulAbuqrat.ArabCommAph051931955Vols-ara1.completed"),
                   Work("OpenITI/0275AH", "0259HunaynIbnIshaq.FusulAbuqrat.GRAR000052-ara1")),
    CommentaryPair("philology",
                   Work("OpenITI/0550AH", "0540AbuMansurJawaliqi.SharhAdabKatib.Shamela0001587-ara1",
                        stop="معرفة في الطعام والشراب"),
                   Work("OpenITI/0300AH", "0276IbnQutaybaDinawari.AdabKatib.Shamela0026349-ara1.mARkdown",
                        stop="معرفة في الطعام والشراب")),
    CommentaryPair("grammar",
                   Work("OpenITI/0400AH", "0384AbuHasanRummani.SharhKitabSibawayhi.Sham19Y0018282-ara1"),
                   Work("OpenITI/0200AH", "0180Sibawayhi.KitabSibawayhi.Shamela0023018-ara1.mARkdown",
                        start="هذا باب الندبة", stop="باب الحروف التي لا تقدم فيها الأسماء الفعل")),
)

UNRELATED = (
    Work("OpenITI/0400AH", "0392IbnJinniMawsili.LumacFiCarabiyya.Shamela0006987-ara1"),
    Work("OpenITI/0400AH", "0386IbnAbiZaydQayrawani.Risala.Shamela0011373-ara1"),
    Work("OpenITI/0275AH", "0259HunaynIbnIshaq.TaqdimatMacrifaLiAbuqrat.GRAR000053-ara1"),
    Work("OpenITI/0550AH", "0538JarAllahZamakhshari.MufassalFiSuncatIcrab.Shamela0000759-ara1",
         stop="النوع الثالث"),
)


def _path(repo, uri: str) -> str:
    author, work = uri.split(".")[:2]
    return f"data/{author}/{author}.{work}/{uri}"


def cut(markup: str, start: str = "", stop: str = "") -> str:
    """The file from its first heading line holding start (the header kept) up to the first heading
    line after it holding stop: the leading books or chapters of a work, by its mARkdown headings."""
    if not (start or stop):
        return markup
    head, sep, body = markup.partition("#META#Header#End#")
    if not sep:
        head, body = "", markup
    kept, on = [], not start
    for line in body.splitlines(keepends=True):
        heading = line.startswith("###")
        if heading and start and not on and start in line:
            on = True
        elif heading and on and stop and stop in line and kept:
            break
        if on:
            kept.append(line)
    return head + sep + "".join(kept)


def quran_text(repo, suras: str) -> str:
    """Suras a-b of the Qur'an, a heading line with each sura's name, then one verse a line."""
    a, b = (int(x) for x in suras.split("-"))
    lines = []
    for i in range(a, b + 1):
        d = json.loads(repo.read(f"dist/chapters/{i}.json"))
        lines.append(f"سورة {d['name']}")
        lines += [v["text"].strip() for v in d["verses"]]
    return "\n".join(lines) + "\n"


def work_text(repos: dict, w: Work, stripped: bool) -> str:
    from realtext import openiti_plain
    if w.repo == QURAN:
        return quran_text(repos[w.repo], w.uri)
    text = cut(repos[w.repo].read(_path(repos[w.repo], w.uri)), w.start, w.stop)
    return openiti_plain(text) if stripped else text


def key(role: str, w: Work) -> str:
    return f"{role}:{w.uri}" + (f"[{w.start}..{w.stop}]" if w.start or w.stop else "")


def build(repos: dict, stripped: bool = False) -> tuple[list[tuple[str, str, str, str]], dict[str, str]]:
    """(kind, commentary key, base key) of each pair and key -> text of every file, unrelated included."""
    texts, pairs = {}, []
    for p in PAIRS:
        c, b = key("commentary", p.commentary), key("base", p.base)
        texts[c], texts[b] = work_text(repos, p.commentary, stripped), work_text(repos, p.base, stripped)
        pairs.append((p.kind, c, b))
    for w in UNRELATED:
        texts[key("unrelated", w)] = work_text(repos, w, stripped)
    return pairs, texts


def main() -> int:
    from realtext import MIRROR, Repo, _shared_runs
    repos = {r: Repo(MIRROR, r) for r in REPOS}
    pairs, texts = build(repos, stripped=True)
    for kind, c, b in pairs:
        print(f"{kind:11s} commentary {len(texts[c]):8,d} base {len(texts[b]):8,d} chars; base in 4-word runs "
              f"of the commentary {_shared_runs(texts[b], texts[c], 4):.2f}, commentary in the base's "
              f"{_shared_runs(texts[c], texts[b], 4):.2f}")
    for k, t in texts.items():
        if k.startswith("unrelated"):
            print(f"unrelated   {k}: {len(t):,d} chars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
