"""Decoding: BOMs, strict UTF-8, Arabic code pages, declared charsets, and what is refused."""

from __future__ import annotations

import codecs
import random

import pytest

from sourcetrace.readers.decoding import DecodeError, declared_charset, decode, normalise_encoding

# Written for these tests: a short invented statement of several Arabic sentences.
ARABIC = (
    "أصدرت وزارة الخارجية اليوم بيانا مشتركا في ختام جولة الحوار بين الحكومتين.\n"
    "وأكد الجانبان التزامهما بدعم استقرار المنطقة وتعزيز التعاون في مجالات الطاقة والمياه والتعليم.\n"
    "واتفق الوفدان على تشكيل لجنة فنية تجتمع كل ثلاثة أشهر وترفع تقريرها قبل نهاية العام.\n"
    "وقال المتحدث الرسمي إن المحادثات كانت صريحة وبناءة، وإن الجولة المقبلة ستعقد في الربيع.\n"
)
ENGLISH = "The two delegations met on Sunday.\r\nThey agreed to meet again in spring.\n"


def test_utf8_plain() -> None:
    text, enc = decode(ENGLISH.encode("utf-8"))
    assert (text, enc) == (ENGLISH, "utf-8")


def test_utf8_bom_is_stripped_and_not_counted() -> None:
    raw = codecs.BOM_UTF8 + ARABIC.encode("utf-8")
    text, enc = decode(raw)
    assert enc == "utf-8-sig"
    assert text == ARABIC
    assert not text.startswith("\ufeff")
    assert raw.decode(enc) == text  # the encoding name re-creates exactly this text


def test_line_endings_are_kept_so_offsets_match_the_file() -> None:
    text, _ = decode(b"one\r\ntwo\rthree\n")
    assert text == "one\r\ntwo\rthree\n"
    assert text.index("two") == 5  # "\r\n" counts as two code points


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    raw = bom + (ENGLISH + ARABIC).encode(codec)
    text, enc = decode(raw)
    assert enc == "utf-16"
    assert text == ENGLISH + ARABIC
    assert raw.decode(enc) == text


def test_utf32_with_bom() -> None:
    raw = (ARABIC).encode("utf-32")  # Python writes the BOM for "utf-32"
    assert decode(raw) == (ARABIC, "utf-32")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_not_called_binary(codec: str) -> None:
    raw = (ARABIC + ENGLISH).encode(codec)
    assert decode(raw) == (ARABIC + ENGLISH, codec)


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
def test_arabic_code_pages(codec: str) -> None:
    raw = ARABIC.encode(codec)
    text, enc = decode(raw)
    assert enc == codec
    assert text == ARABIC


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
def test_arabic_code_pages_short_text_and_mixed_english(codec: str) -> None:
    short = "بيان مشترك"
    assert decode(short.encode(codec)) == (short, codec)
    mixed = "Joint statement / بيان مشترك صادر عن الحكومتين\n"
    assert decode(mixed.encode(codec)) == (mixed, codec)


@pytest.mark.parametrize("latin", [
    "Les deux délégations se sont réunies à Genève. Le communiqué a été publié très tôt.\n" * 3,
    "Café\n",  # through ISO-8859-6 this would be "Cafى": accents become Arabic letters
    "Müller und Söhne grüßen die Straße.\n",
    "The minister said: \u201cwe agreed\u201d \u2014 a first step\u2026\n",
])
def test_latin_text_is_not_mistaken_for_arabic(latin: str) -> None:
    assert decode(latin.encode("cp1252")) == (latin, "cp1252")


def test_empty_file() -> None:
    with pytest.raises(DecodeError, match="^empty file$"):
        decode(b"")


def test_png_header_is_binary() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    with pytest.raises(DecodeError, match=r"binary file \(not text\)"):
        decode(png)


def test_control_characters_without_nul_are_binary() -> None:
    raw = bytes([1, 2, 3, 4, 5, 6, 7, 0x0E, 0x0F, 0x10]) * 20 + b"some text"
    with pytest.raises(DecodeError, match="binary file"):
        decode(raw)


def test_undecodable_bytes() -> None:
    rng = random.Random(7)
    raw = bytes(rng.randrange(0x80, 0x100) for _ in range(600))
    with pytest.raises(DecodeError, match="cannot decode: not UTF-8 and no known encoding fits"):
        decode(raw)


def test_bom_then_invalid_utf8() -> None:
    with pytest.raises(DecodeError, match="cannot decode"):
        decode(codecs.BOM_UTF8 + b"abc\xff\xfe\xfd")


def test_html_meta_charset_is_honoured() -> None:
    page = f'<html><head><meta charset="windows-1256"><title>بيان</title></head><body><p>{ARABIC}</p></body></html>'
    raw = page.encode("cp1256")
    assert declared_charset(raw) == "cp1256"
    assert decode(raw, html=True) == (page, "cp1256")


def test_html_http_equiv_declaration() -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'
            f"</head><body><p>{ARABIC}</p></body></html>")
    raw = page.encode("iso8859-6")
    assert declared_charset(raw) == "iso8859-6"
    assert decode(raw, html=True) == (page, "iso8859-6")


def test_html_declaration_contradicted_by_bytes_is_ignored() -> None:
    # Labelled Latin-1 but actually UTF-8 (a common CMS mistake): UTF-8 wins.
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{ARABIC}</p></body></html>'
    assert decode(page.encode("utf-8"), html=True) == (page, "utf-8")
    # Labelled Windows-1252 but the bytes are Arabic Windows-1256.
    page = f'<html><head><meta charset="windows-1252"></head><body><p>{ARABIC}</p></body></html>'
    assert decode(page.encode("cp1256"), html=True) == (page, "cp1256")


def test_normalised_names() -> None:
    assert normalise_encoding("windows-1256") == "cp1256"
    assert normalise_encoding("ISO_8859-6") == "iso8859-6"
    assert normalise_encoding("UTF8") == "utf-8"


@pytest.mark.parametrize(("text", "codec", "expected"), [
    # Latin-1 French read as cp1257 ("naļve") or cp775 ("Cafķ") before: Western pages come first.
    ("Café naïve, déjà vu à l'été. Le garçon mangea une crème brûlée.\n", "latin-1", "cp1252"),
    ("Grüße aus München, schöne Straße und Bäume.\n", "latin-1", "cp1252"),
    # Other alphabets through a Western page read as a mess: the detector still decides them.
    ("Привет, мир! Это простой текст на русском языке для проверки.\n", "cp1251", "cp1251"),
    ("Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.\n", "cp1250", "cp1250"),
    ("Καλημέρα κόσμε, αυτό είναι ένα απλό κείμενο.\n", "cp1253", "cp1253"),
])
def test_legacy_pages_are_guessed_among_those_that_make_sense(text: str, codec: str, expected: str) -> None:
    assert decode(text.encode(codec)) == (text, expected)
